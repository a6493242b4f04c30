"""The account page reads well on a 1280 px screen and on a tablet: the punch ledger uses the page's width (it
was squeezed into a third of it), nothing overflows sideways, and the boxes of a card stay on one or two rows.

Set LOYALTY_SCREENSHOTS=docs/screenshots to also save the account page at both widths (README's pictures)."""
import os

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from webtools import STORE_PASSWORD


def sign_in(driver, base):
    driver.get(base + "/signin")
    WebDriverWait(driver, 10).until(EC.presence_of_element_located((By.NAME, "username"))).send_keys("boss")
    driver.find_element(By.NAME, "password").send_keys(STORE_PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    WebDriverWait(driver, 10).until(EC.presence_of_element_located((By.NAME, "q")))


def measure(driver) -> dict:
    return driver.execute_script("""
        const main = document.querySelector('main').getBoundingClientRect();
        const table = document.querySelector('details[open] table.ledger');
        const box = table.getBoundingClientRect();
        const wrap = table.parentElement;
        const boxes = [...document.querySelector('article.card ol.boxes').children]
            .map(li => li.getBoundingClientRect().top);
        return {main: main.width, ledger: box.width, pageOverflow: document.documentElement.scrollWidth - innerWidth,
                tableOverflow: table.scrollWidth - wrap.clientWidth, boxRows: new Set(boxes.map(Math.round)).size};
    """)


@pytest.mark.browser
@pytest.mark.parametrize("width,height,name", [(1280, 900, "account.png"), (820, 1180, "account-tablet.png")])
def test_account_page_layout_at_desktop_and_tablet_width(live_server, chromium_session, store, width, height, name):
    driver = chromium_session
    size = driver.get_window_size()
    try:
        driver.set_window_size(width, height)
        sign_in(driver, live_server.url)
        driver.get(f"{live_server.url}/accounts/{store['Marcus']}")
        summary = WebDriverWait(driver, 10).until(EC.element_to_be_clickable(
            (By.XPATH, "//article[contains(@class,'status-complete')]//summary[contains(., 'Punches on this card')]")))
        summary.click()
        m = measure(driver)
        assert m["pageOverflow"] <= 0, m  # no sideways scrolling of the page
        assert m["ledger"] >= 0.9 * (m["main"] - 60), m  # the ledger has the page's width, not a column's
        assert m["boxRows"] <= (1 if width >= 1280 else 2), m
        if width >= 1280:
            assert m["tableOverflow"] <= 0, m  # every ledger column visible without scrolling
        if os.environ.get("LOYALTY_SCREENSHOTS"):
            height_now = driver.execute_script("return document.documentElement.scrollHeight")
            driver.set_window_size(width, min(height_now + 40, 2600))
            driver.execute_script("window.scrollTo(0, 0)")
            os.makedirs(os.environ["LOYALTY_SCREENSHOTS"], exist_ok=True)
            driver.save_screenshot(os.path.join(os.environ["LOYALTY_SCREENSHOTS"], name))
    finally:
        driver.set_window_size(size["width"], size["height"])
