"""The staff app in real Chromium: a manager signs in, finds a customer, unlinks a wrong customer map (moving its
sales to the right account) and downloads a report.

Set LOYALTY_SCREENSHOTS=docs/screenshots to also save the account page as account.png (the README's picture).
"""
import csv
import datetime as dt
import io
import os
import time

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from loyalty import demo_data
from loyalty.auth import create_user
from loyalty.db import database
from loyalty.models import Account, PosLink, Sale

PASSWORD = "manager browser pass"


def wait(driver, seconds=10):
    return WebDriverWait(driver, seconds)


def wait_for_file(folder, seconds=20):
    """The finished download (Chromium writes a .crdownload file first)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        done = [f for f in os.listdir(folder) if f.endswith(".csv")]
        if done:
            return os.path.join(folder, done[0])
        time.sleep(0.2)
    raise AssertionError(f"no CSV downloaded into {folder}: {os.listdir(folder)}")


@pytest.fixture
def store(live_server):
    with live_server.app.app_context():
        database.connect(reuse_if_open=True)
        demo_data.load()
        create_user("boss", "manager", PASSWORD)
        ids = {a.first_name: a.id for a in Account.select()}
    return ids


@pytest.mark.browser
def test_manager_unlinks_a_wrong_map_and_downloads_a_report(live_server, chromium_session, store, tmp_path):
    driver = chromium_session
    base = live_server.url
    driver.get(base + "/")
    wait(driver).until(EC.presence_of_element_located((By.NAME, "username"))).send_keys("boss")
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()

    box = wait(driver).until(EC.presence_of_element_located((By.NAME, "q")))
    box.send_keys("+1 (555) 201-3344")  # Dana's phone, typed another way
    box.submit()
    wait(driver).until(EC.element_to_be_clickable((By.LINK_TEXT, "Dana Whitfield"))).click()
    wait(driver).until(EC.title_contains("Dana Whitfield"))

    if os.environ.get("LOYALTY_SCREENSHOTS"):
        save_account_screenshot(driver, base, store["Marcus"], os.environ["LOYALTY_SCREENSHOTS"])
        driver.get(f"{base}/accounts/{store['Dana']}")

    # Dana's POS customer was mapped to the wrong account: the sales belong to Priya.
    # The right account is picked from a search, not typed as a number.
    driver.find_element(By.XPATH, "//summary[contains(., 'Unlink')]").click()
    driver.find_element(By.NAME, "reason").send_keys("POS customer is Priya, not Dana")
    driver.find_element(By.XPATH, "//input[@name='q'][ancestor::details]").send_keys("priya")
    driver.find_element(By.XPATH, "//button[contains(., 'Next')]").click()
    wait(driver).until(EC.element_to_be_clickable((By.XPATH, "//button[contains(., 'Move the sales here')]"))).click()
    confirm = wait(driver).until(EC.element_to_be_clickable((By.XPATH, "//button[.='Unlink']")))
    assert "move to Priya Shah" in driver.page_source
    confirm.click()
    wait(driver).until(EC.presence_of_element_located((By.CSS_SELECTOR, "p.flash")))
    assert "c-1001 unlinked; 7 sale(s) moved to Priya Shah" in driver.page_source

    with live_server.app.app_context():
        link = PosLink.get(PosLink.pos_customer_id == "c-1001")
        assert link.unlinked_by == "user:boss" and link.unlink_reason == "POS customer is Priya, not Dana"
        assert {s.account_id for s in Sale.select().where(Sale.link == link.id)} == {store["Priya"]}

    # The participation report, downloaded by Chromium itself.
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    driver.get(base + "/reports/participation?start=" + (dt.date.today() - dt.timedelta(days=365)).isoformat())
    wait(driver).until(EC.element_to_be_clickable((By.XPATH, "//button[.='Download CSV']"))).click()
    with open(wait_for_file(str(tmp_path)), newline="") as f:
        rows = {row["program"]: row for row in csv.DictReader(f)}
    # The demo's year: Dana's 7 bags (now on Priya's account) and Ben Carter's 3.
    assert rows["ACANA 25 lb Frequent Buyer"]["items_sold"] == "10"
    assert rows["ACANA 25 lb Frequent Buyer"]["unique_customers"] == "2"

    # The same CSV fetched with the browser's session cookie; without it, the report is not served.
    cookies = {c["name"]: c["value"] for c in driver.get_cookies()}
    r = requests.get(base + "/reports/redemptions?format=csv&state=all", cookies=cookies, timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    assert next(csv.reader(io.StringIO(r.text)))[0] == "distributor"
    anonymous = requests.get(base + "/reports/redemptions?format=csv", timeout=10, allow_redirects=False)
    assert anonymous.status_code == 302


def save_account_screenshot(driver, base, account_id, folder):
    driver.get(f"{base}/accounts/{account_id}")
    for summary in driver.find_elements(By.XPATH, "//article[contains(@class,'status-complete')]//summary"
                                                  "[contains(., 'Punches on this card')]")[:1]:
        summary.click()
    size = driver.get_window_size()
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, min(height + 40, 2600))
    os.makedirs(folder, exist_ok=True)
    driver.save_screenshot(os.path.join(folder, "account.png"))
    driver.set_window_size(size["width"], size["height"])
