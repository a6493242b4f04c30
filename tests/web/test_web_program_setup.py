"""Setting up a program in the staff app as a manager does: codes optional at first or read from a CSV file on
the create form, typed values kept after an error, landing on the program, import counts that match the list,
and the reward rule said in plain words."""
import io

from loyalty.models import Program, ProgramCode
from webtools import hidden_fields, text

FORM = {"name": "Farmina Buy 10", "manufacturer": "Farmina", "distributor": "Phillips", "buy_quantity": "10",
        "reward_rule": "lesser_or_equal", "window_days": "365", "multi_purchase_threshold": "1"}


def codes(program_id):
    return sorted((c.kind, c.code) for c in ProgramCode.select().where(ProgramCode.program == program_id))


def test_a_program_can_be_created_without_codes_and_lands_on_its_page(manager):
    r = manager.post("/programs/new", {**FORM, "upcs": "", "skus": ""})
    p = Program.get(Program.name == "Farmina Buy 10")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/programs/{p.id}")
    assert codes(p.id) == []
    page = text(manager.get(f"/programs/{p.id}"))
    assert "Program Farmina Buy 10 created." in page
    assert "No qualifying codes yet" in page and "Import qualifying codes from CSV" in page
    # Saving other changes later does not insist on codes either.
    assert manager.post(f"/programs/{p.id}", {**FORM, "name": "Farmina 10+1"}).status_code == 302


def test_the_create_form_imports_codes_from_a_csv_file(manager):
    page = text(manager.get("/programs/new"))
    assert 'enctype="multipart/form-data"' in page and 'type="file"' in page
    csv_file = b"upc,description\n008010276030877,Farmina 26 lb\n8010276030884,Farmina 5 lb\n,\n"
    r = manager.post("/programs/new", {**FORM, "upcs": "8010276030891", "skus": "",
                                       "file": (io.BytesIO(csv_file), "farmina.csv")},
                     content_type="multipart/form-data")
    assert r.status_code == 302, text(r)
    p = Program.get(Program.name == "Farmina Buy 10")
    assert codes(p.id) == [("upc", "008010276030877"), ("upc", "8010276030884"), ("upc", "8010276030891")]
    assert "3 UPCs, 0 SKUs" in text(manager.get(f"/programs/{p.id}"))


def test_an_error_shows_the_form_again_with_what_was_typed(manager):
    r = manager.post("/programs/new", {**FORM, "buy_quantity": "ten", "upcs": "8010276030877\nFAR 1"})
    assert r.status_code == 422
    page = text(r)
    assert "<form" in page and 'value="Farmina Buy 10"' in page and 'value="ten"' in page
    assert "8010276030877\nFAR 1" in page and 'value="365"' in page
    assert "a whole number" in page
    assert not Program.select().exists()


def test_import_summary_counts_the_list_as_it_is_after_the_import(manager, program):
    # The program has 064992523251; the file adds it again, a new one, and a duplicate row.
    csv_file = b"064992523251\n064992523138\n064992523138\n"
    r = manager.post(f"/programs/{program['id']}/import", {"mode": "add", "file": (io.BytesIO(csv_file), "c.csv")},
                     content_type="multipart/form-data")
    assert "2 UPCs, 0 SKUs read from c.csv" in text(r)
    r = manager.post(f"/programs/{program['id']}/import", {**hidden_fields(text(r))}, confirm=True)
    page = text(manager.get(r.headers["Location"]))
    assert codes(program["id"]) == [("upc", "064992523138"), ("upc", "064992523251")]
    assert "qualifying codes imported (2 UPCs, 0 SKUs)" in page


def test_reward_rules_are_said_in_plain_words(manager, program):
    form = text(manager.get("/programs/new"))
    assert "worth at most the lowest price paid for an item on the card" in form
    assert "the item bought most often on the card" in form
    assert "lesser_or_equal" not in form.replace('value="lesser_or_equal"', "")
    listing = text(manager.get("/programs"))
    assert "Buy 12, the next one is free." in listing
    page = text(manager.get(f"/programs/{program['id']}"))
    assert "Buy 12, the next one is free." in page and "worth at most the lowest price paid" in page
