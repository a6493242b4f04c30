"""Driving the demo POS and the extension's panel (an open shadow root) from Selenium, configuring the
extension through its options page, and reading what the live server recorded."""
from __future__ import annotations

import socket

from selenium.common.exceptions import (NoSuchElementException, StaleElementReferenceException,
                                        WebDriverException)
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

EXTENSION_ID = "kmlpkkgdolcibmibgpejplifanhfhidf"  # from the manifest's "key"
OPTIONS_URL = f"chrome-extension://{EXTENSION_ID}/options.html"
MANAGER_PIN = "4321"
WAIT = 10


class Store:
    """The live server seen from the test: its URL and token, and what it recorded."""

    def __init__(self, live_server, token):
        self.url, self.token, self.app = live_server.url, token, live_server.app

    def sale(self, sale_id):
        """{"account_id", "lines": {line_id: quantity}} for a demo sale, or None if never committed."""
        from loyalty.models import Sale

        with self.app.app_context():
            sale = Sale.get_or_none((Sale.pos_system == "demo") & (Sale.pos_sale_id == sale_id))
            if sale is None:
                return None
            return {"account_id": sale.account_id,
                    "lines": {row.line_id: str(row.quantity.normalize()) for row in sale.lines}}

    def cards(self, account_id):
        """{program name: (punches, status)} for the account's live cards."""
        from loyalty.domain.cards import account_cards

        with self.app.app_context():
            return {c["program"]: (c["punches"], c["status"]) for c in account_cards(account_id)}

    def account_of(self, pos_customer_id):
        from loyalty.domain.accounts import live_link

        with self.app.app_context():
            link = live_link("demo", pos_customer_id)
            return link.account_id if link else None

    def account(self, account_id):
        from loyalty.domain.accounts import account_dict, get_account

        with self.app.app_context():
            return account_dict(get_account(account_id))


def configure_extension(driver, server_url: str, token: str, language: str = ""):
    """What a store admin does: open the options page, fill server_url and token (and the panel's language:
    "" = Chrome's, "en", "fr"), save."""
    driver.get(OPTIONS_URL)
    # A clean slate for each test: settings and any queued commit from an earlier test.
    driver.execute_async_script("chrome.storage.local.clear().then(arguments[arguments.length - 1])")
    driver.get(OPTIONS_URL)
    WebDriverWait(driver, WAIT).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready"))
    for name, value in (("server_url", server_url), ("token", token)):
        field = driver.find_element(By.NAME, name)
        field.clear()
        field.send_keys(value)
    Select(driver.find_element(By.NAME, "language")).select_by_value(language)
    driver.find_element(By.ID, "save").click()
    saved = "Enregistré." if language == "fr" else "Saved."
    WebDriverWait(driver, WAIT).until(lambda d: d.find_element(By.ID, "status").text == saved)


def set_server_url(driver, server_url: str):
    """Change only the server address (as the options page does), from an extension page."""
    driver.get(OPTIONS_URL)
    driver.execute_async_script("chrome.storage.local.set({server_url: arguments[0]})"
                                ".then(arguments[arguments.length - 1])", server_url)


class Pos:
    """The demo POS page and the extension's panel on it."""

    def __init__(self, driver, url):
        self.d, self.url = driver, url

    def wait(self, fn, timeout=WAIT, message=""):
        # IndexError: a list of matches still empty while the panel re-renders.
        ignored = (NoSuchElementException, StaleElementReferenceException, IndexError)
        return WebDriverWait(self.d, timeout, ignored_exceptions=ignored).until(fn, message)

    def open(self):
        self.d.get(self.url + "/demo/pos")
        self.wait(lambda d: d.find_element(By.CSS_SELECTOR, "[data-loyalty-bridge-button]"),
                  message="the extension's button did not appear")
        return self

    # --- the POS ---------------------------------------------------------------------------------------------
    def attach(self, customer_id):
        Select(self.d.find_element(By.CSS_SELECTOR, ".customer-picker")).select_by_value(customer_id)
        self.d.find_element(By.CSS_SELECTOR, ".attach-customer").click()
        self.wait(lambda d: d.find_element(By.CSS_SELECTOR, ".wr-customer-badge"))

    def new_customer(self, first, last, email="", phone=""):
        for name, value in (("first_name", first), ("last_name", last), ("email", email), ("phone", phone)):
            self.d.find_element(By.CSS_SELECTOR, f".new-customer input[name={name}]").send_keys(value)
        self.d.find_element(By.CSS_SELECTOR, ".new-customer button[type=submit]").click()
        self.wait(lambda d: d.find_element(By.CSS_SELECTOR, ".wr-customer-badge"))

    def add(self, product_id, times=1):
        for _ in range(times):
            before = self.quantity(product_id)
            self.d.find_element(By.CSS_SELECTOR, f".product[data-product-id='{product_id}']").click()
            self.wait(lambda d: self.quantity(product_id) != before)

    def quantity(self, product_id):
        found = self.d.find_elements(By.CSS_SELECTOR, f".sale-list-item[data-product-id='{product_id}']")
        return int(found[0].get_attribute("data-quantity")) if found else 0

    def sale_id(self):
        return self.d.find_element(By.CSS_SELECTOR, ".sale").get_attribute("data-sale-id")

    def customer_id(self):
        return self.d.find_element(By.CSS_SELECTOR, ".wr-customer-badge").get_attribute("data-customer-id")

    def button(self):
        return self.d.find_element(By.CSS_SELECTOR, "[data-loyalty-bridge-button]")

    # --- the panel ---------------------------------------------------------------------------------------------
    def root(self):
        return self.d.find_element(By.ID, "loyalty-bridge-panel-host").shadow_root

    def find(self, css):
        return self.root().find_element(By.CSS_SELECTOR, css)

    def finds(self, css):
        return self.root().find_elements(By.CSS_SELECTOR, css)

    def panel(self):
        """Click the button and wait for the panel's first view to be drawn."""
        self.wait(lambda d: self.button().is_enabled(), message="the button stayed disabled")
        self.button().click()
        self.wait(lambda d: self.find(".body").text.strip()
                  and not any(w in self.find(".status").text for w in ("Loading", "Chargement")))
        return self

    def text(self):
        return self.find(".panel").text

    def wait_text(self, *needles, css=".panel"):
        self.wait(lambda d: all(n in self.find(css).text for n in needles),
                  message=f"panel never showed {needles!r}; it shows: {self._safe_text(css)!r}")

    def _safe_text(self, css):
        try:
            return self.find(css).text
        except WebDriverException:
            return None

    def click(self, css, index=0):
        """Click the index-th match once it is enabled; a re-render in between just means finding it again."""
        def enabled_then_clicked(d):
            element = self.finds(css)[index]
            if not element.is_enabled():
                return False
            element.click()
            return True
        self.wait(enabled_then_clicked, message=f"could not click {css}")

    def in_side_tab(self, fn):
        """Run fn(driver) on the extension's options page in another tab, then come back to the POS (whose
        panel stays as it was)."""
        pos_tab = self.d.current_window_handle
        self.d.switch_to.new_window("tab")
        try:
            self.d.get(OPTIONS_URL)
            return fn(self.d)
        finally:
            self.d.close()
            self.d.switch_to.window(pos_tab)

    def point_extension_at(self, server_url):
        self.in_side_tab(lambda d: set_server_url(d, server_url))

    def queue(self):
        """The extension's offline queue, as kept in chrome.storage.local."""
        return self.in_side_tab(lambda d: d.execute_async_script(
            "chrome.storage.local.get('commit_queue')"
            ".then(r => arguments[arguments.length - 1](r.commit_queue || {}))"))

    def status(self):
        return self.find(".status").text




def dead_url():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"  # nothing listens there once the socket is closed
