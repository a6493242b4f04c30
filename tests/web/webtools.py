"""Helpers for the staff web app tests: a signed-in test client that sends the CSRF token, and a few data
builders that go through the real API and domain. The fixtures are in conftest.py."""
from __future__ import annotations

import re

from builders import commit, line, sale
from loyalty.models import Card, Punch

PASSWORD = "correct horse battery"
STORE_PASSWORD = "manager browser pass"  # the demo store's manager "boss" in browser tests


class Web:
    """The Flask test client signed in as one user; ``post`` adds the session's CSRF token."""

    def __init__(self, client):
        self.client = client

    def signin(self, username, password=PASSWORD):
        self.client.get("/signin")
        return self.client.post("/signin", data={"username": username, "password": password,
                                                 "csrf_token": self.csrf()})

    def csrf(self):
        with self.client.session_transaction() as s:
            return s.get("csrf", "")

    def get(self, path, **kw):
        return self.client.get(path, **kw)

    def post(self, path, data=None, confirm=False, csrf=True, **kw):
        data = dict(data or {})
        if csrf:
            data["csrf_token"] = self.csrf()
        if confirm:
            data["confirmed"] = "yes"
        return self.client.post(path, data=data, **kw)


def text(response) -> str:
    return response.get_data(as_text=True)


def new_account(api, first="Sam", last="Rivera", **kw):
    r = api.post("/api/v1/accounts", {"first_name": first, "last_name": last, **kw})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def punch(api, account_id, n, prefix="S", customer=None):
    """``n`` one-item sales of the default program's UPC to an account."""
    for i in range(n):
        commit(api, sale(f"{prefix}-{account_id}-{i}", lines=[line(1)], customer=customer, account_id=account_id))


def ledger_matches_cards():
    """Every card's cached punch count equals the sum of its ledger rows."""
    for card in Card.select():
        total = sum(p.quantity for p in Punch.select().where(Punch.card == card.id))
        assert total == card.punches, (card.id, card.status, total, card.punches)
    return True


def hidden_fields(html: str) -> dict:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html))


