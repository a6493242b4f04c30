#!/usr/bin/env python3
"""Take docs/screenshots/panel.png: the extension's panel open on the demo POS for a linked customer, in real
headless Chromium against the real server with the demo data.

    .venv/bin/python scripts/screenshot_panel.py [output.png]
"""
from __future__ import annotations

import os
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path[:0] = [os.path.join(ROOT, "server"), os.path.join(ROOT, "tests"), os.path.join(ROOT, "tests", "browser")]

from bench_extension import make_store  # noqa: E402
from livesupport import LiveServer, chromium, quit_chromium  # noqa: E402
from posdriver import Pos, configure_extension  # noqa: E402


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "docs", "screenshots", "panel.png")
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
            os.makedirs(os.path.dirname(out), exist_ok=True)
            driver.save_screenshot(out)
        finally:
            quit_chromium(driver)
    print(out)


if __name__ == "__main__":
    main()
