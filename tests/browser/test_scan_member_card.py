"""The panel's member card scan: a USB scanner (a keyboard that types the code fast and presses Enter) finds
the account in one step; the cashier confirms and the POS customer is linked."""
import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from loyalty.domain.accounts import create_account
from loyalty.member_cards.domain import assign, create_batch, revoke

pytestmark = pytest.mark.browser


def scanner_types(driver, text):
    """What a keyboard-wedge scanner does: keystrokes into whatever has focus, ~10 ms apart, then Enter."""
    actions = ActionChains(driver, duration=0)
    for char in text:
        actions.send_keys(char).pause(0.01)
    actions.send_keys(Keys.ENTER).perform()


@pytest.fixture
def carded(store):
    """An account holding a member card, and a spare card that was revoked."""
    with store.app.app_context():
        account = create_account({"first_name": "Rosa", "last_name": "Delgado", "email": "rosa@example.com"},
                                 "test")
        good, lost = create_batch("Counter cards", 2, "test")[1]
        assign(lost, "test", account_id=account.id)
        revoke(lost, "test", "lost")
        assign(good, "test", account_id=account.id)
    return {"account_id": account.id, "code": good, "revoked": lost}


def test_a_scanned_card_finds_the_account_and_links_the_pos_customer(pos, store, carded):
    pos.attach("c-1005")  # Sam Rivera at the POS: no account matches him
    pos.panel()
    pos.wait_text("Not linked yet")
    assert pos.d.execute_script("return document.activeElement.shadowRoot.activeElement.name") == "card_code"
    scanner_types(pos.d, carded["code"])
    pos.wait_text("Member card", "Rosa Delgado", "rosa@example.com", "Link Sam Rivera to this loyalty account?")
    pos.click("button.confirm-card")
    pos.wait_text("Linked to Rosa Delgado.")
    assert store.account_of("c-1005") == carded["account_id"]


def test_mistyped_and_revoked_cards_are_refused_in_plain_words(pos, store, carded):
    pos.attach("c-1005")
    pos.panel()
    pos.wait_text("Not linked yet")
    code = carded["code"]
    typo = code[:5] + ("X" if code[5] != "X" else "Y") + code[6:]
    scanner_types(pos.d, typo)
    pos.wait_text("That is not a member card code", css=".status")
    field = pos.find("input[name=card_code]")
    field.clear()
    field.send_keys(carded["revoked"].lower(), Keys.ENTER)  # typed by hand, lower case
    pos.wait_text("This card was revoked", css=".status")
    assert store.account_of("c-1005") is None
