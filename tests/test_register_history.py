"""The register's answers carry what the cashier can use now, not the account's history; the history is paged."""
from builders import line, sale
from loyalty.domain.cards import REGISTER_COMPLETE_CARDS
from loyalty.models import Card, utcnow


def _history(account_id, program_id, redeemed, complete):
    """``redeemed`` old cards already used and ``complete`` cards waiting to be redeemed, before the open one."""
    now = utcnow()
    for seq in range(1, redeemed + complete + 1):
        status = "redeemed" if seq <= redeemed else "complete"
        Card.create(account=account_id, program=program_id, seq=seq, status=status, punches=12, created_at=now,
                    first_punch_at=now, completed_at=now, redeemed_at=now if status == "redeemed" else None)


def test_commit_and_preview_answers_carry_open_and_complete_cards_not_redeemed_ones(api, program, linked):
    _history(linked["id"], program["id"], redeemed=30, complete=2)
    body = {"sale": sale(lines=[line(1)])}
    for path in ("/api/v1/sales/preview", "/api/v1/sales/commit"):
        cards = api.post(path, body).get_json()["account"]["cards"]
        assert sorted(c["status"] for c in cards) == (["complete", "complete"] if "preview" in path
                                                      else ["complete", "complete", "open"])
        assert [c["seq"] for c in cards if c["status"] == "complete"] == [31, 32]


def test_register_answers_bound_the_complete_cards_the_account_page_has_them_all(api, program, linked):
    _history(linked["id"], program["id"], redeemed=0, complete=REGISTER_COMPLETE_CARDS + 5)
    answer = api.post("/api/v1/sales/commit", {"sale": sale(lines=[line(1)])}).get_json()
    complete = [c for c in answer["account"]["cards"] if c["status"] == "complete"]
    assert [c["seq"] for c in complete] == list(range(1, REGISTER_COMPLETE_CARDS + 1))  # oldest first
    assert answer["cards"][0]["rewards_available"] == REGISTER_COMPLETE_CARDS + 5  # the report counts them all
    page = api.get(f"/api/v1/accounts/{linked['id']}").get_json()["cards"]
    assert len([c for c in page if c["status"] == "complete"]) == REGISTER_COMPLETE_CARDS + 5


def test_every_card_is_one_paged_request_away(api, program, linked):
    _history(linked["id"], program["id"], redeemed=7, complete=1)
    api.post("/api/v1/sales/commit", {"sale": sale(lines=[line(1)])})
    seen, before = [], None
    while True:
        r = api.get(f"/api/v1/accounts/{linked['id']}/cards?limit=3" + (f"&before={before}" if before else ""))
        assert r.status_code == 200, r.get_json()
        data = r.get_json()
        assert len(data["cards"]) <= 3
        seen += [c["seq"] for c in data["cards"]]
        before = data["next_before"]
        if before is None:
            break
    assert seen == list(range(9, 0, -1))
    assert {c["status"] for c in api.get(f"/api/v1/accounts/{linked['id']}/cards").get_json()["cards"]} == \
        {"open", "complete", "redeemed"}
    # the old unpaged form still answers
    assert len(api.get(f"/api/v1/accounts/{linked['id']}?history=1").get_json()["all_cards"]) == 9


def test_history_pages(api, program, linked):
    for i in range(5):
        api.post("/api/v1/sales/commit", {"sale": sale(sale_id=f"S-{i}", lines=[line(1)])})
    first = api.get(f"/api/v1/accounts/{linked['id']}/history?limit=2").get_json()
    assert len(first["punches"]) == 2 and len(first["audit"]) == 2
    rest = api.get(f"/api/v1/accounts/{linked['id']}/history?limit=2&punches_before={first['next']['punches']}")
    ids = [p["id"] for p in first["punches"]] + [p["id"] for p in rest.get_json()["punches"]]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 4
    everything = api.get(f"/api/v1/accounts/{linked['id']}/history").get_json()
    assert len(everything["punches"]) == 5 and everything["next"]["punches"] is None


def test_bad_page_arguments_are_422_naming_them(api, linked):
    for query in ("limit=0", "limit=abc", "limit=501", "punches_before=-1"):
        r = api.get(f"/api/v1/accounts/{linked['id']}/history?{query}")
        assert r.status_code == 422, query
        assert list(r.get_json()["error"]["fields"]) == [query.split("=")[0]]
    assert api.get(f"/api/v1/accounts/{linked['id']}/cards?limit=201").status_code == 422


def test_register_commits_may_skip_the_wal_flush_when_configured(app, api, program, linked, monkeypatch):
    """LOYALTY_REGISTER_SYNCHRONOUS_COMMIT=off: on PostgreSQL the commit's transaction alone sets
    synchronous_commit off (SET LOCAL); the answer and what is recorded are the same. Off by default."""
    from loyalty import fastsql
    from loyalty.db import is_postgres

    issued = []
    real = fastsql.execute
    monkeypatch.setattr(fastsql, "execute", lambda sql, params=(): issued.append(sql) or real(sql, params))
    api.post("/api/v1/sales/commit", {"sale": sale(sale_id="S-durable", lines=[line(1)])})
    assert not any("synchronous_commit" in sql for sql in issued)
    app.config["REGISTER_SYNCHRONOUS_COMMIT"] = "off"
    r = api.post("/api/v1/sales/commit", {"sale": sale(sale_id="S-async", lines=[line(1)])})
    assert r.status_code == 200 and r.get_json()["cards"][0]["punches_after"] == 2
    assert any("synchronous_commit" in sql for sql in issued) == is_postgres()
