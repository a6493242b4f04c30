"""Moving a sale (domain/moves.py) where mutation testing (scripts/mutation, docs/testing.md) showed no test
checked: the audit row of a move, and a sale that has no account yet (or is already on the target), which is
only given the account: nothing moves and nothing is recorded."""
from builders import commit, line, program_body, sale
from loyalty.domain.moves import move_sale
from loyalty.models import AuditLog, Punch, Sale


def test_a_moved_sale_is_on_the_new_account_with_an_audit_row_naming_both(api, manager_api, linked):
    manager_api.post("/api/v1/programs", program_body(buy_quantity=10))
    commit(api, sale("S-1", lines=[line(1)]))
    right = api.post("/api/v1/accounts", {"first_name": "Danielle", "last_name": "Whitfield"}).get_json()
    r = manager_api.delete("/api/v1/links/lightspeed-x/c-42", {"reason": "Dana's sister", "move_sales_to": right["id"]})
    assert r.status_code == 200, r.get_json()
    row = Sale.get(Sale.pos_sale_id == "S-1")
    assert row.account_id == right["id"]
    audit = AuditLog.get(AuditLog.action == "sale.move")
    assert (audit.entity, audit.entity_id, audit.account_id, audit.actor) == (
        "sale", str(row.id), right["id"], "token:test manager")
    assert audit.details == {"from_account": linked["id"], "sale_id": "S-1"}


def test_a_sale_without_an_account_or_already_there_is_only_given_the_account(api, manager_api, linked):
    manager_api.post("/api/v1/programs", program_body(buy_quantity=10))
    commit(api, sale("S-1", lines=[line(1)]))
    commit(api, sale("S-2", lines=[line(1)]))
    right = api.post("/api/v1/accounts", {"first_name": "Danielle", "last_name": "Whitfield"}).get_json()
    Sale.update(account=None).execute()  # sales recorded before their customer had an account
    move_sale(Sale.get(Sale.pos_sale_id == "S-1"), right["id"], "test")
    assert {s.pos_sale_id: s.account_id for s in Sale.select()} == {"S-1": right["id"], "S-2": None}
    move_sale(Sale.get(Sale.pos_sale_id == "S-1"), right["id"], "test")  # already there
    assert Sale.get(Sale.pos_sale_id == "S-1").account_id == right["id"]
    assert not Punch.select().where(Punch.kind == "move").exists()
    assert not AuditLog.select().where(AuditLog.action == "sale.move").exists()
