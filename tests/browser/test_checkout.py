"""The checkout on the demo POS with the real extension and the real server: the button, one-click commit of a
linked customer, a second commit of an edited sale, the multi-purchase reason drop-down."""
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.expected_conditions import staleness_of
from selenium.webdriver.support.ui import WebDriverWait

pytestmark = pytest.mark.browser

ACANA = "ACANA 25 lb Frequent Buyer"


def test_button_is_inert_without_a_sale_and_survives_re_renders_without_duplicates(pos):
    first = pos.button()
    assert first.text == "Commit to Loyalty"
    assert not first.is_enabled(), "no customer and no line: nothing to commit"

    pos.attach("c-1001")  # the demo POS re-renders its whole screen on every change
    pos.add("p-kong-m", times=2)
    WebDriverWait(pos.d, 10).until(staleness_of(first))  # the first button went with the old DOM
    pos.wait(lambda d: pos.button().is_enabled())
    buttons = pos.d.find_elements(By.CSS_SELECTOR, "[data-loyalty-bridge-button]")
    assert len(buttons) == 1
    assert buttons[0].find_element(By.XPATH, "..").get_attribute("class") == "sale-actions"
    # The re-injected button works (a copy cloned by a re-render would be dead markup).
    pos.panel().wait_text("Dana Whitfield")


def test_linked_customer_commits_in_one_click(pos, store):
    pos.attach("c-1001")
    pos.add("p-acana-25")
    pos.add("p-kong-m")
    pos.panel()
    pos.wait_text("Dana Whitfield", f"{ACANA} 7 of 12", "Current uncommitted purchases",
                  "ACANA Wild Prairie Dog Food 25 lb × 1", f"+1 on {ACANA}")
    assert "KONG Classic Dog Toy, Medium × 1" in pos.text()

    pos.click("button.commit")  # the one click

    pos.wait_text("Everything on this sale is committed.")
    assert "Committed" in pos.status() and "8 of 12" in pos.status()
    dana = store.account_of("c-1001")
    assert store.cards(dana)[ACANA] == (8, "open")
    assert store.sale(pos.sale_id()) == {"account_id": dana, "lines": {"1": "1", "2": "1"}}
    assert not pos.find("button.commit").is_enabled()


def test_second_commit_of_an_edited_sale_sends_only_the_new_items(pos, store):
    pos.attach("c-1001")
    pos.add("p-acana-25")
    pos.panel()
    pos.click("button.commit")
    pos.wait_text("Everything on this sale is committed.")

    pos.add("p-acana-25")  # the same line, now 2
    pos.add("p-bags")
    # The open panel follows the sale: only what is new is uncommitted.
    pos.wait_text("ACANA Wild Prairie Dog Food 25 lb × 1", "Earth Rated Poop Bags, 120 ct × 1",
                  css="ul.uncommitted")
    assert len(pos.finds("ul.uncommitted > li")) == 2
    pos.click("button.commit")
    pos.wait_text("Everything on this sale is committed.")

    dana = store.account_of("c-1001")
    assert store.cards(dana)[ACANA] == (9, "open"), "7 + 1 + 1: the first bag is not punched twice"
    assert store.sale(pos.sale_id())["lines"] == {"1": "2", "2": "1"}


def test_multi_purchase_asks_a_reason_per_card_before_the_first_click_then_commits(pos, store):
    pos.attach("c-1001")
    pos.add("p-acana-25", times=3)
    pos.panel()
    # The preview already knows a reason is needed: the drop-down is there before Commit is clicked.
    pos.wait_text(f"{ACANA}: 3 on this card in one visit", "choose a reason for each card")
    select = pos.find("select[name^=reason-]")
    assert select.is_displayed()
    options = [o.text for o in select.find_elements(By.TAG_NAME, "option")]
    assert options[1:] == ["Multiple pets", "Stocking up", "Buying for another household", "Other"]
    note = pos.find("input.note")
    assert not note.is_displayed()
    select.find_element(By.XPATH, "option[.='Other']").click()
    assert note.is_displayed()
    # The note box holds a hint, not a value: what the cashier types is all it holds.
    assert note.get_attribute("value") == "" and note.get_attribute("placeholder") == "Why? (required for Other)"
    note.send_keys("Breeder picking up for the kennel")
    assert note.get_attribute("value") == "Breeder picking up for the kennel"
    pos.click("button.commit")

    pos.wait_text("Everything on this sale is committed.")
    assert "Committed" in pos.status()
    dana = store.account_of("c-1001")
    assert store.cards(dana)[ACANA] == (10, "open")
    with store.app.app_context():
        from loyalty.models import Punch
        punch = Punch.select().order_by(Punch.id.desc()).first()
        assert (punch.reason, punch.note) == ("Other", "Breeder picking up for the kennel")


def test_the_usual_checkout_works_from_the_keyboard(pos, store):
    from selenium.webdriver.common.keys import Keys

    pos.attach("c-1001")
    pos.add("p-acana-25")
    pos.wait(lambda d: pos.button().is_enabled())
    pos.button().send_keys(Keys.ENTER)
    pos.wait_text("Dana Whitfield", "+1 on ACANA 25 lb Frequent Buyer")
    # "Commit" has the focus when there is something to commit: Enter commits.
    pos.wait(lambda d: d.execute_script(
        "return document.getElementById('loyalty-bridge-panel-host').shadowRoot.activeElement?.textContent")
        == "Commit")
    pos.d.switch_to.active_element.send_keys(Keys.ENTER)
    pos.wait_text("Everything on this sale is committed.")
    pos.d.switch_to.active_element.send_keys(Keys.ESCAPE)
    pos.wait(lambda d: not d.find_element(By.ID, "loyalty-bridge-panel-host").is_displayed())
    assert pos.d.switch_to.active_element == pos.button(), "focus goes back to the button"
    assert store.cards(store.account_of("c-1001"))[ACANA] == (8, "open")
