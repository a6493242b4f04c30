#!/usr/bin/env python3
"""Take the README's panel screenshots (docs/screenshots/) in real headless Chromium with the real extension,
against the real server with the demo data:

- panel.png: a linked customer's cards and the purchases about to punch, one Commit;
- panel-committed.png: the same sale just committed (new counts, everything committed);
- panel-reward.png: a reward redeemed on the demo POS, its discount already on the sale's line.

    .venv/bin/python scripts/screenshot_panel.py [output folder]
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


if __name__ == "__main__":
    main()
