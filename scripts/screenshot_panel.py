#!/usr/bin/env python3
"""Take the README's panel screenshots (docs/screenshots/) in real headless Chromium with the real extension,
against the real server with the demo data:

- panel.png: a linked customer's cards and the purchases about to punch, one Commit;
- panel-committed.png: the same sale just committed (new counts, everything committed);
- panel-reward.png: a reward redeemed on the demo POS, its discount already on the sale's line.

With --french, the README's French pictures instead: the panel with the extension set to French (Chrome
itself in English) and the staff app's account page for a manager who chose French (panel-fr.png,
account-fr.png).

    .venv/bin/python scripts/screenshot_panel.py [output folder]
    .venv/bin/python scripts/screenshot_panel.py --french [folder]
"""
from __future__ import annotations

import os
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path[:0] = [os.path.join(ROOT, "server"), os.path.join(ROOT, "tests"), os.path.join(ROOT, "tests", "browser"),
                os.path.join(ROOT, "scripts")]

from bench_extension import make_store  # noqa: E402
from livesupport import LiveServer, chromium, quit_chromium  # noqa: E402
from posdriver import Pos, configure_extension  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402


def main():
    if sys.argv[1:2] == ["--french"]:
        return french(sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "docs", "screenshots"))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "docs", "screenshots")
    os.makedirs(out, exist_ok=True)
    app, token = make_store(tempfile.mkdtemp(prefix="loyalty-shot-"))
    with LiveServer(app) as server:
        driver = chromium(window=(1280, 900))
        try:
            configure_extension(driver, server.url, token)
            pos = Pos(driver, server.url).open()
            pos.attach("c-1001")
            pos.add("p-acana-25")
            pos.add("p-nwn-ch-5", times=1)
            pos.add("p-kong-m")
            pos.panel().wait_text("Current uncommitted purchases")
            shot(driver, out, "panel.png")
            pos.click("button.commit")
            pos.wait_text("Everything on this sale is committed.")
            shot(driver, out, "panel-committed.png")

            pos.find("button.close").click()
            driver.find_element(By.CSS_SELECTOR, ".btn--new-sale").click()
            pos.wait(lambda d: not d.find_elements(By.CSS_SELECTOR, ".sale-list-item"))
            pos.attach("c-1002")  # Marcus: a complete Taste of the Wild card
            pos.add("p-totw-ps-28")
            pos.panel().wait_text("reward available")
            pos.click("button.use-reward")
            pos.wait_text("Free item")
            pos.click("button.redeem-button")
            pos.wait_text("Reward redeemed", css=".status")
            shot(driver, out, "panel-reward.png")
        finally:
            quit_chromium(driver)


def shot(driver, folder, name):
    path = os.path.join(folder, name)
    driver.save_screenshot(path)
    print(path)


def french(folder):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    from loyalty.auth import create_user
    from loyalty.models import Account

    app, token = make_store(tempfile.mkdtemp(prefix="loyalty-shot-"))
    with app.app_context():
        create_user("gerant", "manager", "correct horse battery")
        dana = Account.get(Account.first_name == "Dana").id
    os.makedirs(folder, exist_ok=True)
    with LiveServer(app) as server:
        driver = chromium(window=(1280, 900))
        try:
            configure_extension(driver, server.url, token, language="fr")
            driver.get(server.url + "/signin")  # the demo POS follows the staff app's language
            Select(driver.find_element(By.NAME, "language")).select_by_value("fr")
            driver.find_element(By.CSS_SELECTOR, "form.language button").click()
            pos = Pos(driver, server.url).open()
            pos.attach("c-1001")
            pos.add("p-acana-25")
            pos.add("p-nwn-ch-5", times=1)
            pos.add("p-kong-m")
            pos.panel().wait_text("Achats en cours non enregistrés")
            driver.save_screenshot(os.path.join(folder, "panel-fr.png"))

            driver.get(server.url + "/signin")
            driver.find_element(By.NAME, "username").send_keys("gerant")
            driver.find_element(By.NAME, "password").send_keys("correct horse battery")
            driver.find_element(By.CSS_SELECTOR, "form.narrow button[type=submit]").click()
            driver.get(f"{server.url}/accounts/{dana}")
            for summary in driver.find_elements(By.CSS_SELECTOR, "article.card details > summary")[:1]:
                summary.click()
            height = driver.execute_script("return document.documentElement.scrollHeight")
            driver.set_window_size(1280, min(height + 40, 2600))
            driver.save_screenshot(os.path.join(folder, "account-fr.png"))
        finally:
            quit_chromium(driver)
    print(folder)


if __name__ == "__main__":
    main()
