"""Redeeming a complete card from the panel (the manufacturer's required fields asked first), and a commit kept
in the offline queue while the server cannot be reached, then delivered: at once when the settings change, or by
the back-off retry when the server comes back at its address."""
from decimal import Decimal

import threading

import pytest
from selenium.webdriver.common.by import By

from livesupport import stop_waitress
from posdriver import dead_url

pytestmark = pytest.mark.browser

FARMINA = "Farmina Buy 10 Get 1"


@pytest.fixture
def sam_with_a_full_farmina_card(store):
    """Sam (POS customer c-1005) has an account without an address and a complete Farmina card; Farmina
    requires the customer's address before a reward."""
    from loyalty.demo_data import _sale
    from loyalty.domain.accounts import create_account
    from loyalty.domain.sales import Options, commit_sale
    from loyalty.models import Program

    with store.app.app_context():
        account = create_account({"first_name": "Sam", "last_name": "Rivera", "email": "sam.rivera@example.com",
                                  "link": {"system": "demo", "customer_id": "c-1005"}}, "test")
        farmina = Program.get(Program.name == FARMINA).id
        commit_sale(_sale("hist-sam", "c-1005", [("p-farmina-26", 10)]),
                    {str(farmina): {"reason": "Stocking up", "note": None}}, Options(actor="test"))
        return account.id


def test_redeem_asks_the_required_address_then_puts_the_discount_on_the_sale(pos, store,
                                                                          sam_with_a_full_farmina_card):
    pos.attach("c-1005")
    pos.add("p-farmina-26")  # the free bag goes on the sale
    pos.panel()
    pos.wait_text("Rewards available: 1", f"{FARMINA} 10 of 10: reward available")
    pos.click("button.use-reward")

    pos.wait_text(f"Reward: {FARMINA}", "Maximum value to discount: $102.99",
                  "The manufacturer requires the customer's address first")
    assert pos.find("select[name=item] option:checked").text == \
        "Farmina N&D Chicken & Pomegranate 26.4 lb ($102.99): discount $102.99"
    form = pos.find("form.redeem")
    for name, text in (("address.line1", "9 Birch Rd"), ("address.city", "Eugene"), ("address.region", "OR"),
                       ("address.postal_code", "97401")):
        form.find_element(By.CSS_SELECTOR, f"input[name='{name}']").send_keys(text)
    pos.click("button.redeem-button")

    # The demo POS takes the discount in the same click.
    pos.wait_text("Reward redeemed: a discount of $102.99 is on Farmina N&D Chicken & Pomegranate 26.4 lb in the "
                  "sale.", css=".status")
    pos.wait_text("Rewards available: 0")
    account = store.account(sam_with_a_full_farmina_card)
    assert account["address"]["line1"] == "9 Birch Rd"
    with store.app.app_context():
        from loyalty.models import Redemption
        red = Redemption.get(Redemption.pos_sale_id == pos.sale_id())  # the demo history has redemptions too
        assert (red.pos_system, red.pos_sale_id, red.item_upc) == ("demo", pos.sale_id(), "8010276030877")
        assert Decimal(red.max_value) == Decimal(red.item_unit_price) == Decimal("102.99")


def test_a_commit_made_while_the_server_is_unreachable_is_queued_then_sent(pos, store):
    pos.attach("c-1001")
    pos.add("p-acana-25")
    pos.panel()
    pos.wait_text("Dana Whitfield", "+1 on ACANA 25 lb Frequent Buyer")
    sale_id = pos.sale_id()

    pos.point_extension_at(dead_url())  # the network goes away between opening the panel and committing
    pos.click("button.commit")
    pos.wait_text("Queued: the loyalty server cannot be reached", css=".status")
    assert store.sale(sale_id) is None
    assert {k: v["status"] for k, v in pos.queue().items()} == {f"demo:{sale_id}": "queued"}
    pos.find("button.close").click()  # the panel opened again while offline still tells it
    pos.panel()
    pos.wait_text("The loyalty server cannot be reached.", css=".error-text")
    pos.wait_text("This sale's commit is queued", css=".status")

    pos.point_extension_at(store.url)  # new settings: the worker retries at once
    pos.wait_text("Sent (it was queued): ACANA 25 lb Frequent Buyer +1 (8 of 12)", css=".status")
    assert store.sale(sale_id)["lines"] == {"1": "1"}
    assert store.cards(store.account_of("c-1001"))["ACANA 25 lb Frequent Buyer"] == (8, "open")
    assert pos.queue()[f"demo:{sale_id}"]["status"] == "sent"


def test_the_queue_retries_with_back_off_until_the_server_is_back_at_its_address(pos, store):
    from waitress import create_server

    pos.attach("c-1001")
    pos.add("p-acana-25")
    pos.panel()
    pos.wait_text("Dana Whitfield")
    down = dead_url()
    pos.point_extension_at(down)  # the register's server address, where nothing answers now (server down)...
    pos.click("button.commit")
    pos.wait_text("Queued", css=".status")

    # ...and comes back at that same address: no one touches the register, the back-off retry delivers.
    server = create_server(store.app, host="127.0.0.1", port=int(down.rsplit(":", 1)[1]), threads=2)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        pos.wait_text("Sent (it was queued)", css=".status")
        assert store.cards(store.account_of("c-1001"))["ACANA 25 lb Frequent Buyer"] == (8, "open")
    finally:
        stop_waitress(server, thread)


class BusyThenWell:
    """The real app behind a switch: while ``busy``, a commit gets the 503 the server gives when its database is
    locked or restarting."""

    def __init__(self, app):
        self.app, self.busy, self.refused = app, True, 0

    def __call__(self, environ, start_response):
        if self.busy and environ["PATH_INFO"] == "/api/v1/sales/commit":
            self.refused += 1
            body = b'{"error": {"code": "busy", "message": "the database is busy or restarting; try again", ' \
                   b'"fields": {}}}'
            start_response("503 Service Unavailable", [("Content-Type", "application/json"), ("Retry-After", "1"),
                                                       ("Content-Length", str(len(body)))])
            return [body]
        return self.app(environ, start_response)


def test_a_busy_server_queues_the_commit_and_the_retry_delivers_it(pos, store):
    from livesupport import LiveServer

    flaky = BusyThenWell(store.app)
    with LiveServer(flaky) as server:
        pos.point_extension_at(server.url)
        pos.attach("c-1001")
        pos.add("p-acana-25")
        pos.panel()
        pos.wait_text("Dana Whitfield")
        pos.click("button.commit")
        pos.wait_text("Queued", css=".status")
        assert flaky.refused >= 1
        assert store.cards(store.account_of("c-1001"))["ACANA 25 lb Frequent Buyer"] == (7, "open")
        flaky.busy = False  # the database is back: the back-off retry delivers, nobody clicks again
        pos.wait_text("Sent (it was queued)", css=".status")
    assert store.cards(store.account_of("c-1001"))["ACANA 25 lb Frequent Buyer"] == (8, "open")
