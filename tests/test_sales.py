"""Committing sales: punches once, replays, edits, roll-over, multi-purchase reasons, warnings."""
import datetime as dt


from builders import TOTW_A, TOTW_B, card_of, line, program_body, sale
from loyalty.models import AuditLog, Card, Punch


def commit(api, body, reasons=None):
    return api.post("/api/v1/sales/commit", {"sale": body, "reasons": reasons or {}})


def test_commit_punches_the_linked_customers_card(api, program, linked):
    r = commit(api, sale(lines=[line(1)]))
    assert r.status_code == 200, r.get_json()
    data = r.get_json()
    card = data["cards"][0]
    assert (card["program_id"], card["punches_before"], card["punches_to_add"], card["punches_after"]) == \
        (program["id"], 0, 1, 1)
    assert data["uncommitted_lines"] == []
    assert data["account"]["id"] == linked["id"]
    assert card_of(api, linked["id"], program["id"])[0]["punches"] == 1


def test_identical_replay_changes_nothing_and_answers_the_same(api, program, linked):
    first = commit(api, sale(lines=[line(1)])).get_json()
    rows = Punch.select().count()
    again = commit(api, sale(lines=[line(1)]))
    assert again.status_code == 200
    assert again.get_json() == first
    assert Punch.select().count() == rows
    assert card_of(api, linked["id"], program["id"])[0]["punches"] == 1


def test_second_commit_of_an_edited_sale_adds_only_the_new_items(api, manager_api, program, linked):
    other = manager_api.post("/api/v1/programs", program_body(name="TOTW", upcs=[TOTW_A])).get_json()
    commit(api, sale(lines=[line(1)]))
    preview = api.post("/api/v1/sales/preview", {"sale": sale(lines=[line(1), line(2, upc=TOTW_A, price="64.99")])})
    unc = preview.get_json()["uncommitted_lines"]
    assert [u["line_id"] for u in unc] == ["2"]
    assert unc[0]["cards"] == [{"program_id": other["id"], "program": "TOTW", "punches": 1}]
    r = commit(api, sale(lines=[line(1), line(2, upc=TOTW_A, price="64.99")])).get_json()
    by_program = {c["program_id"]: c for c in r["cards"]}
    assert by_program[program["id"]]["punches_to_add"] == 0
    assert by_program[other["id"]]["punches_to_add"] == 1
    assert card_of(api, linked["id"], program["id"])[0]["punches"] == 1


def test_reduced_and_removed_lines_take_back_what_they_punched(api, program, linked):
    reason = {str(program["id"]): {"reason": "Multiple pets"}}
    commit(api, sale(lines=[line(1, qty=3)]), reason)
    assert card_of(api, linked["id"], program["id"])[0]["punches"] == 3
    r = commit(api, sale(lines=[line(1, qty=1)])).get_json()
    assert r["cards"][0]["punches_to_add"] == -2
    assert card_of(api, linked["id"], program["id"])[0]["punches"] == 1
    commit(api, sale(lines=[]))
    assert card_of(api, linked["id"], program["id"])[0]["punches"] == 0
    kinds = [p.kind for p in Punch.select().order_by(Punch.id)]
    assert kinds == ["purchase", "reversal", "reversal"]


def test_punches_past_the_buy_quantity_roll_over_to_a_new_card(api, manager_api, linked):
    p = manager_api.post("/api/v1/programs", program_body(buy_quantity=3, multi_purchase_threshold=10)).get_json()
    r = commit(api, sale(lines=[line(1, qty=5)])).get_json()
    assert r["cards"][0]["punches_after"] == 2
    assert r["cards"][0]["rewards_available"] == 1
    cards = card_of(api, linked["id"], p["id"])
    assert [(c["status"], c["punches"]) for c in cards] == [("complete", 3), ("open", 2)]


def test_one_item_punches_every_program_it_qualifies_for(api, manager_api, program, linked):
    offer = manager_api.post("/api/v1/programs", program_body(name="Monthly offer", buy_quantity=4)).get_json()
    commit(api, sale(lines=[line(1)]))
    assert card_of(api, linked["id"], program["id"])[0]["punches"] == 1
    assert card_of(api, linked["id"], offer["id"])[0]["punches"] == 1


def test_programs_punched_together_roll_over_apart(api, manager_api, linked):
    """The open cards of a sale's programs are punched in one statement; a card the sale completes, or one whose
    window has passed, takes its own path in the same commit."""
    small = manager_api.post("/api/v1/programs", program_body(name="Small", buy_quantity=2)).get_json()
    big = manager_api.post("/api/v1/programs", program_body(name="Big", upcs=[TOTW_A], window_days=30)).get_json()
    third = manager_api.post("/api/v1/programs", program_body(name="Third", upcs=[TOTW_B])).get_json()
    body = [line(1), line(2, upc=TOTW_A), line(3, upc=TOTW_B)]
    first = commit(api, sale("S-1", lines=body)).get_json()
    assert {c["program"]: (c["punches_after"], c["rewards_available"]) for c in first["cards"]} == \
        {"Small": (1, 0), "Big": (1, 0), "Third": (1, 0)}
    big_card = card_of(api, linked["id"], big["id"])[0]
    assert big_card["expires_at"] is not None and card_of(api, linked["id"], third["id"])[0]["expires_at"] is None
    second = commit(api, sale("S-2", lines=body)).get_json()
    assert {c["program"]: (c["punches_after"], c["rewards_available"]) for c in second["cards"]} == \
        {"Small": (0, 1), "Big": (2, 0), "Third": (2, 0)}
    assert [(c["status"], c["punches"]) for c in card_of(api, linked["id"], small["id"])] == [("complete", 2)]
    assert card_of(api, linked["id"], big["id"])[0]["expires_at"] == big_card["expires_at"]  # set by the first punch
    rows = Punch.select().order_by(Punch.id)
    assert sorted((r.program_id, r.quantity) for r in rows) == \
        sorted([(small["id"], 1), (big["id"], 1), (third["id"], 1)] * 2)
    assert all(r.card_id for r in rows)


def test_sku_qualifies_as_well_as_upc(api, manager_api, linked):
    p = manager_api.post("/api/v1/programs", program_body(upcs=[], skus=["NWN-CH-5"], buy_quantity=8)).get_json()
    commit(api, sale(lines=[line(1, upc=None, sku="NWN-CH-5")]))
    assert card_of(api, linked["id"], p["id"])[0]["punches"] == 1


def test_fractional_quantity_punches_nothing_and_warns(api, program, linked):
    r = commit(api, sale(lines=[line(1, qty="1.5")])).get_json()
    assert [w["code"] for w in r["warnings"]] == ["fractional_quantity"]
    assert r["warnings"][0]["line_id"] == "1"
    assert card_of(api, linked["id"], program["id"]) == []


def test_multi_purchase_needs_a_reason_per_card(api, manager_api, program, linked):
    other = manager_api.post("/api/v1/programs", program_body(name="TOTW", upcs=[TOTW_A, TOTW_B])).get_json()
    body = sale(lines=[line(1, qty=2), line(2, upc=TOTW_A), line(3, upc=TOTW_B)])
    r = commit(api, body)
    assert r.status_code == 409
    err = r.get_json()["error"]
    assert err["code"] == "reason_required"
    assert set(err["fields"]) == {str(program["id"]), str(other["id"])}
    assert {c["program_id"] for c in err["cards"]} == {program["id"], other["id"]}
    assert Punch.select().count() == 0
    # the preview flags the same cards without writing
    prev = api.post("/api/v1/sales/preview", {"sale": body}).get_json()
    assert all(c["reason_required"] for c in prev["cards"])
    # one reason is not enough
    r = commit(api, body, {str(program["id"]): {"reason": "Multiple pets"}})
    assert r.status_code == 409 and set(r.get_json()["error"]["fields"]) == {str(other["id"])}
    r = commit(api, body, {str(program["id"]): {"reason": "Multiple pets"},
                           str(other["id"]): {"reason": "Other", "note": "dog sitter"}})
    assert r.status_code == 200, r.get_json()
    reasons = {(p.program_id, p.reason, p.note) for p in Punch.select()}
    assert reasons == {(program["id"], "Multiple pets", None), (other["id"], "Other", "dog sitter")}


def test_reason_must_come_from_the_list_and_other_needs_a_note(api, program, linked):
    body = sale(lines=[line(1, qty=2)])
    r = commit(api, body, {str(program["id"]): {"reason": "Because"}})
    assert r.status_code == 422 and str(program["id"]) in r.get_json()["error"]["fields"]["reasons"]
    r = commit(api, body, {str(program["id"]): {"reason": "Other"}})
    assert r.status_code == 422
    assert "note" in r.get_json()["error"]["fields"]["reasons"][str(program["id"])][0]


def test_threshold_is_per_program(api, manager_api, linked):
    p = manager_api.post("/api/v1/programs", program_body(multi_purchase_threshold=2)).get_json()
    assert commit(api, sale(lines=[line(1, qty=2)])).status_code == 200
    assert commit(api, sale("S-2", lines=[line(1, qty=3)])).status_code == 409
    assert card_of(api, linked["id"], p["id"])[0]["punches"] == 2


def test_reasons_list_is_configurable(db_url):
    from builders import Api, make_app
    from loyalty.auth import create_token

    app = make_app(db_url, REASONS=("Kennel", "Other"))
    with app.app_context():
        api = Api(app.test_client(), create_token("t", "manager")[1])
        p = api.post("/api/v1/programs", program_body()).get_json()
        api.post("/api/v1/accounts", {"first_name": "A", "last_name": "B",
                                      "link": {"system": "lightspeed-x", "customer_id": "c-42"}})
        assert commit(api, sale(lines=[line(1, qty=2)]), {str(p["id"]): {"reason": "Stocking up"}}).status_code == 422
        assert commit(api, sale(lines=[line(1, qty=2)]), {str(p["id"]): {"reason": "Kennel"}}).status_code == 200
        assert api.get("/api/v1/me").get_json()["reasons"] == ["Kennel", "Other"]


def test_unlinked_customer_is_refused_without_writing(api, program):
    r = commit(api, sale(lines=[line(1)], customer="c-nobody"))
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "customer_not_linked"
    from loyalty.models import Sale
    assert Sale.select().count() == 0


def test_walk_in_sale_commits_to_an_account_by_id(api, program, linked):
    r = commit(api, sale(lines=[line(1)], customer=None, account_id=linked["id"]))
    assert r.status_code == 200, r.get_json()
    assert card_of(api, linked["id"], program["id"])[0]["punches"] == 1


def test_unknown_account_id_is_404(api, program):
    r = commit(api, sale(lines=[line(1)], customer=None, account_id=999))
    assert r.status_code == 404 and r.get_json()["error"]["fields"] == {"account_id": ["unknown account"]}


def test_archived_program_no_longer_punches(api, manager_api, program, linked):
    r = manager_api.patch(f"/api/v1/programs/{program['id']}", {"status": "archived"})
    assert r.status_code == 200 and r.get_json()["status"] == "archived"
    commit(api, sale(lines=[line(1)]))
    assert card_of(api, linked["id"], program["id"]) == []


def test_completion_window_expires_a_card_and_starts_a_new_one(api, manager_api, linked):
    p = manager_api.post("/api/v1/programs", program_body(window_days=365)).get_json()
    commit(api, sale("S-1", lines=[line(1)]))
    card = Card.get(Card.program == p["id"])
    assert card.expires_at is not None
    # the card's first punch was 400 days ago
    Card.update(first_punch_at=card.first_punch_at - dt.timedelta(days=400),
                expires_at=card.expires_at - dt.timedelta(days=400)).where(Card.id == card.id).execute()
    listed = card_of(api, linked["id"], p["id"])
    assert listed[0]["status"] == "expired"
    commit(api, sale("S-2", lines=[line(1)]))
    cards = {c.seq: (c.status, c.punches) for c in Card.select().where(Card.program == p["id"])}
    assert cards == {1: ("expired", 1), 2: ("open", 1)}


def test_a_punch_within_the_window_keeps_the_card(api, manager_api, linked):
    p = manager_api.post("/api/v1/programs", program_body(window_days=365)).get_json()
    commit(api, sale("S-1", lines=[line(1)]))
    card = Card.get(Card.program == p["id"])
    Card.update(first_punch_at=card.first_punch_at - dt.timedelta(days=300),
                expires_at=card.expires_at - dt.timedelta(days=300)).where(Card.id == card.id).execute()
    commit(api, sale("S-2", lines=[line(1)]))
    assert [(c.seq, c.status, c.punches) for c in Card.select().where(Card.program == p["id"])] == [(1, "open", 2)]


def test_every_commit_leaves_an_audit_row(api, program, linked):
    commit(api, sale(lines=[line(1)]))
    row = AuditLog.select().where(AuditLog.action == "sale.commit").get()
    assert row.actor == "token:test cashier"
    assert row.details["changes"] == [{"line_id": "1", "program_id": program["id"], "punches": 1}]
    # a replay writes no second audit row
    commit(api, sale(lines=[line(1)]))
    assert AuditLog.select().where(AuditLog.action == "sale.commit").count() == 1


def test_preview_writes_nothing(api, program, linked):
    before = (Punch.select().count(), AuditLog.select().count())
    r = api.post("/api/v1/sales/preview", {"sale": sale(lines=[line(1)])})
    assert r.status_code == 200
    assert r.get_json()["sale"]["committed"] is False
    assert (Punch.select().count(), AuditLog.select().count()) == before


def test_changing_the_customer_on_a_sale_moves_its_punches(api, program, linked):
    commit(api, sale(lines=[line(1)]))
    other = api.post("/api/v1/accounts", {"first_name": "Ola", "last_name": "Nordmann",
                                          "link": {"system": "lightspeed-x", "customer_id": "c-77"}}).get_json()
    r = commit(api, sale(lines=[line(1)], customer="c-77"))
    assert r.status_code == 200
    assert card_of(api, linked["id"], program["id"])[0]["punches"] == 0
    assert card_of(api, other["id"], program["id"])[0]["punches"] == 1
