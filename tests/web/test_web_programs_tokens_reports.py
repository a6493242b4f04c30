"""Programs (list, create, edit, archive, CSV import), device tokens, and the report pages and CSV downloads."""
import csv
import io

import pytest

from loyalty.models import ApiToken, AuditLog, Program, ProgramCode, Redemption
from webtools import hidden_fields, new_account, punch, text

FORM = {"name": "Farmina Buy 10", "manufacturer": "Farmina", "distributor": "Phillips", "buy_quantity": "10",
        "reward_rule": "lesser_or_equal", "window_days": "365", "multi_purchase_threshold": "2",
        "requires": "address", "upcs": "8010276030877\n8010276030884", "skus": "FAR-1"}


def codes(program_id):
    return sorted((c.kind, c.code) for c in ProgramCode.select().where(ProgramCode.program == program_id))


def test_create_and_edit_a_program(manager):
    r = manager.post("/programs/new", FORM)
    assert r.status_code == 302
    p = Program.get(Program.name == "Farmina Buy 10")
    assert (p.buy_quantity, p.window_days, p.requires, p.multi_purchase_threshold) == (10, 365, ["address"], 2)
    assert codes(p.id) == [("sku", "FAR-1"), ("upc", "8010276030877"), ("upc", "8010276030884")]
    r = manager.post(f"/programs/{p.id}", {**FORM, "buy_quantity": "8", "window_days": "", "upcs": "8010276030877"})
    assert r.status_code == 302
    p = Program.get_by_id(p.id)
    assert (p.buy_quantity, p.window_days) == (8, None)
    assert codes(p.id) == [("sku", "FAR-1"), ("upc", "8010276030877")]
    assert AuditLog.select().where(AuditLog.action.in_(("program.create", "program.update"))).count() == 2


@pytest.mark.parametrize("change", [{"buy_quantity": "ten"}, {"buy_quantity": "0"}, {"name": ""},
                                    {"reward_rule": "free_for_all"}])
def test_program_form_refuses_bad_input(manager, change):
    r = manager.post("/programs/new", {**FORM, **change})
    assert r.status_code == 422
    assert not Program.select().exists()


def test_program_list_shows_card_counts(staff, api, program):
    a = new_account(api)
    punch(api, a["id"], 13)
    page = text(staff.get("/programs"))
    assert "ACANA 25 lb" in page
    assert '<td class="num">1</td><td class="num">1</td><td class="num">0</td>' in page
    assert "New program" not in page  # staff may look, not change


def test_archive_needs_confirmation(manager, program):
    r = manager.post(f"/programs/{program['id']}/status", {"status": "archived"})
    assert "Archive this program?" in text(r) and Program.get_by_id(program["id"]).status == "active"
    r = manager.post(f"/programs/{program['id']}/status", {"status": "archived"}, confirm=True)
    assert r.status_code == 302 and Program.get_by_id(program["id"]).status == "archived"


def upload(web, program_id, content: bytes, mode="replace"):
    return web.post(f"/programs/{program_id}/import", {"mode": mode, "file": (io.BytesIO(content), "codes.csv")},
                    content_type="multipart/form-data")


def test_csv_import_with_header_then_confirm(manager, program):
    r = upload(manager, program["id"], b"name,upc,sku\nBag A,064992523138,ACA-13\nBag B,6.49925E+11,\n")
    page = text(r)
    assert "1 UPCs, 1 SKUs" in page and "scientific notation" in page
    assert codes(program["id"]) == [("upc", "064992523251")]  # nothing changed yet
    fields = hidden_fields(page)
    r = manager.post(f"/programs/{program['id']}/import", {k: fields[k] for k in ("mode", "upcs", "skus")},
                     confirm=True)
    assert r.status_code == 302
    assert codes(program["id"]) == [("sku", "ACA-13"), ("upc", "064992523138")]


def test_csv_import_without_header_adds(manager, program):
    fields = hidden_fields(text(upload(manager, program["id"], b"064992523138\nACA-WP-13\n", mode="add")))
    manager.post(f"/programs/{program['id']}/import", {k: fields[k] for k in ("mode", "upcs", "skus")},
                 confirm=True)
    assert codes(program["id"]) == [("sku", "ACA-WP-13"), ("upc", "064992523138"), ("upc", "064992523251")]


@pytest.mark.parametrize("content", [b"", b"upc\n\n", b"\xff\xfe\x00\x00garbage"])
def test_csv_import_refuses_empty_or_unreadable_files(manager, program, content):
    r = upload(manager, program["id"], content)
    assert r.status_code == 422


def test_device_token_shown_once_works_and_can_be_revoked(manager, app):
    r = manager.post("/tokens", {"name": "Register 2", "role": "cashier"})
    assert r.status_code == 201
    secret = next(w for w in text(r).replace("<", " ").replace(">", " ").split() if w.startswith("lb_"))
    api_client = app.test_client()
    assert api_client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    assert secret not in text(manager.get("/tokens"))  # never shown again
    row = ApiToken.get(ApiToken.name == "Register 2")
    assert row.created_by == "user:manager1"
    manager.post(f"/tokens/{row.id}/revoke", {}, confirm=True)
    assert api_client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    assert manager.post("/tokens", {"name": "", "role": "cashier"}).status_code == 422
    assert manager.post("/tokens", {"name": "R", "role": "root"}).status_code == 422


def rows_of(response):
    return list(csv.DictReader(io.StringIO(text(response))))


def redeemed(api, program, first="Ann", last="Ames", **kw):
    a = new_account(api, first, last, **kw)
    punch(api, a["id"], 12, f"R{first}")
    from loyalty.models import Card
    card = Card.get((Card.account == a["id"]) & (Card.status == "complete"))
    api.post(f"/api/v1/cards/{card.id}/redeem", {"item": {"upc": "064992523251", "name": "free bag"}})
    return a


def test_participation_page_chart_and_streamed_csv(manager, api, program):
    redeemed(api, program)
    page = text(manager.get("/reports/participation"))
    assert "<svg" in page and "<rect" in page and "ACANA 25 lb" in page
    r = manager.get("/reports/participation?format=csv")
    assert r.is_streamed and r.mimetype == "text/csv"
    [row] = rows_of(r)
    assert (row["items_sold"], row["rewards_earned"], row["rewards_redeemed"]) == ("12", "1", "1")


def test_redemptions_report_csv_and_mark_credited(manager, api, program):
    redeemed(api, program, "=HYPERLINK(1)", "Ames")
    page = text(manager.get("/reports/redemptions"))
    assert "PFX" in page and "Champion" in page and "free bag" in page
    r = manager.get("/reports/redemptions?format=csv&state=all")
    assert r.is_streamed
    [row] = rows_of(r)
    assert row["customer"].startswith("'=")  # a name never runs as a spreadsheet formula
    assert row["upcs"] == "064992523251"
    red = Redemption.get()
    r = manager.post("/reports/redemptions/credit", {"redemption_id": str(red.id)})
    assert "Mark as credited?" in text(r) and Redemption.get_by_id(red.id).credited_at is None
    manager.post("/reports/redemptions/credit", {"redemption_id": str(red.id)}, confirm=True)
    assert Redemption.get_by_id(red.id).credited_by == "user:manager1"
    assert rows_of(manager.get("/reports/redemptions?format=csv")) == []  # uncredited only, by default


@pytest.mark.parametrize("query", ["start=yesterday", "program=abc", "state=maybe", "start=2026-02-01&end=2026-01-01"])
def test_report_filters_refuse_bad_input(manager, query):
    assert manager.get(f"/reports/redemptions?{query}").status_code == 422


def test_a_confirmed_import_without_codes_never_empties_the_list(manager, program):
    r = manager.post(f"/programs/{program['id']}/import", {"mode": "replace", "upcs": "", "skus": ""}, confirm=True)
    assert r.status_code == 422
    assert codes(program["id"]) == [("upc", "064992523251")]
