"""The staff app in real Chromium: a manager signs in, finds a customer, unlinks a wrong customer map (moving its
sales to the right account) and downloads a report.

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

from loyalty.models import PosLink, Sale

from webtools import STORE_PASSWORD as PASSWORD


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


@pytest.mark.browser
def test_manager_unlinks_a_wrong_map_and_downloads_a_report(live_server, chromium_session, store, tmp_path):
    driver = chromium_session
    base = live_server.url
    driver.get(base + "/")
    wait(driver).until(EC.presence_of_element_located((By.NAME, "username"))).send_keys("boss")
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form.narrow button[type=submit]").click()  # the sign-in form's

    box = wait(driver).until(EC.presence_of_element_located((By.NAME, "q")))
    box.send_keys("+1 (555) 201-3344")  # Dana's phone, typed another way
    box.submit()
    # The page before the search lists recently updated accounts, Dana among them: wait for the results page.
    wait(driver).until(EC.staleness_of(box))
    wait(driver).until(EC.element_to_be_clickable((By.LINK_TEXT, "Dana Whitfield"))).click()
    wait(driver).until(EC.title_contains("Dana Whitfield"))

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
    assert "c-1001 unlinked; 7 sales moved to Priya Shah" in driver.page_source

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

    if os.environ.get("LOYALTY_SCREENSHOTS"):  # the README's pictures of the reports
        save_page(driver, base + "/reports/participation?start=" +
                  (dt.date.today() - dt.timedelta(days=364)).isoformat(), "participation.png")
        save_page(driver, base + "/reports/redemptions?state=all", "redemptions.png")

    # The same CSV fetched with the browser's session cookie; without it, the report is not served.
    cookies = {c["name"]: c["value"] for c in driver.get_cookies()}
    r = requests.get(base + "/reports/redemptions?format=csv&state=all", cookies=cookies, timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    assert next(csv.reader(io.StringIO(r.text)))[0] == "distributor"
    anonymous = requests.get(base + "/reports/redemptions?format=csv", timeout=10, allow_redirects=False)
    assert anonymous.status_code == 302



def save_page(driver, url, name, width=1280):
    driver.get(url)
    size = driver.get_window_size()
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(width, min(height + 40, 1600))
    driver.execute_script("window.scrollTo(0, 0)")
    folder = os.environ["LOYALTY_SCREENSHOTS"]
    os.makedirs(folder, exist_ok=True)
    driver.save_screenshot(os.path.join(folder, name))
    driver.set_window_size(size["width"], size["height"])
