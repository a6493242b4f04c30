"""``loyalty staff ...``: look after the people who sign in to the staff app (``loyalty user add`` creates them)."""
from __future__ import annotations

import click


def _ready_app():
    from ..cli import _app, _init_db

    app = _app()
    _init_db(app)
    return app


@click.group()
def staff():
    """Staff app sign-ins: list users, lift a lock-out, set a new password."""


@staff.command("list")
def staff_list():
    from ..models import User

    with _ready_app().app_context():
        for user in User.select().order_by(User.username):
            state = "active" if user.active else "disabled"
            if user.locked_until:
                state += f", locked until {user.locked_until:%Y-%m-%d %H:%M} UTC"
            click.echo(f"{user.username}\t{user.role}\t{state}\tfailed sign-ins: {user.failed_logins}")


@staff.command("unlock")
@click.argument("username")
def staff_unlock(username):
    """Let a user who mistyped the password too often sign in again at once."""
    from ..audit import record
    from ..db import write_transaction
    from ..models import User

    with _ready_app().app_context():
        with write_transaction():
            user = User.get_or_none(User.username == username)
            if user is None:
                raise click.ClickException(f"no user {username!r}")
            User.update(failed_logins=0, locked_until=None).where(User.id == user.id).execute()
            record("cli", "user.unlock", "user", user.id, username=username)
    click.echo(f"{username} can sign in again")


@staff.command("password")
@click.argument("username")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def staff_password(username, password):
    """Set a new password (it also lifts any lock-out)."""
    from .. import auth
    from ..audit import record
    from ..db import write_transaction
    from ..models import User

    if len(password) < 8:
        raise click.ClickException("the password needs at least 8 characters")
    with _ready_app().app_context():
        with write_transaction():
            user = User.get_or_none(User.username == username)
            if user is None:
                raise click.ClickException(f"no user {username!r}")
            # A new password also ends every session signed in with the old one.
            User.update(password_hash=auth.hasher.hash(password), failed_logins=0, locked_until=None,
                        session_gen=User.session_gen + 1).where(User.id == user.id).execute()
            record("cli", "user.password", "user", user.id, username=username)
    click.echo(f"password of {username} changed")


COMMANDS = [staff]
