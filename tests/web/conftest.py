"""Fixtures of the staff web app tests: users of each role and test clients signed in as them."""
import pytest

from loyalty.auth import create_user
from webtools import PASSWORD, STORE_PASSWORD, Web, text


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch):
    """Cheaper argon2 parameters for test users (the hash records its parameters, so verifying still works)."""
    from argon2 import PasswordHasher

    monkeypatch.setattr("loyalty.auth.hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def users(app):
    return {role: create_user(role + "1", role, PASSWORD) for role in ("cashier", "staff", "manager")}


def _signed_in(app, users, role):
    web = Web(app.test_client())
    r = web.signin(users[role].username)
    assert r.status_code == 302, text(r)
    return web


@pytest.fixture
def manager(app, users):
    return _signed_in(app, users, "manager")


@pytest.fixture
def staff(app, users):
    return _signed_in(app, users, "staff")


@pytest.fixture
def cashier(app, users):
    return _signed_in(app, users, "cashier")



@pytest.fixture
def store(live_server):
    """The demo store on the live server and a manager 'boss' (STORE_PASSWORD): {first name: account id}."""
    from loyalty import demo_data
    from loyalty.db import database
    from loyalty.models import Account

    with live_server.app.app_context():
        database.connect(reuse_if_open=True)
        demo_data.load()
        create_user("boss", "manager", STORE_PASSWORD)
        return {a.first_name: a.id for a in Account.select()}
