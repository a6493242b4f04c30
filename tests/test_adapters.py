"""The POS adapters on stored pages (tests/pages), served from localhost without the loyalty server:

- the real extension recognises each page by its DOM markers (not its host: all are on 127.0.0.1) and puts
  exactly one button in the sale's header actions;
- each adapter's readSale(), run in Chromium's real DOM, gives the server's sale shape.
"""
from __future__ import annotations

import functools
import os

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

pytestmark = pytest.mark.browser

HERE = os.path.dirname(__file__)
CONTENT = os.path.join(HERE, "..", "extension", "content")
ADAPTER_FILES = ["registry.js", "adapters/xseries.js", "adapters/rseries.js", "adapters/demo.js"]


@functools.lru_cache(maxsize=1)
def adapter_source() -> str:
    parts = []
    for name in ADAPTER_FILES:
        with open(os.path.join(CONTENT, name), encoding="utf-8") as f:
            parts.append(f.read())
    return "\n".join(parts)


# The X-Series register's Client API message for the stored sell screen (ids and quantities; no names).
XSERIES_MESSAGE = {
    "event_name": "sale:update", "source": "Vend Client API",
    "data": {"sale": {
        "id": "0a5e7e2c-7f1b-4b7e-9e52-3f1d0c2b9a11", "client_id": "reg-1", "client_sale_id": "cs-77",
        "customer_id": "02dcd191-ae2b-11e6-f485-8eceed6eeafb", "register_id": "reg-1",
        "totals": {"total_price": "202.97"},
        "line_items": [
            {"id": "li-1", "product_id": "prod-acana-25", "quantity": 2, "unit_price": "94.99", "unit_tax": "0",
             "tax_id": None, "tags": [], "gift_card_number": None},
            {"id": "li-2", "product_id": "prod-kong-m", "quantity": 1, "unit_price": "12.99", "unit_tax": "0",
             "tax_id": None, "tags": [], "gift_card_number": None},
        ]}},
}


def read_sale(driver, message=None):
    """Load the adapters into the page's own JavaScript world (apart from the extension's), post the Client API
    message if any, and return the chosen adapter's name and its reading of the sale."""
    import json

    return driver.execute_async_script(adapter_source() + """
        const done = arguments[arguments.length - 1];
        const message = arguments[0];
        if (message) window.postMessage(message, "*");
        setTimeout(() => {
          const adapter = globalThis.LoyaltyBridge.pickAdapter();
          done(adapter ? {adapter: adapter.name, screen: adapter.isSaleScreen(), open: adapter.hasOpenSale(),
                          sale: adapter.readSale()} : null);
        }, 0);
    """, json.dumps(message) if message else None)


@pytest.mark.parametrize("page,anchor", [
    ("xseries_sell.html", "sale-actions"),
    ("rseries_register.html", "register-lines-control"),
    ("demo_pos_saved.html", "sale-actions"),
])
def test_the_extension_recognises_a_saved_sale_screen_by_its_markup(chromium_session, pages_url, page, anchor):
    chromium_session.get(f"{pages_url}/{page}")
    button = WebDriverWait(chromium_session, 10).until(
        lambda d: d.find_element(By.CSS_SELECTOR, "[data-loyalty-bridge-button]"))
    assert len(chromium_session.find_elements(By.CSS_SELECTOR, "[data-loyalty-bridge-button]")) == 1
    assert button.find_element(By.XPATH, "..").get_attribute("class") == anchor
    assert button.text == "Commit to Loyalty"


def test_xseries_reads_ids_from_the_client_api_and_names_and_contact_from_the_dom(chromium_session, pages_url):
    chromium_session.get(f"{pages_url}/xseries_sell.html")
    assert read_sale(chromium_session)["sale"] is None, "without a Client API message there is no sale id"
    got = read_sale(chromium_session, XSERIES_MESSAGE)
    assert got["adapter"] == "lightspeed-x" and got["screen"] and got["open"]
    assert got["sale"] == {
        "pos": {"system": "lightspeed-x", "sale_id": "0a5e7e2c-7f1b-4b7e-9e52-3f1d0c2b9a11", "store": None,
                "register": "reg-1", "return_for": None},
        # The badge shows one display name: the server takes first/last from the synced customer record. The
        # code, phone and email share one description element.
        "customer": {"pos_id": "02dcd191-ae2b-11e6-f485-8eceed6eeafb", "first_name": None, "last_name": None,
                     "name": "Dana Whitfield", "email": "dana.whitfield@example.com", "phone": "(555) 201-3344"},
        "account_id": None,
        "lines": [
            {"line_id": "li-1", "product_id": "prod-acana-25", "sku": None, "upc": None,
             "name": "ACANA Wild Prairie Dog Food 25 lb", "quantity": "2", "unit_price": "94.99"},
            {"line_id": "li-2", "product_id": "prod-kong-m", "sku": None, "upc": None,
             "name": "KONG Classic Dog Toy, Medium", "quantity": "1", "unit_price": "12.99"},
        ],
    }


def test_xseries_forgets_a_discarded_sale(chromium_session, pages_url):
    chromium_session.get(f"{pages_url}/xseries_sell.html")
    read_sale(chromium_session, XSERIES_MESSAGE)
    got = read_sale(chromium_session, {**XSERIES_MESSAGE, "event_name": "sale:discard"})
    assert got["sale"] is None


def test_rseries_reads_the_register_lines(chromium_session, pages_url):
    chromium_session.get(f"{pages_url}/rseries_register.html")
    got = read_sale(chromium_session)
    assert got["adapter"] == "lightspeed-r" and got["screen"] and got["open"]
    assert got["sale"] == {
        "pos": {"system": "lightspeed-r", "sale_id": "8812", "store": None, "register": None, "return_for": None},
        "customer": {"pos_id": "377", "first_name": "Priya", "last_name": "Shah", "name": "Priya Shah",
                     "email": "Priya.Shah@example.com", "phone": "555 201 9090"},
        "account_id": None,
        "lines": [
            {"line_id": "501", "product_id": None, "sku": "TOW-HP-28", "upc": "074198608331",
             "name": "Taste of the Wild High Prairie 28 lb", "quantity": "1", "unit_price": "64.99"},
            {"line_id": "502", "product_id": None, "sku": None, "upc": "812006020018",
             "name": "Earth Rated Poop Bags, 120 ct", "quantity": "3", "unit_price": "9.99"},
        ],
    }


def test_demo_adapter_reads_a_saved_demo_screen_without_its_script(chromium_session, pages_url):
    chromium_session.get(f"{pages_url}/demo_pos_saved.html")
    got = read_sale(chromium_session)
    assert got["adapter"] == "demo", "the demo marker wins over the X-Series classes it copies"
    sale = got["sale"]
    assert sale["pos"] == {"system": "demo", "sale_id": "demo-saved-0001", "store": "Main St",
                           "register": "Demo register", "return_for": None}
    assert sale["customer"] == {"pos_id": "c-1002", "first_name": "Marcus", "last_name": "Lee", "name": "Marcus Lee",
                                "email": "marcus.lee@example.com", "phone": "555-201-7788"}
    assert sale["lines"] == [
        {"line_id": "1", "product_id": "p-totw-hp-28", "sku": "TOW-HP-28", "upc": "074198608331",
         "name": "Taste of the Wild High Prairie 28 lb", "quantity": "2", "unit_price": "64.99"},
        {"line_id": "2", "product_id": "p-bulk-treats", "sku": "BULK-LIVER", "upc": None,
         "name": "Freeze-dried liver treats (per lb)", "quantity": "1", "unit_price": "18.00"},
    ]
