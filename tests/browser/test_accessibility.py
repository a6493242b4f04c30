"""axe-core over every page the product shows: each staff page (every GET route of the app that renders HTML,
found from the URL map, so a new page is checked the day it is added), the demo POS, the extension's options page
and the panel in its views. Every other browser test is checked as it goes too (tests/a11y.py); this test makes
sure no page or view depends on some other test happening to visit it."""
import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from a11y import assert_accessible
from posdriver import OPTIONS_URL, Pos, dead_url, set_server_url
from sitemap import BROKEN_LINK, page_urls

pytestmark = pytest.mark.browser


def sign_in(driver, base):
    driver.get(base + "/signin")
    driver.find_element(By.NAME, "username").send_keys("boss")
    driver.find_element(By.NAME, "password").send_keys("correct horse battery", Keys.ENTER)
    WebDriverWait(driver, 10).until(lambda d: "/signin" not in d.current_url)


@pytest.fixture
def signed_out_after(browser, store):
    """Cookies belong to the host, not the port: a session left signed in here would be signed in on the next
    test's server too (same user id, same test secret)."""
    yield
    browser.get(store.url + "/signin")
    browser.delete_all_cookies()


def test_every_staff_page_and_the_demo_pos(browser, store, signed_out_after):
    driver, base = browser, store.url
    driver.delete_all_cookies()
    driver.get(base + "/signin")
    assert_accessible(driver)
    sign_in(driver, base)
    urls = page_urls(store.app)
    assert "/" in urls and "/demo/pos" in urls
    checked = {}
    for path in urls:
        driver.get(base + path)
        assert_accessible(driver)
        checked[path] = driver.find_element(By.TAG_NAME, "h1").text if driver.find_elements(By.TAG_NAME, "h1") \
            else ""
    # The signed links that work reached their real pages (not only "this link does not work"), and the
    # unsubscribe page's answer once its button is pressed is checked too.
    headings = {path.split("/")[1] + ("/confirm" if "/confirm/" in path else ""): h for path, h in checked.items()
                if BROKEN_LINK not in path and path.count("/") >= 2 and path.startswith(("/me/", "/unsub"))}
    assert headings["me"].startswith("Hello") and headings["me/confirm"] == "Thank you", headings
    assert headings["unsubscribe"] == "Unsubscribe", headings
    assert sum(h == "This link does not work" for p, h in checked.items() if BROKEN_LINK in p) == 3, checked
    driver.get(base + next(p for p in checked if p.startswith("/unsubscribe/") and BROKEN_LINK not in p))
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    WebDriverWait(driver, 10).until(lambda d: d.find_element(By.TAG_NAME, "h1").text == "You are unsubscribed")
    assert_accessible(driver)
    driver.get(base + "/accounts/999999")  # the not-found page staff meet after a stale link
    assert_accessible(driver)
    # On an account page the skip link is the keyboard's first stop, before the header's links, and takes the
    # focus to the account itself.
    driver.get(base + [u for u in urls if u.startswith("/accounts/")][0])
    ActionChains(driver).send_keys(Keys.TAB).perform()
    skip = driver.switch_to.active_element
    assert skip.text == "Skip to main content" and skip.get_attribute("href").endswith("#content")
    skip.send_keys(Keys.ENTER)
    assert driver.switch_to.active_element.get_attribute("id") == "content"
    assert len(checked) >= 12


def test_the_options_page(browser, store):
    browser.get(OPTIONS_URL)
    assert_accessible(browser)
    browser.find_element(By.ID, "test").click()
    WebDriverWait(browser, 10).until(lambda d: d.find_element(By.ID, "status").text)
    assert_accessible(browser)


def checked_view(pos, view, *needles):
    pos.wait(lambda d: pos.find(".panel").get_attribute("data-view") == view,
             message=f"the panel never showed its {view!r} view")
    if needles:
        pos.wait_text(*needles)
    assert_accessible(pos.d)


def test_the_panel_in_each_view(pos, store):
    # A walk-in sale: the search for the customer's account.
    pos.add("p-acana-25")
    pos.panel()
    checked_view(pos, "walkin")
    # A POS customer with possible matches, then the form to create an account.
    pos.attach("c-1003")
    checked_view(pos, "unlinked", "Possible matches")
    pos.click("button.create")
    checked_view(pos, "create", "New loyalty account")
    # A linked customer: cards, rewards and the purchases to punch; several bags ask for reasons.
    pos.click("button.close")
    pos.d.find_element(By.CSS_SELECTOR, ".btn--new-sale").click()
    pos.attach("c-1001")
    pos.add("p-acana-25", times=3)
    pos.panel()
    # (the multi-purchase reason is asked in this view, before the first click on Commit)
    checked_view(pos, "account", "Current uncommitted purchases", "choose a reason for each card")
    pos.click("button.close")
    # The incorrect customer map asks a manager's PIN.
    pos.panel()
    checked_view(pos, "account")
    pos.click("button.unmap")
    checked_view(pos, "unlink")
    pos.click("button.close")
    # A reward to redeem (Marcus has a completed card in the demo data).
    pos.d.find_element(By.CSS_SELECTOR, ".btn--new-sale").click()
    pos.attach("c-1002")
    pos.add("p-totw-hp-28")
    pos.panel()
    checked_view(pos, "account")
    pos.click("button.use-reward")
    checked_view(pos, "reward")
    pos.click("button.close")
    # The server out of reach: an error in plain words.
    pos.point_extension_at(dead_url())
    pos.panel()
    checked_view(pos, "error", "cannot be reached")
    pos.in_side_tab(lambda d: set_server_url(d, store.url))


def test_the_panel_after_a_commit_and_when_the_sale_is_gone(pos, store):
    pos.attach("c-1001")
    pos.add("p-kong-m")
    pos.panel()
    pos.click("button.commit")
    pos.wait(lambda d: "ok" in pos.find(".status").get_attribute("class"), message="no success status")
    assert_accessible(pos.d)
    # The cashier starts the next sale with the panel open: it says there is nothing to commit.
    pos.d.find_element(By.CSS_SELECTOR, ".btn--new-sale").click()
    pos.wait(lambda d: pos.find(".panel").get_attribute("data-view") in ("empty", "walkin"))
    assert_accessible(pos.d)


def test_the_panel_survives_a_pos_that_redraws_its_whole_body(pos, store):
    """The panel's host lives in <body>; a POS that replaces the body's children gets the same panel back, with
    its view, instead of losing it."""
    pos.attach("c-1001")
    pos.add("p-kong-m")
    pos.panel()
    pos.wait_text("Dana Whitfield")
    host_parent = pos.d.execute_script(
        "return document.getElementById('loyalty-bridge-panel-host').parentElement.tagName")
    assert host_parent == "BODY"
    pos.d.execute_script("document.body.replaceChildren(...[...document.body.children]"
                         ".filter(e => e.id !== 'loyalty-bridge-panel-host'))")
    pos.wait(lambda d: d.execute_script(
        "const h = document.getElementById('loyalty-bridge-panel-host'); return h && h.isConnected"),
        message="the panel did not come back")
    pos.wait_text("Dana Whitfield")
    assert pos.find(".panel").get_attribute("data-view") == "account"


def test_axe_reads_the_text_inside_the_panel(pos):
    """The check is real: grey text slipped into the panel's shadow root is reported, with the panel's host in
    the element's path (when the host hung from <html>, axe could not judge any text in it)."""
    pos.attach("c-1001")
    pos.add("p-kong-m")
    pos.panel()
    pos.wait_text("Dana Whitfield")
    pos.d.execute_script("const s = document.createElement('style'); s.id = 'faded'; "
                         "s.textContent = '.body { color: #bbb !important; }'; "
                         "document.getElementById('loyalty-bridge-panel-host').shadowRoot.append(s)")
    with pytest.raises(AssertionError, match=r"(?s)color-contrast.*loyalty-bridge-panel-host"):
        assert_accessible(pos.d)
    pos.d.execute_script("document.getElementById('loyalty-bridge-panel-host').shadowRoot"
                         ".getElementById('faded').remove()")
    assert_accessible(pos.d)
