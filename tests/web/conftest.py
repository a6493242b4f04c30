"""Fixtures of the staff web app tests: users of each role and test clients signed in as them."""
import pytest

from loyalty.auth import create_user
from webtools import PASSWORD, Web, text


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
