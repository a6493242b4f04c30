#!/usr/bin/env python3
"""Take the README's screenshots of what customers see: the card email and the welcome email as a mail app
shows them (sent over real SMTP to aiosmtpd, the inline QR put back in place), and the customer's own page on a
phone-sized Chromium window; also the printable sheet of a card batch.

    .venv/bin/python scripts/screenshot_customer.py [output folder]
"""
from __future__ import annotations

import base64
import html as html_lib
import os
import re
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path[:0] = [os.path.join(ROOT, "server"), os.path.join(ROOT, "tests")]

from builders import make_app  # noqa: E402
from livesupport import LiveServer, chromium, quit_chromium  # noqa: E402
from mailsupport import SmtpServer  # noqa: E402


def email_as_html(message) -> str:
    """The HTML part with each cid: image replaced by a data: URL (what a mail app does)."""
    html = message.get_body(preferencelist=("html",)).get_content()
    for part in message.walk():
        cid = part.get("Content-ID")
        if cid:
            data = base64.b64encode(part.get_content()).decode()
            html = html.replace(f"cid:{cid[1:-1]}", f"data:{part.get_content_type()};base64,{data}")
    header = (f"<div style='font:13px system-ui;padding:10px 14px;background:#fff;border-bottom:1px solid #ddd'>"
              f"<b>{html_lib.escape(message['Subject'])}</b><br>From: {html_lib.escape(message['From'])}<br>"
              f"To: {html_lib.escape(message['To'])}</div>")
    return re.sub(r"(<body[^>]*>)", r"\1" + header.replace("\\", "\\\\"), html, count=1)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "docs", "screenshots")
    os.makedirs(out, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="loyalty-shot-")
    smtp = SmtpServer().start()
    app = make_app("sqlite:///" + os.path.join(tmp, "shot.sqlite3"), DEMO=True, SMTP_URL=smtp.url,
                   STORE_NAME="Paws & Co", MAIL_FROM="Paws & Co <rewards@example-petstore.com>")
    from loyalty import demo_data
    from loyalty.background import run_once
    from loyalty.domain.accounts import update_account
    from loyalty.member_cards.domain import assign, create_batch
    from loyalty.messages import links
    from loyalty.models import Account

    with app.app_context():
        demo_data.load()
        dana = Account.get(Account.email == "dana.whitfield@example.com")
        update_account(dana.id, {"email_consent": True, "consent_source": "demo"}, "demo")
        codes = create_batch("Counter cards", 10, "demo")[1]
        assign(codes[0], "demo", account_id=dana.id)
        from loyalty.domain.accounts import create_account
        create_account({"first_name": "Sam", "last_name": "Rivera", "email": "sam.rivera@example.com",
                        "email_consent": True}, "demo")
        run_once()
        page_path = f"/me/{links.page_token(dana.id)}"
    smtp.stop()
    with LiveServer(app) as server:
        app.config["PUBLIC_URL"] = server.url
        driver = chromium(extension=None, window=(420, 1300))
        try:
            for message in smtp.messages:
                name = "email-card" if "member card" in message["Subject"] else "email-welcome"
                path = os.path.join(tmp, name + ".html")
                with open(path, "w") as f:
                    f.write(email_as_html(message))
                driver.set_window_size(560, 1100)
                driver.get("file://" + path)
                driver.save_screenshot(os.path.join(out, name + ".png"))
            driver.set_window_size(420, 1500)
            driver.get(server.url + page_path)
            driver.save_screenshot(os.path.join(out, "customer-page.png"))
        finally:
            quit_chromium(driver)
    print(out)


if __name__ == "__main__":
    main()
