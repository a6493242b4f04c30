"""X-Series sale webhooks earn and reverse points exactly like a register commit."""
from __future__ import annotations

from test_ls_webhooks import hooked, store, sale_hook  # noqa: F401  (fixtures and the sale builder)
from lightspeed_support import deliver
from loyalty.programs.points_models import PointsEntry


def test_a_webhook_sale_earns_once_and_its_return_reverses(client, manager_api, store, fake):
    program = manager_api.post("/api/v1/programs", {
        "kind": "points", "name": "Paws Points",
        "earn_rules": [{"type": "spend", "points": 1, "per_amount": "1"}, {"type": "visit", "points": 5}]}).get_json()
    payload = sale_hook(fake, store["dana"], [(store["acana"], 2, 94.99), (store["toy"], 1, 9.99)])
    for _ in range(3):  # delivered again and again, as X-Series retries
        assert deliver(client, "sale.update", payload).status_code == 200
    balance = lambda: manager_api.get(f"/api/v1/accounts/{store['account']}").get_json()["points"][0]["balance"]  # noqa: E731
    assert balance() == 199 + 5
    assert PointsEntry.select().count() == 1
    refund = fake.add_sale(None, [(store["acana"], -1, 94.99)], return_for=payload["id"])
    assert deliver(client, "sale.update", fake.sale_payload(refund)).get_json()["outcome"] == "refunded"
    assert balance() == 104 + 5  # 189.98 - 94.99 + 9.99 = 104.98 kept; the visit stays
    whole = fake.add_sale(None, [(store["acana"], -1, 94.99), (store["toy"], -1, 9.99)], return_for=payload["id"])
    deliver(client, "sale.update", fake.sale_payload(whole))
    assert balance() == 0
    assert program["id"]
