"""The register panel as a new cashier uses it (issue 8): each test walks one defect they found, on the demo POS
or on the X-Series-like sell screen (tests/pages), with the real extension and the real server."""
import json
import re

import pytest
from selenium.webdriver.common.by import By

from posdriver import MANAGER_PIN, Pos

pytestmark = pytest.mark.browser

ACANA = "ACANA 25 lb Frequent Buyer"
TOTW = "Taste of the Wild 28 lb Club"
PACIFIC = "Taste of the Wild Pacific Stream 28 lb"
XSERIES_CUSTOMER = "02dcd191-ae2b-11e6-f485-8eceed6eeafb"


def test_relink_at_the_register_moves_this_sale_and_the_warning_shows_as_text(pos, store):
    """Items 1 and 2: commit to the wrong account, Incorrect customer map, choose the right one, Commit."""
    from loyalty.domain.accounts import create_account

    with store.app.app_context():  # the right account: Dana's husband, who shares her phone
        dan = create_account({"first_name": "Dan", "last_name": "Whitfield", "phone": "555-201-3344"}, "test").id
    pos.attach("c-1001")
    pos.add("p-acana-25")
    pos.panel()
    pos.click("button.commit")
    pos.wait_text("Committed: ACANA 25 lb Frequent Buyer +1 (8 of 12)", css=".status")
    dana = store.account_of("c-1001")

    pos.click("button.unmap")
    pos.wait_text("Commit moves this sale's punches to it")
    pos.find("input[name=manager_pin]").send_keys(MANAGER_PIN)
    pos.click("form.unlink button[type=submit]")
    pos.wait_text("Not linked yet", "Dan Whitfield")
    names = [c.find_element(By.CSS_SELECTOR, ".name").text for c in pos.finds(".candidate")]
    pos.click(".candidate button.select", index=names.index("Dan Whitfield"))

    pos.wait_text("Linked to Dan Whitfield.",
                  "This sale was committed to Dana Whitfield: Commit moves its punches to Dan Whitfield.",
                  f"+1 on {ACANA} (moves from Dana Whitfield)")
    assert "[object" not in pos.text()
    pos.click("button.commit")
    pos.wait_text("Committed: ACANA 25 lb Frequent Buyer +1 (1 of 12)", css=".status")
    assert store.cards(dan)[ACANA] == (1, "open")
    assert store.cards(dana)[ACANA] == (7, "open")
    assert store.sale(pos.sale_id())["account_id"] == dan


def test_after_commit_the_cards_show_the_new_counts_and_say_all_is_committed(pos, store):
    """Item 3."""
    pos.attach("c-1001")
    pos.add("p-acana-25")
    pos.panel()
    pos.wait_text(f"{ACANA} 7 of 12 → 8 of 12 after commit")
    pos.click("button.commit")
    pos.wait_text("Everything on this sale is committed.", f"{ACANA} 8 of 12")
    assert "after commit" not in pos.text()
    assert "No items on current sale" not in pos.text()


def test_a_completed_card_says_complete_reward_available_and_what_went_on_the_next_card(pos, store):
    """Item 4: Dana has 7 of 12; six more complete the card and put one on the next."""
    pos.attach("c-1001")
    pos.add("p-acana-25", times=6)
    pos.panel()
    pos.wait_text("complete after commit: a reward")
    pos.find("select[name^=reason-]").find_element(By.XPATH, "option[.='Stocking up']").click()
    pos.click("button.commit")
    # The demo store also runs a points program, so the confirmation goes on with what the sale earned there.
    pos.wait_text(f"Committed: {ACANA} +6: card complete, reward available; 1 punch on the next card; Paws Points +",
                  css=".status")
    pos.wait_text("Rewards available: 1", f"{ACANA} 12 of 12: reward available", f"{ACANA} 1 of 12")
    assert store.cards(store.account_of("c-1001"))[ACANA] == (1, "open")


def test_redeem_defaults_to_the_line_on_the_sale_and_the_demo_pos_takes_the_discount(pos, store):
    """Item 5 and the discount in the POS: Marcus's Taste of the Wild card is complete (bought mostly High
    Prairie); only Pacific Stream is on the sale. The free item is that line, its price is the discount, the
    demo POS gets it in the same click, and the free bag does not punch."""
    pos.attach("c-1002")
    pos.add("p-totw-ps-28")
    pos.panel()
    pos.wait_text(f"{TOTW} 12 of 12: reward available")
    pos.click("button.use-reward")
    pos.wait_text(f"Reward: {TOTW}", "Maximum value to discount: $64.99")
    chosen = pos.find("select[name=item] option:checked").text
    assert chosen == f"{PACIFIC} ($62.99): discount $62.99"
    options = [o.text for o in pos.finds("select[name=item] option")]
    assert options == [chosen, "Taste of the Wild High Prairie 28 lb: not on this sale"]
    pos.click("button.redeem-button")

    pos.wait_text(f"Reward redeemed: a discount of $62.99 is on {PACIFIC} in the sale.", css=".status")
    line = pos.d.find_element(By.CSS_SELECTOR, ".sale-list-item[data-product-id='p-totw-ps-28']")
    assert line.find_element(By.CSS_SELECTOR, ".li-discount-label").text == f"Reward: {TOTW}"
    assert line.find_element(By.CSS_SELECTOR, ".li-discount-amount").text == "-$62.99"
    assert pos.d.find_element(By.CSS_SELECTOR, ".sale-total").text == "Total $0.00"
    pos.wait_text(f"{PACIFIC} × 1", f"given free as a {TOTW} reward: no punch", css="ul.uncommitted")
    assert "reward-done" in pos.find(".status").get_attribute("class"), "the instruction outlives the re-render"
    pos.click("button.commit")
    pos.wait_text("Committed: no punches on this sale", css=".status")  # the points part may follow

    marcus = store.account_of("c-1002")
    assert TOTW not in store.cards(marcus), "no open card: the free bag did not punch"
    with store.app.app_context():
        from loyalty.models import Punch, Redemption, Sale
        red = Redemption.get(Redemption.pos_sale_id == pos.sale_id())  # the demo history has redemptions too
        assert (red.item_upc, red.item_name, str(red.item_unit_price)) == ("074198608355", PACIFIC, "62.99")
        this_sale = Sale.get(Sale.pos_sale_id == pos.sale_id())
        assert not Punch.select().where((Punch.kind == "reversal") & (Punch.sale == this_sale)).exists(), \
            "the discount changed no punch"


def test_pay_without_committing_reminds_once_and_never_blocks(pos, store):
    """Item 11."""
    pos.attach("c-1001")
    pos.add("p-acana-25")
    sale_id = pos.sale_id()
    pos.d.find_element(By.CSS_SELECTOR, ".btn--pay").click()

    pos.wait(lambda d: d.find_element(By.CSS_SELECTOR, f".completed-sale[data-sale-id='{sale_id}']"))
    pos.wait_text("Not committed yet", "Dana Whitfield's purchases on the sale just paid are not committed",
                  "ACANA Wild Prairie Dog Food 25 lb × 1")
    assert "Reminder: this sale was paid without committing." in pos.status()
    pos.click("button.commit")
    pos.wait_text("Committed: ACANA 25 lb Frequent Buyer +1 (8 of 12)", css=".status")
    assert store.sale(sale_id)["lines"] == {"1": "1"}

    # A sale already committed, then paid: no reminder.
    pos.find("button.close").click()
    pos.attach("c-1001")
    pos.add("p-acana-25")
    pos.panel()
    pos.click("button.commit")
    pos.wait_text("Everything on this sale is committed.")
    pos.find("button.close").click()
    pos.d.find_element(By.CSS_SELECTOR, ".btn--pay").click()
    pos.wait(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".completed-sale")) == 2)
    assert not pos.d.find_element(By.ID, "loyalty-bridge-panel-host").is_displayed()


def test_a_duplicate_email_shows_the_account_with_select_before_creating(pos, store):
    """Item 7: a walk-in customer gives an email that already has an account."""
    pos.add("p-acana-25")
    pos.panel()
    pos.wait_text("Walk-in sale")
    pos.click("button.create")
    form = pos.find("form.create-account")
    for name, text in (("first_name", "Dana"), ("last_name", "W"), ("email", "Dana.Whitfield@example.com")):
        form.find_element(By.CSS_SELECTOR, f"input[name={name}]").send_keys(text)
    pos.click("form.create-account button[type=submit]")

    pos.wait_text("An account with this email or phone already exists", "Dana Whitfield", "(same email)",
                  css=".duplicates")
    assert pos.find("form.create-account button[type=submit]").text == "Create anyway"
    pos.click(".duplicates button.select")
    pos.wait_text("Dana Whitfield", f"+1 on {ACANA}")
    with store.app.app_context():
        from loyalty.models import Account
        assert Account.select().where(Account.first_name == "Dana").count() == 1, "no duplicate created"


def test_names_come_from_the_pos_first_and_last_name_fields(pos, store):
    """Item 8."""
    pos.new_customer("Mary Ann", "Smith", email="mary.ann@example.com")
    pos.panel()
    pos.wait_text("Mary Ann Smith (POS customer) is not linked")
    pos.click("button.create")
    form = pos.find("form.create-account")
    value = lambda name: form.find_element(By.CSS_SELECTOR, f"input[name='{name}']").get_attribute("value")  # noqa
    assert (value("first_name"), value("last_name")) == ("Mary Ann", "Smith")


def test_the_button_is_readable_and_says_why_it_is_inert(pos):
    """Item 12: white on the button's blue meets WCAG AA (4.5:1); disabled, it looks disabled and says why."""
    button = pos.button()
    assert not button.is_enabled()
    assert button.get_attribute("title") == "Inert: no sale is open. Add a customer or an item to the sale first."
    assert button.get_attribute("aria-description") == button.get_attribute("title")
    disabled_bg = button.value_of_css_property("background-color")
    assert button.value_of_css_property("cursor") == "not-allowed"

    pos.attach("c-1001")
    pos.wait(lambda d: pos.button().is_enabled())
    button = pos.button()
    assert button.get_dom_attribute("title") is None
    enabled_bg = button.value_of_css_property("background-color")
    assert enabled_bg != disabled_bg
    assert contrast(button.value_of_css_property("color"), enabled_bg) >= 4.5
    pos.panel()
    commit = pos.find("button.commit")
    assert contrast(commit.value_of_css_property("color"), commit.value_of_css_property("background-color")) >= 4.5


def contrast(fg: str, bg: str) -> float:
    """WCAG contrast ratio of two CSS rgb()/rgba() colours."""
    def luminance(css):
        r, g, b = (int(x) / 255 for x in re.findall(r"\d+", css)[:3])
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    hi, lo = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


# --- the X-Series-like sell screen (tests/pages/xseries_sell.html) ------------------------------------------------

XSERIES_SALE = {
    "event_name": "sale:update", "source": "Vend Client API",
    "data": {"sale": {
        "id": "0a5e7e2c-7f1b-4b7e-9e52-3f1d0c2b9a11", "client_id": "reg-1", "client_sale_id": "cs-77",
        "customer_id": XSERIES_CUSTOMER, "register_id": "reg-1",
        "line_items": [
            {"id": "li-1", "product_id": "prod-acana-25", "quantity": 2, "unit_price": "94.99"},
            {"id": "li-2", "product_id": "prod-kong-m", "quantity": 1, "unit_price": "12.99"},
        ]}},
}


def xseries(browser, store, pages_url) -> Pos:
    """The stored X-Series sell screen with the register's Client API message posted; the extension's button."""
    pos = Pos(browser, store.url)
    browser.get(f"{pages_url}/xseries_sell.html")
    pos.wait(lambda d: d.find_element(By.CSS_SELECTOR, "[data-loyalty-bridge-button]"))
    browser.execute_script("window.postMessage(arguments[0], '*')", json.dumps(XSERIES_SALE))
    return pos


@pytest.fixture
def xseries_catalog(store):
    """The X-Series catalog as synced: the sale's product ids with their UPCs."""
    from loyalty.demo_data import product
    from loyalty.lightspeed.models import CatalogProduct, PosConnection

    with store.app.app_context():
        conn = PosConnection.create(prefix="petstore", base_url="https://petstore.retail.lightspeed.app",
                                    token_encrypted="-", webhook_secret_encrypted="-", created_by="test")
        for pid, demo_pid in (("prod-acana-25", "p-acana-25"), ("prod-kong-m", "p-kong-m")):
            p = product(demo_pid)
            CatalogProduct.create(connection=conn, product_id=pid, sku=p["sku"], upc=p["upc"], name=p["name"],
                                  barcodes=[p["upc"]])


def test_xseries_contact_in_one_description_finds_the_account_and_prefills_create(browser, store, pages_url):
    """Item 6 (and 7's "create anyway"): code, phone and email share one badge description."""
    pos = xseries(browser, store, pages_url).panel()
    # A candidate's phone as the store writes it, not E.164
    pos.wait_text("Not linked yet", "Possible matches", "Dana Whitfield", "(same email)", "(555) 201-3344")
    pos.click("button.create")
    form = pos.find("form.create-account")
    value = lambda name: form.find_element(By.CSS_SELECTOR, f"input[name='{name}']").get_attribute("value")  # noqa
    assert (value("first_name"), value("last_name"), value("email"), value("phone")) == (
        "Dana", "Whitfield", "dana.whitfield@example.com", "+15552013344")
    pos.click("form.create-account button[type=submit]")
    pos.wait_text("Dana Whitfield", css=".duplicates")
    pos.click("form.create-account button[type=submit]")  # "Create anyway": e.g. a family member
    pos.wait_text("Account created for Dana Whitfield.")


def test_xseries_new_account_form_shows_the_address_the_pos_has(browser, store, pages_url):
    """The customer's address synced from X-Series fills the new account's mailing address (shown, editable)
    instead of four empty fields the cashier would have to type in mid-sale."""
    from loyalty.lightspeed.models import PosConnection, PosCustomer
    from loyalty.models import Account

    with store.app.app_context():
        conn = PosConnection.create(prefix="petstore", base_url="https://petstore.retail.lightspeed.app",
                                    token_encrypted="-", webhook_secret_encrypted="-", created_by="test")
        PosCustomer.create(connection=conn, customer_id=XSERIES_CUSTOMER, first_name="Dana", last_name="Whitfield",
                           address={"address_1": "12 Harbour Rd", "city": "Salem", "state": "OR",
                                    "postcode": "97301", "country_id": "US"})
    pos = xseries(browser, store, pages_url).panel()
    pos.wait_text("Not linked yet")
    pos.click("button.create")
    form = pos.find("form.create-account")
    assert pos.find("fieldset.address").is_displayed()
    value = lambda name: form.find_element(By.CSS_SELECTOR, f"input[name='address.{name}']").get_attribute("value")  # noqa
    assert [value(k) for k in ("line1", "line2", "city", "region", "postal_code", "country")] == [
        "12 Harbour Rd", "", "Salem", "OR", "97301", "US"]
    assert pos.finds("form.create-account button.link") == []  # no "Add a mailing address": it is there
    pos.click("form.create-account button[type=submit]")
    pos.wait_text("Dana Whitfield", css=".duplicates")
    pos.click("form.create-account button[type=submit]")  # "Create anyway"
    pos.wait_text("Account created for Dana Whitfield.")
    with store.app.app_context():
        newest = Account.select().order_by(Account.id.desc()).first()
        assert (newest.address_line1, newest.city, newest.postal_code) == (
            "12 Harbour Rd", "Salem", "97301")


def test_xseries_redeem_says_the_exact_discount_with_a_copy_button(browser, store, pages_url, xseries_catalog):
    """The discount where the POS adapter cannot apply it: the exact instruction, the amount one click away."""
    from loyalty.demo_data import _sale
    from loyalty.domain.accounts import get_account, link_customer
    from loyalty.domain.sales import Options, commit_sale
    from loyalty.models import Program

    with store.app.app_context():  # Dana: 7 + 5 = a complete ACANA card, linked to the X-Series customer
        acana = Program.get(Program.name == ACANA).id
        commit_sale(_sale("hist-5", "c-1001", [("p-acana-25", 5)]), {str(acana): {"reason": "Stocking up"}},
                    Options(actor="test"))
        dana = get_account(store.account_of("c-1001"))
        link_customer("lightspeed-x", XSERIES_CUSTOMER, dana.id, "test")
    pos = xseries(browser, store, pages_url).panel()
    pos.wait_text("dana.whitfield@example.com · (555) 201-3344", css=".contact")
    pos.wait_text(f"{ACANA} 12 of 12: reward available")
    pos.click("button.use-reward")
    pos.wait_text("Maximum value to discount: $94.99")
    assert pos.find("select[name=item] option:checked").text == \
        "ACANA Wild Prairie Dog Food 25 lb ($94.99): discount $94.99"
    pos.click("button.redeem-button")
    pos.wait_text("Reward redeemed. Apply a discount of $94.99 on ACANA Wild Prairie Dog Food 25 lb in the POS now "
                  "(at most $94.99).", css=".status")
    copy = pos.find(".status button.copy-amount")
    assert copy.text == "Copy 94.99"
    copy.click()
    pos.wait_text("Copied", css=".status")
