"""The command line, database URLs, schema migrations and the committed OpenAPI document."""
import json
import os

import pytest
from click.testing import CliRunner
from peewee import TextField
from playhouse.migrate import migrate

from loyalty.cli import main
from loyalty.db import make_database, redact_url

ROOT = os.path.join(os.path.dirname(__file__), "..")


def test_database_urls():
    db = make_database("sqlite:////tmp/x/loyalty.sqlite3")
    assert db.database == "/tmp/x/loyalty.sqlite3"
    assert make_database("sqlite:///rel.sqlite3").database == "rel.sqlite3"
    assert make_database("sqlite:///:memory:").database == ":memory:"
    pg = make_database("postgresql://u:s3cret@db.local:5433/loyalty?sslmode=require")
    assert pg.database == "loyalty" and pg.connect_params["host"] == "db.local"
    assert pg.connect_params["port"] == 5433 and pg.connect_params["sslmode"] == "require"
    with pytest.raises(ValueError):
        make_database("mysql://x")
    assert "s3cret" not in redact_url("postgresql://u:s3cret@db.local/loyalty")


def test_token_create_prints_the_token_alone_on_its_last_line(tmp_path, monkeypatch):
    url = "sqlite:///" + str(tmp_path / "cli.sqlite3")
    monkeypatch.setenv("LOYALTY_DATABASE_URL", url)
    runner = CliRunner()
    result = runner.invoke(main, ["init-db"])
    assert result.exit_code == 0, result.output
    assert "database ready" in result.output
    result = runner.invoke(main, ["token", "create", "--name", "Register 1", "--role", "cashier"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("lb_") and " " not in token
    from loyalty.auth import hash_token
    from loyalty.models import ApiToken
    assert ApiToken.get(ApiToken.name == "Register 1").token_hash == hash_token(token)
    listed = runner.invoke(main, ["token", "list"]).output
    assert "Register 1" in listed and token not in listed
    assert runner.invoke(main, ["token", "create", "--name", "x", "--role", "owner"]).exit_code != 0


def test_user_add_with_pin(tmp_path, monkeypatch):
    monkeypatch.setenv("LOYALTY_DATABASE_URL", "sqlite:///" + str(tmp_path / "cli.sqlite3"))
    runner = CliRunner()
    r = runner.invoke(main, ["user", "add", "maria", "--role", "manager", "--password", "long enough pw",
                             "--pin", "2468"])
    assert r.exit_code == 0, r.output
    from loyalty.auth import hasher
    from loyalty.models import User
    u = User.get(User.username == "maria")
    assert hasher.verify(u.pin_hash, "2468") and u.password_hash != "long enough pw"
    # Stored with argon2's recommended parameters (the tests' fixtures use cheaper ones): argon2id at the library's
    # default cost, which check_needs_rehash compares with what each hash records.
    from argon2 import PasswordHasher
    assert u.password_hash.startswith("$argon2id$") and u.pin_hash.startswith("$argon2id$")
    assert not PasswordHasher().check_needs_rehash(u.password_hash)
    assert not PasswordHasher().check_needs_rehash(u.pin_hash)
    assert runner.invoke(main, ["user", "add", "maria", "--role", "manager", "--password", "long enough pw"]
                         ).exit_code != 0
    assert runner.invoke(main, ["user", "add", "bo", "--role", "cashier", "--password", "short"]).exit_code != 0


def test_migrations_run_once_and_keep_data(app):
    from loyalty.db import database
    from loyalty.migrations import SchemaVersion, upgrade
    from loyalty.models import Account

    upgrade([])
    Account.create(first_name="Keep", last_name="Me", name_key="me keep")

    def m1_add_column(migrator):
        migrate(migrator.add_column("account", "pet_names", TextField(default="")))

    assert upgrade([m1_add_column]) == [1]
    assert upgrade([m1_add_column]) == []
    cols = [c.name for c in database.get_columns("account")]
    assert "pet_names" in cols
    assert Account.get().first_name == "Keep"
    assert SchemaVersion.select().count() == 1
    from loyalty.migrations import migrator
    migrate(migrator().drop_column("account", "pet_names"))  # the PostgreSQL schema outlives this test


def test_committed_openapi_document_matches_the_code(app):
    from loyalty.openapi import build_spec

    with open(os.path.join(ROOT, "docs", "openapi.json")) as f:
        committed = json.load(f)
    assert committed == json.loads(json.dumps(build_spec(app))), \
        "docs/openapi.json is stale: run `loyalty openapi -o docs/openapi.json`"
    commit = committed["paths"]["/api/v1/sales/commit"]["post"]
    assert commit["requestBody"]["content"]["application/json"]["schema"]
    assert "409" in commit["responses"]


def test_demo_token_is_stable_across_restarts(tmp_path, monkeypatch):
    from loyalty.cli import _demo_token
    from loyalty.db import init_database
    from loyalty.migrations import upgrade

    init_database("sqlite:///" + str(tmp_path / "demo.sqlite3"))
    upgrade()
    first = _demo_token(str(tmp_path))
    assert _demo_token(str(tmp_path)) == first
    assert oct(os.stat(tmp_path / "demo-register-token").st_mode & 0o777) == "0o600"
    from loyalty.auth import revoke_token
    from loyalty.models import ApiToken
    revoke_token(ApiToken.get().id, "test")
    assert _demo_token(str(tmp_path)) != first


@pytest.mark.parametrize("name, value, says", [
    ("LOYALTY_TIMEZONE", "Mars/Olympus", "is not an IANA time zone name"),
    ("LOYALTY_LANGUAGE", "de", "LOYALTY_LANGUAGE must be one of en, fr"),
    ("LOYALTY_DATABASE_URL", "mysql://db/loyalty", "unsupported database URL scheme"),
])
def test_a_wrong_setting_is_one_line_not_a_traceback(tmp_path, monkeypatch, name, value, says):
    monkeypatch.setenv("LOYALTY_DATABASE_URL", "sqlite:///" + str(tmp_path / "cli.sqlite3"))
    monkeypatch.setenv(name, value)
    result = CliRunner().invoke(main, ["staff", "list"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and says in result.output
    assert "Traceback" not in result.output and result.output.count("\n") == 1
