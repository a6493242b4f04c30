"""The panel's points view: the balance, what this sale earns, an affordable reward redeemed in one click (the
discount to apply said), and the new balance after Commit."""
import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def dana_with_600_points(store):
    """A points program ("1 point per $1, 10 extra on Acana, 500 points = $5 off") and 600 points for Dana."""
    from loyalty.domain.programs import create_program
    from loyalty.programs.points_actions import adjust
    from loyalty.programs.points_rules import PointsProgramSchema

    with store.app.app_context():
        program = create_program(PointsProgramSchema().load({
            "kind": "points", "name": "Test Points",
            "earn_rules": [{"type": "spend", "points": 1, "per_amount": "1"},
                           {"type": "item", "points": 10, "upcs": ["064992523251"]}],
            "rewards": [{"name": "$5 off", "cost": 500, "kind": "amount_off", "value": "5"},
                        {"name": "$50 off", "cost": 5000, "kind": "amount_off", "value": "50"}]}), "test")
    dana = store.account_of("c-1001")
    with store.app.app_context():
        adjust(dana, program.id, 600, "welcome bonus", "test")
    return dana, program.id


def test_points_balance_earn_redeem_and_commit(pos, store, dana_with_600_points):
    account_id, program_id = dana_with_600_points
    pos.attach("c-1001")
    pos.add("p-acana-25")
    pos.panel()
    pos.wait_text("Test Points 600 points → +104 with this sale", "$5 off (500 points)")
    assert "$50 off" not in pos.text()  # not affordable: not offered
    pos.click("button.redeem-points")
    pos.wait_text("$5 off redeemed: apply $5.00 off the sale in the POS now. 500 points spent; balance 100.",
                  css=".status")
    pos.wait_text("Test Points 100 points → +104 with this sale")
    assert not pos.finds("button.redeem-points")
    pos.click("button.commit")
    pos.wait_text("Test Points +104 (balance 204)", css=".status")
    pos.wait_text("Test Points 204 points")
    with store.app.app_context():
        from loyalty.programs.points_models import PointsEntry, PointsRedemption

        red = PointsRedemption.get()
        assert (red.account_id, red.pos_sale_id, red.cost) == (account_id, pos.sale_id(), 500)
        assert [e.kind for e in PointsEntry.select().where(PointsEntry.program == program_id)
                .order_by(PointsEntry.id)] == ["adjust", "spend", "earn"]
