"""The options page's "Test connection", and errors told as plain sentences in the panel; a refund of a
committed sale from the demo POS."""
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from posdriver import OPTIONS_URL, configure_extension, dead_url

pytestmark = pytest.mark.browser


def test_connection(browser, store):
    browser.get(OPTIONS_URL)
    WebDriverWait(browser, 10).until(lambda d: d.find_element(By.NAME, "server_url").get_attribute("value"))
    assert browser.find_element(By.NAME, "server_url").get_attribute("value") == store.url
    browser.find_element(By.ID, "test").click()
    WebDriverWait(browser, 10).until(lambda d: "Connected" in d.find_element(By.ID, "status").text)
    assert browser.find_element(By.ID, "status").text == 'Connected to Loyalty Bridge as "Register 1" (cashier).'

    browser.find_element(By.NAME, "token").clear()
    browser.find_element(By.NAME, "token").send_keys("lb_not-a-real-token")
    browser.find_element(By.ID, "test").click()
    WebDriverWait(browser, 10).until(lambda d: "rejected" in d.find_element(By.ID, "status").text)
    assert browser.find_element(By.ID, "status").text.startswith("The register token was rejected by the server.")


def test_a_rejected_token_and_a_server_down_are_plain_sentences_in_the_panel(browser, store):
    from posdriver import Pos

    configure_extension(browser, store.url, "lb_revoked-or-mistyped")
    pos = Pos(browser, store.url).open()
    pos.attach("c-1001")
    pos.panel()
    pos.wait_text("The register token was rejected by the server.", css=".error-text")

    configure_extension(browser, dead_url(), store.token)
    pos.open()  # the demo POS keeps the tab's sale (and its customer) across the reload
    pos.panel()
    pos.wait_text("The loyalty server cannot be reached.", css=".error-text")
    assert "Error" not in pos.text() and "{" not in pos.text()


def test_a_refund_of_a_committed_sale_takes_its_punches_back(pos, store):
    pos.attach("c-1001")
    pos.add("p-acana-25", times=1)
    pos.panel()
    pos.click("button.commit")
    pos.wait_text("Everything on this sale is committed.")
    original = pos.sale_id()
    pos.find("button.close").click()
    pos.d.find_element(By.CSS_SELECTOR, ".btn--pay").click()
    pos.wait(lambda d: d.find_element(By.CSS_SELECTOR, f".completed-sale[data-sale-id='{original}'] .refund"))
    pos.d.find_element(By.CSS_SELECTOR, f".completed-sale[data-sale-id='{original}'] .refund").click()
    pos.wait(lambda d: d.find_element(By.CSS_SELECTOR, ".sale").get_attribute("data-return-for") == original)

    pos.panel()
    pos.wait_text("ACANA Wild Prairie Dog Food 25 lb × -1", "-1 on ACANA 25 lb Frequent Buyer")
    pos.click("button.commit")
    pos.wait_text("Everything on this sale is committed.")
    assert "ACANA 25 lb Frequent Buyer -1 (7 of 12)" in pos.status()
    assert store.cards(store.account_of("c-1001"))["ACANA 25 lb Frequent Buyer"] == (7, "open")
