"""The panel's points view on the demo store ("Paws Points": 1 point per $1, 10 extra on Acana, 500 points =
$5 off): the balance, what this sale earns, an affordable reward redeemed in one click (the discount to apply
said), and the new balance after Commit."""
import pytest

pytestmark = pytest.mark.browser


def test_points_balance_earn_redeem_and_commit(pos, store):
    dana = store.account_of("c-1001")  # seven Acana bags in the demo history: 7 x (94 + 10) = 728 points
    pos.attach("c-1001")
    pos.add("p-acana-25")
    pos.panel()
    pos.wait_text("Paws Points 728 points → +104 with this sale", "$5 off (500 points)")
    assert "10% off the sale" not in pos.text()  # 900 points: not affordable, not offered
    pos.click("button.redeem-points")
    pos.wait_text("$5 off redeemed: apply $5.00 off the sale in the POS now. 500 points spent; balance 228.",
                  css=".status")
    pos.wait_text("Paws Points 228 points → +104 with this sale")
    assert not pos.finds("button.redeem-points")
    pos.click("button.commit")
    pos.wait_text("Paws Points +104 (balance 332)", css=".status")
    pos.wait_text("Paws Points 332 points")
    with store.app.app_context():
        from loyalty.programs.points_models import PointsEntry, PointsRedemption

        red = PointsRedemption.get()
        assert (red.account_id, red.pos_sale_id, red.cost) == (dana, pos.sale_id(), 500)
        assert [e.kind for e in PointsEntry.select().where(PointsEntry.account == dana)
                .order_by(PointsEntry.id)][-2:] == ["spend", "earn"]
