"""The R-Series Rewards page (the custom button's web address) in real Chromium against the real server and the
fake R-Series API: sign the register in once, link by email, commit, the poller counting the sale once, and the
Refund tab reversing the punch."""
from __future__ import annotations

import os
import sys

import pytest
from selenium.webdriver.common.by import By

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lightspeed"))

from fake_rseries import FakeRSeries  # noqa: E402
from livesupport import LiveServer  # noqa: E402
from posdriver import Pos  # noqa: E402

pytestmark = pytest.mark.browser

ACANA_UPC = "064992523251"
ACANA = "ACANA 25 lb Frequent Buyer"


@pytest.fixture
def rseries(store):
    fake = FakeRSeries()
    with LiveServer(fake.app) as server:
        from loyalty.lightspeed.rseries.auth import connect

        with store.app.app_context():
            connect(fake.authorize(), client_id=fake.client_id, client_secret=fake.client_secret, actor="test",
                    token_url=server.url + "/auth/oauth/token", api_root=server.url)
        yield fake


class RewardsPage(Pos):
    def open_page(self, query):
        self.d.get(self.url + "/rseries/rewards?" + query)
        return self

    def sign_in(self, token):
        field = self.wait(lambda d: d.find_element(By.ID, "rewards-token"))
        self.wait(lambda d: field.is_displayed(), message="the sign-in form did not show")
        field.send_keys(token)
        self.d.find_element(By.CSS_SELECTOR, "#rewards-signin button[type=submit]").click()

    def wait_panel(self):
        self.wait(lambda d: self.find(".body").text.strip() and "Loading" not in self.find(".status").text,
                  message="the panel did not open")
        return self


def test_rewards_page_links_commits_and_refunds_and_the_poller_counts_the_sale_once(
        chromium_session, store, rseries, tmp_path):
    fake = rseries
    acana = fake.add_item("ACANA Wild Prairie Dog Food 25 lb", upc=ACANA_UPC, custom_sku="ACA-WP-25")
    dana = fake.add_customer("Dana", "Whitfield", "dana.whitfield@example.com", "555-201-3344")
    sale = fake.add_sale(dana, [(acana, 1, "94.99")], completed=False)

    page = RewardsPage(chromium_session, store.url).open_page(f"saleID={sale['saleID']}")
    page.sign_in("not-a-token")
    page.wait(lambda d: "rejected" in d.find_element(By.ID, "rewards-signin-error").text)
    page.d.find_element(By.ID, "rewards-token").clear()
    page.sign_in(store.token)

    # Not linked in R-Series yet: the account with the same email is offered, as in the extension's panel.
    page.wait_panel().wait_text("same email", "Dana Whitfield")
    assert f"Sale {sale['saleID']}" in page.d.find_element(By.ID, "rewards-sale").text
    page.click("button.select")
    page.wait_text(f"{ACANA} 7 of 12", "ACANA Wild Prairie Dog Food 25 lb × 1")
    page.d.save_screenshot(str(tmp_path / "rewards-sale.png"))
    page.click("button.commit")
    page.wait_text("Everything on this sale is committed.")
    assert "8 of 12" in page.status()
    with store.app.app_context():
        from loyalty.domain.accounts import live_link

        dana_id = live_link("lightspeed-r", dana["customerID"]).account_id
    assert store.cards(dana_id)[ACANA] == (8, "open")

    # The cashier completes the sale; the poller sees it and counts nothing twice.
    fake.complete(sale)
    with store.app.app_context():
        from loyalty.lightspeed.rseries.poller import poll_all

        assert poll_all("test")["r81234"]["committed"] == 1
    assert store.cards(dana_id)[ACANA] == (8, "open")

    # The bag comes back at the Refund tab's button: the register stays signed in.
    refund = fake.add_sale(None, [(acana, -1, "94.99", fake.lines_of(sale)[0])], completed=False)
    page.open_page(f"tab=refund&saleID={refund['saleID']}")
    page.wait_panel().wait_text("Dana Whitfield")
    assert f"Refund {refund['saleID']}" in page.d.find_element(By.ID, "rewards-sale").text
    page.d.save_screenshot(str(tmp_path / "rewards-refund.png"))
    page.click("button.commit")
    page.wait(lambda d: store.cards(dana_id)[ACANA] == (7, "open"), message="the refund did not reverse the punch")
    os.makedirs("/tmp/i14-shots", exist_ok=True)
    for name in ("rewards-sale.png", "rewards-refund.png"):
        (tmp_path / name).replace(f"/tmp/i14-shots/{name}")


def test_rewards_page_in_french_follows_the_page_not_chrome(chromium_session, store, rseries):
    """Chrome in English, the store in French (LOYALTY_LANGUAGE=fr): the page's own lines and the panel in it are
    French, like the rest of the staff app."""
    fake = rseries
    acana = fake.add_item("ACANA Wild Prairie Dog Food 25 lb", upc=ACANA_UPC, custom_sku="ACA-WP-25")
    dana = fake.add_customer("Dana", "Whitfield", "dana.whitfield@example.com", "555-201-3344")
    sale = fake.add_sale(dana, [(acana, 1, "94.99")], completed=False)
    store.app.config["LANGUAGE"] = "fr"
    try:
        page = RewardsPage(chromium_session, store.url).open_page(f"saleID={sale['saleID']}")
        assert page.d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr"
        page.sign_in(store.token)
        page.wait_panel().wait_text("même courriel", "Dana Whitfield")
        page.wait(lambda d: d.find_element(By.ID, "rewards-sale").text.startswith(f"Vente {sale['saleID']} (reçu "),
                  message="the sale line is not in French")
        os.makedirs("/tmp/i13-shots", exist_ok=True)
        page.d.save_screenshot("/tmp/i13-shots/rewards-fr.png")
    finally:
        store.app.config["LANGUAGE"] = None
