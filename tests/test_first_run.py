"""A newcomer's first run: the demo and every CLI command share one instance folder, the demo creates a user of
each role, and its history is spread over the past year (issue 10, items 1-3)."""
import datetime as dt
import os
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

from loyalty.cli import DEMO_USERS, main, prepare_demo
from loyalty.db import database
from loyalty.models import Card, Punch, Redemption, Sale, User, utcnow

ROOT = os.path.join(os.path.dirname(__file__), "..")


@pytest.fixture
def instance(tmp_path, monkeypatch):
    """A fresh instance folder, and no database URL: what a fresh clone has. Users' passwords are hashed with cheap
    argon2 parameters (the demo's three users at production cost were a third of each test's time; the production
    parameters are checked in test_cli_and_schema.test_user_add_with_pin)."""
    from argon2 import PasswordHasher

    monkeypatch.setattr("loyalty.auth.hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    folder = tmp_path / "instance"
    monkeypatch.setenv("LOYALTY_INSTANCE", str(folder))
    monkeypatch.delenv("LOYALTY_DATABASE_URL", raising=False)
    yield folder
    if not database.is_closed():
        database.close()


def test_a_user_added_after_the_demo_signs_in_to_the_demo(instance):
    app, created, token = prepare_demo()
    assert created and token.startswith("lb_")
    r = CliRunner().invoke(main, ["user", "add", "kim", "--role", "staff", "--password", "kim's long pass"])
    assert r.exit_code == 0, r.output
    # The server the demo runs (same app object, so the same database) lets kim in.
    client = app.test_client()
    page = client.get("/signin").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    r = client.post("/signin", data={"username": "kim", "password": "kim's long pass", "csrf_token": csrf})
    assert r.status_code == 302, r.get_data(as_text=True)
    assert os.path.exists(instance / "loyalty.sqlite3")
    assert os.path.exists(instance / "demo-register-token")


def test_the_demo_creates_a_manager_a_staff_member_and_a_cashier(instance):
    prepare_demo()
    roles = {u.username: u.role for u in User.select()}
    assert roles == {"manager": "manager", "staff": "staff", "cashier": "cashier"}
    assert [u[1] for u in DEMO_USERS] == ["manager", "staff", "cashier"]
    listed = CliRunner().invoke(main, ["staff", "list"]).output
    assert "staff\tstaff\tactive" in listed and "cashier\tcashier\tactive" in listed
    # Running the demo again keeps the data and the users; --fresh starts over.
    _, created, _ = prepare_demo()
    assert not created and User.select().count() == 3
    _, created, _ = prepare_demo(fresh=True)
    assert created


def test_demo_history_is_spread_over_the_past_year(instance):
    prepare_demo()
    now = utcnow()
    days = {s.created_at.date() for s in Sale.select()}
    assert len(days) >= 40, "sales on many different days, not one minute"
    oldest = min(p.created_at for p in Punch.select())
    newest = max(p.created_at for p in Punch.select())
    assert dt.timedelta(days=300) < now - oldest <= dt.timedelta(days=366)
    assert now - newest < dt.timedelta(days=30)
    months = {(p.created_at.year, p.created_at.month) for p in Punch.select()}
    assert len(months) >= 10
    # Rewards were earned and redeemed along the way; the older ones are already credited.
    assert Redemption.select().count() >= 4
    assert Redemption.select().where(Redemption.credited_at.is_null(False)).count() >= 1
    # The register's demo customers are as the extension's tests expect: Dana at 7 of 12, nothing expired.
    from loyalty.models import Account, Program
    dana = Account.get(Account.first_name == "Dana")
    acana = Program.get(Program.name == "ACANA 25 lb Frequent Buyer")
    assert Card.get((Card.account == dana.id) & (Card.program == acana.id)).punches == 7
    assert Card.select().where(Card.status == "expired").count() == 0


def test_readme_tells_how_to_reach_the_loyalty_command():
    readme = open(os.path.join(ROOT, "README.md")).read()
    assert ". .venv/bin/activate" in readme
    # The command the README puts on PATH is the one the package installs.
    out = subprocess.run([os.path.join(os.path.dirname(sys.executable), "loyalty"), "--help"],
                         capture_output=True, text=True)
    assert out.returncode == 0 and "demo" in out.stdout


def test_processes_starting_at_once_share_one_whole_secret_key(tmp_path):
    """serve, a worker and parallel test runs may create the instance's key at the same moment: every one of them
    must read the same complete key (it failed with FileExistsError, or read an empty file)."""
    import threading
    from types import SimpleNamespace

    from loyalty import _instance_secret

    for attempt in range(20):
        folder = tmp_path / f"instance-{attempt}"
        folder.mkdir()
        app = SimpleNamespace(instance_path=str(folder))
        start, keys, errors = threading.Barrier(12), [], []

        def create():
            start.wait()
            try:
                keys.append(_instance_secret(app))
            except Exception as exc:  # noqa: BLE001 - the old code raised here
                errors.append(exc)

        threads = [threading.Thread(target=create) for _ in range(12)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == [] and len(keys) == 12 and len(set(keys)) == 1 and len(keys[0]) == 64
        assert sorted(p.name for p in folder.iterdir()) == ["secret_key"]
