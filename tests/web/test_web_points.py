"""Points programs in the staff app: create and edit with rules and rewards in plain words and an earn preview,
the ledger and a manager's adjustment on the account page, and the points report with its CSV."""
import csv
import io

from builders import ACANA, line, sale
from loyalty.models import AuditLog, Program
from webtools import commit, new_account, text

FORM = {"name": "Paws Points", "status": "active", "expiry_days": "365", "exclude": "GIFT-50",
        "rule_type_0": "spend", "rule_points_0": "1", "rule_per_0": "1.00",
        "rule_type_1": "item", "rule_points_1": "10", "rule_codes_1": ACANA,
        "reward_name_0": "$5 off", "reward_cost_0": "500", "reward_kind_0": "amount_off", "reward_value_0": "5"}


def test_create_edit_and_preview_a_points_program(manager, staff):
    r = manager.post("/programs/points/new", FORM)
    assert r.status_code == 302, text(r)
    program = Program.get(Program.name == "Paws Points")
    assert program.kind == "points" and program.settings["exclude_skus"] == ["GIFT-50"]
    page = text(manager.get(f"/programs/{program.id}/points?amount=57.40"))
    for words in ("1 point for every $1.00 spent", f"10 points for each unit of {ACANA}", "500 points = $5.00 off",
                  "Never earn: GIFT-50", "Points expire 365 days after they are earned"):
        assert words in page
    assert "57 points" in page
    assert f"/programs/{program.id}/points" in manager.get(f"/programs/{program.id}").headers["Location"]
    reward_id = program.points_rewards.get().id
    r = manager.post(f"/programs/{program.id}/points", {
        **FORM, "rule_type_1": "", "rule_points_1": "", "rule_codes_1": "",
        "rule_type_2": "visit", "rule_points_2": "25", "rule_min_2": "20",
        "reward_id_0": str(reward_id), "reward_cost_0": "400"})
    assert r.status_code == 302, text(r)
    page = text(manager.get(f"/programs/{program.id}/points"))
    assert "25 points for each visit, when the sale reaches $20.00" in page and "400 points = $5.00 off" in page
    assert program.points_rewards.get().id == reward_id  # the same reward, edited
    assert staff.post(f"/programs/{program.id}/points", FORM).status_code == 403
    bad = manager.post("/programs/points/new", {**FORM, "rule_type_0": "spend", "rule_per_0": ""})
    assert bad.status_code == 422 and "per_amount" in text(bad)
    assert AuditLog.select().where(AuditLog.action == "program.update").count() == 1


def test_account_page_shows_the_ledger_and_a_manager_adjusts(manager, api):
    manager.post("/programs/points/new", FORM)
    program = Program.get(Program.name == "Paws Points")
    account = new_account(api, link={"system": "lightspeed-x", "customer_id": "c-42"})
    commit(api, sale("S-1", lines=[line(1)]))  # 94 + 10
    r = manager.post(f"/accounts/{account['id']}/points/adjust",
                     {"program_id": str(program.id), "points": "-4", "reason": "typo at the counter"})
    assert r.status_code == 302, text(r)
    page = text(manager.get(f"/accounts/{account['id']}"))
    assert "100 points" in page and "earned" in page and "typo at the counter" in page and "+104" in page
    assert "expire on" in page
    bad = manager.post(f"/accounts/{account['id']}/points/adjust",
                       {"program_id": str(program.id), "points": "ten", "reason": ""})
    assert bad.status_code == 422


def test_points_report_and_csv(manager, api):
    manager.post("/programs/points/new", FORM)
    new_account(api, link={"system": "lightspeed-x", "customer_id": "c-42"})
    commit(api, sale("S-1", lines=[line(1, upc="000TREAT", price="30.00")]))
    page = text(manager.get("/reports/points"))
    assert "Paws Points" in page and ">30<" in page
    rows = list(csv.DictReader(io.StringIO(text(manager.get("/reports/points?format=csv")))))
    assert rows[0]["program"] == "Paws Points" and rows[0]["earned"] == "30" and rows[0]["spent"] == "0"
