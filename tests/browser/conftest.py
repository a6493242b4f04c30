"""Browser fixtures: the real server with the demo data and a register token, the session's Chromium with the
real unpacked extension configured through its options page, and the demo POS opened in it."""
from __future__ import annotations

import pytest

from loyalty import demo_data
from loyalty.auth import create_token, create_user
from posdriver import MANAGER_PIN, Pos, Store, configure_extension


@pytest.fixture
def store(live_server):
    """The live server with the demo programs/accounts, a register (cashier) token and a manager with a PIN."""
    with live_server.app.app_context():
        demo_data.load()
        _, token = create_token("Register 1", "cashier")
        create_user("boss", "manager", "correct horse battery", pin=MANAGER_PIN)
    return Store(live_server, token)


@pytest.fixture
def browser(chromium_session, store):
    configure_extension(chromium_session, store.url, store.token)
    return chromium_session


@pytest.fixture
def pos(browser, store):
    return Pos(browser, store.url).open()
