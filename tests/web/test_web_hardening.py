"""Sign-in under attack (issue 9), on SQLite and PostgreSQL: open redirects, lock-outs raced by parallel requests,
usernames told apart by the lock-out, and sessions that outlive sign-out."""
import re
import threading
import time

import pytest

from loyalty.models import User
from webtools import PASSWORD, Web, text


class CountingHasher:
    """The test hasher, counting password/PIN checks; each check takes a moment, as argon2 does, so parallel
    requests really overlap."""

    def __init__(self, inner):
        self.inner, self.checks, self._lock = inner, 0, threading.Lock()

    def hash(self, secret):
        return self.inner.hash(secret)

    def verify(self, hashed, secret):
        with self._lock:
            self.checks += 1
        time.sleep(0.05)
        return self.inner.verify(hashed, secret)


@pytest.fixture
def counting(monkeypatch):
    import loyalty.auth

    hasher = CountingHasher(loyalty.auth.hasher)
    monkeypatch.setattr("loyalty.auth.hasher", hasher)
    return hasher


# Requests at once: below the 32 pooled PostgreSQL connections of one process (the server itself runs 8 threads).
PARALLEL = 30


def all_at_once(n, request):
    """``request(i)`` from ``n`` threads released together; their answers' status codes."""
    barrier = threading.Barrier(n)
    statuses = [None] * n

    def run(i):
        barrier.wait()
        statuses[i] = request(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return statuses


def signin_clients(app, n):
    clients = [Web(app.test_client()) for _ in range(n)]
    for web in clients:
        web.client.get("/signin")
    return clients


def message(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", re.search(r'class="error"[^>]*>(.*?)</', text(response),
                                                                 re.S).group(1))).strip()


# --- 1. open redirect ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("target", ["/\t/evil.example", "/\n/evil.example",
                                    " //evil.example", "\\\\evil.example", "/\\evil.example", "\t//evil.example",
                                    "https://evil.example/", "//evil.example", "/\r\nSet-Cookie: x=1",
                                    "\x01//evil.example", "java\tscript:alert(1)"])
def test_sign_in_never_redirects_off_the_site(app, users, target):
    web = Web(app.test_client())
    web.client.get("/signin")
    r = web.post("/signin", {"username": "cashier1", "password": PASSWORD, "next": target})
    assert r.status_code == 302, text(r)[:300]
    location = r.headers["Location"]
    # A path on this server, even read as a browser reads it: no second slash or backslash, no blanks at all.
    assert location.startswith("/") and location[1:2] not in ("/", "\\")
    assert not re.search(r"[\x00-\x20\x7f]", location), location


def test_the_next_page_as_the_browser_sent_it_is_kept(app, users):
    web = Web(app.test_client())
    r = web.client.get("/signin?next=/%09/evil.example")
    assert r.status_code == 200
    r = web.post("/signin", {"username": "cashier1", "password": PASSWORD, "next": "/accounts/1?tab=cards"})
    assert r.headers["Location"] == "/accounts/1?tab=cards"


# --- 3. lock-outs beaten by parallel requests --------------------------------------------------------------------

@pytest.mark.parametrize("username", ["staff1", "no-such-user"])
def test_parallel_wrong_passwords_get_only_the_allowed_checks(app, users, counting, username):
    clients = signin_clients(app, PARALLEL)
    statuses = all_at_once(PARALLEL, lambda i: clients[i].signin(username, "wrong password").status_code)
    assert statuses.count(401) == 3 and statuses.count(429) == PARALLEL - 3, statuses
    assert counting.checks == 3
    if username == "staff1":
        assert User.get(User.username == "staff1").failed_logins == 3  # no update lost


def test_parallel_wrong_pins_get_only_the_allowed_checks(app, api, manager_user, linked, counting):
    def unlink(_):
        return api.delete("/api/v1/links/lightspeed-x/c-42", {"reason": "wrong person", "manager_pin": "0000"}
                          ).status_code

    statuses = all_at_once(PARALLEL, unlink)
    assert statuses.count(403) == 5 and statuses.count(429) == PARALLEL - 5, statuses
    assert counting.checks == 5  # one manager with a PIN: one check per attempt let through


def test_a_right_pin_after_a_few_wrong_ones_still_works(api, manager_user, linked):
    for _ in range(3):
        assert api.delete("/api/v1/links/lightspeed-x/c-42", {"reason": "x", "manager_pin": "0000"}
                          ).status_code == 403
    r = api.delete("/api/v1/links/lightspeed-x/c-42", {"reason": "wrong person", "manager_pin": "4321"})
    assert r.status_code == 200, r.get_json()


# --- 7. user enumeration through the lock-out --------------------------------------------------------------------

def test_an_unknown_username_locks_out_exactly_like_a_real_one(app, users):
    answers = {}
    for username in ("staff1", "nobody-here"):
        web = Web(app.test_client())
        answers[username] = [web.signin(username, "wrong") for _ in range(5)]
    real, unknown = answers["staff1"], answers["nobody-here"]
    assert [r.status_code for r in real] == [r.status_code for r in unknown] == [401, 401, 401, 429, 429]
    seconds = re.compile(r"\d+ seconds")  # the wait counts down while the test runs
    assert [seconds.sub("N seconds", message(r)) for r in real] == [seconds.sub("N seconds", message(r))
                                                                     for r in unknown]
    assert "too many failed sign-ins" in message(real[3])


def test_a_locked_out_user_keeps_getting_429_even_with_the_password(app, users):
    web = Web(app.test_client())
    for _ in range(3):
        web.signin("staff1", "wrong")
    assert [web.signin("staff1").status_code for _ in range(3)] == [429, 429, 429]


# --- 6. sessions survive sign-out ----------------------------------------------------------------------------

def copy_of(app, web):
    """A second browser holding a copy of ``web``'s session cookie (what a thief would have)."""
    thief = app.test_client()
    thief.set_cookie("session", web.client.get_cookie("session").value)
    return thief


def test_sign_out_ends_a_copied_session(app, users):
    web = Web(app.test_client())
    web.signin("manager1")
    thief = copy_of(app, web)
    assert thief.get("/").status_code == 200
    web.post("/signout")
    r = thief.get("/")
    assert r.status_code == 302 and "/signin" in r.headers["Location"]


def test_sign_out_ends_the_sessions_on_other_devices_too(app, users):
    till, office = Web(app.test_client()), Web(app.test_client())
    till.signin("staff1")
    office.signin("staff1")
    till.post("/signout")
    assert office.get("/").status_code == 302
    assert office.signin("staff1").status_code == 302 and office.get("/").status_code == 200


def test_a_lock_out_ends_the_users_sessions(app, users):
    web = Web(app.test_client())
    web.signin("staff1")
    attacker = Web(app.test_client())
    for _ in range(3):
        attacker.signin("staff1", "guess")
    assert web.get("/").status_code == 302


def test_a_password_change_ends_the_users_sessions(app, users, db_url, monkeypatch):
    from click.testing import CliRunner

    from loyalty.cli import main

    web = Web(app.test_client())
    web.signin("staff1")
    thief = copy_of(app, web)
    from loyalty.db import database
    from loyalty.migrations import MIGRATIONS, SchemaVersion

    database.create_tables([SchemaVersion], safe=True)  # the test's tables were made in their latest shape
    for n in range(1, len(MIGRATIONS) + 1):
        SchemaVersion.get_or_create(version=n)
    monkeypatch.setenv("LOYALTY_DATABASE_URL", db_url)
    r = CliRunner().invoke(main, ["staff", "password", "staff1", "--password", "a brand new password"])
    SchemaVersion.delete().execute()  # the PostgreSQL schema is shared by the session's tests
    assert r.exit_code == 0, r.output
    assert web.get("/").status_code == 302 and thief.get("/").status_code == 302


# --- 5. NUL bytes on PostgreSQL, from people with no credentials ------------------------------------------------

def test_a_nul_in_the_sign_in_form_is_a_clean_400(app, users):
    web = Web(app.test_client())
    web.client.get("/signin")
    r = web.post("/signin", {"username": "staff\x001", "password": "x"})
    assert r.status_code == 400
    r = web.post("/signin", {"username": "staff1", "password": PASSWORD, "next": "/\x00"})
    assert r.status_code == 400
