"""``loyalty user add`` then ``loyalty staff list/unlock/password`` on a real SQLite file."""
from click.testing import CliRunner

from loyalty.cli import main
from loyalty.models import User


def test_add_lock_unlock_and_reset_a_password(tmp_path, monkeypatch):
    monkeypatch.setenv("LOYALTY_DATABASE_URL", "sqlite:///" + str(tmp_path / "cli.sqlite3"))
    runner = CliRunner()
    r = runner.invoke(main, ["user", "add", "kim", "--role", "staff", "--password", "long enough pass"])
    assert r.exit_code == 0, r.output
    User.update(failed_logins=9, locked_until=User.created_at).execute()
    r = runner.invoke(main, ["staff", "list"])
    assert "kim\tstaff\tactive, locked until" in r.output and "failed sign-ins: 9" in r.output
    assert runner.invoke(main, ["staff", "unlock", "kim"]).exit_code == 0
    assert User.get().failed_logins == 0 and User.get().locked_until is None
    old = User.get().password_hash
    r = runner.invoke(main, ["staff", "password", "kim", "--password", "another long pass"])
    assert r.exit_code == 0 and User.get().password_hash != old
    r = runner.invoke(main, ["staff", "unlock", "nobody"])
    assert r.exit_code != 0 and "no user 'nobody'" in r.output
    assert runner.invoke(main, ["staff", "password", "kim", "--password", "short"]).exit_code != 0
