"""Fixtures: an app on a fresh SQLite file per test (a copy of an empty database made once per process), and again
on PostgreSQL when LOYALTY_TEST_POSTGRES_URL is set (each test run gets its own schema, so parallel runs never see
each other's rows; its tables are made once and emptied before each test)."""
from __future__ import annotations

import os
import secrets
import shutil
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "server"))

from builders import ACANA, Api, line, make_app, program_body, sale, write_empty_sqlite  # noqa: E402,F401
from loyalty.auth import create_token, create_user  # noqa: E402
from loyalty.db import database  # noqa: E402

PG_URL = os.environ.get("LOYALTY_TEST_POSTGRES_URL")
BACKENDS = ["sqlite"] + (["postgres"] if PG_URL else [])
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def pytest_collection_modifyitems(config, items):
    """Browser tests need Chromium: skipped with a clear reason on a developer machine without it; in CI they
    must run, so a missing browser fails them instead."""
    have = shutil.which("chromium") and shutil.which("chromedriver")
    if have or IN_CI:
        return
    skip = pytest.mark.skip(reason="Chromium/chromedriver not installed: run scripts/test as root on Debian "
                                   "to install them (apt-get install chromium chromium-driver)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """A browser test that passed is also checked by axe-core where it ended (the states it clicked through were
    checked on the way, tests/a11y.py)."""
    result = yield
    driver = item.funcargs.get("chromium_session")
    if driver is not None and hasattr(driver, "_loyalty_a11y"):
        driver._loyalty_a11y.check_new_state()
    return result


@pytest.fixture(scope="session")
def pg_schema_url():
    import psycopg2
    from urllib.parse import urlencode, urlparse

    schema = f"t_{os.getpid()}_{secrets.token_hex(3)}"
    conn = psycopg2.connect(PG_URL)
    conn.autocommit = True
    conn.cursor().execute(f'CREATE SCHEMA "{schema}"')
    parsed = urlparse(PG_URL)
    query = urlencode({"options": f"-csearch_path={schema}"})
    yield parsed._replace(query=query).geturl()
    conn.cursor().execute(f'DROP SCHEMA "{schema}" CASCADE')
    conn.close()


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return "sqlite:///" + write_empty_sqlite(str(tmp_path / "test.sqlite3"))
    return request.getfixturevalue("pg_schema_url")


@pytest.fixture
def app(db_url):
    app = make_app(db_url)
    with app.app_context():
        yield app
    if not database.is_closed():
        database.close()
    if hasattr(database.obj, "close_all"):
        database.obj.close_all()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def tokens(app):
    return {role: create_token(f"test {role}", role)[1] for role in ("cashier", "staff", "manager")}


@pytest.fixture
def api(client, tokens):
    return Api(client, tokens["cashier"])


@pytest.fixture
def manager_api(client, tokens):
    return Api(client, tokens["manager"])


@pytest.fixture
def manager_user(app, monkeypatch):
    """A manager with a PIN, hashed with cheap argon2 parameters (each hash verifies with the parameters it records;
    the production ones are checked in test_cli_and_schema.test_user_add_with_pin): the two hashes at production
    cost took 0.4 s of CPU per test."""
    from argon2 import PasswordHasher

    monkeypatch.setattr("loyalty.auth.hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    return create_user("boss", "manager", "correct horse battery", pin="4321")


@pytest.fixture
def program(manager_api):
    r = manager_api.post("/api/v1/programs", program_body())
    assert r.status_code == 201, r.get_json()
    return r.get_json()


@pytest.fixture
def linked(api):
    """An account linked to POS customer c-42 on lightspeed-x."""
    r = api.post("/api/v1/accounts", {"first_name": "Dana", "last_name": "Whitfield", "email": "dana@example.com",
                                      "phone": "555-201-3344",
                                      "link": {"system": "lightspeed-x", "customer_id": "c-42"}})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


# --- a real server and a real browser ---------------------------------------------------------------------------

@pytest.fixture
def live_server(tmp_path):
    """The app on a real WSGI server (waitress) with its own SQLite file; ``live_server.app`` for set-up."""
    from livesupport import LiveServer

    app = make_app("sqlite:///" + write_empty_sqlite(str(tmp_path / "live.sqlite3")), DEMO=True)
    with LiveServer(app) as server:
        yield server
    if not database.is_closed():
        database.close()


@pytest.fixture(scope="session")
def pages_url():
    """The stored POS pages (tests/pages) on a plain local web server."""
    import functools
    import http.server
    import threading

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    pages = os.path.join(os.path.dirname(__file__), "pages")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=pages))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def chromium_session():
    """One headless Chromium (with the extension loaded) for the whole session; tests open their own tabs. Every
    page state a test reaches is checked by axe-core (tests/a11y.py): a serious or critical violation fails it."""
    from a11y import watch
    from livesupport import chromium, quit_chromium

    driver = chromium()
    watch(driver)
    yield driver
    quit_chromium(driver)


@pytest.fixture(autouse=True)
def _fresh_browser_tab(request):
    """Each browser test starts signed out, in a new tab: live servers take any free port, so a later test's server
    can get an earlier one's address, and the shared Chromium sent it that test's session cookie (cookies belong to
    the host) and gave its pages that tab's sessionStorage (the demo POS keeps its sale there)."""
    if "chromium_session" in request.fixturenames:
        driver = request.getfixturevalue("chromium_session")
        driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
        old = list(driver.window_handles)
        driver.switch_to.new_window("tab")
        fresh = driver.current_window_handle
        for handle in old:
            driver.switch_to.window(handle)
            driver.close()
        driver.switch_to.window(fresh)
    yield
