"""``loyalty points``: points work run from the command line (and by the server's daily job)."""
from __future__ import annotations

import datetime as dt

import click


@click.group("points")
def points():
    """Points programs: expiry."""


@points.command("expire")
@click.option("--as-of", "as_of", default=None, metavar="DATE",
              help="expire what is due on or before this day (YYYY-MM-DD; default today, UTC)")
def expire(as_of):
    """Write the expiry rows that are due. Running it twice changes nothing."""
    from ..cli import _app, _init_db
    from ..db import database
    from .points_expiry import expire_due

    try:
        day = dt.date.fromisoformat(as_of) if as_of else dt.datetime.now(dt.timezone.utc).date()
    except ValueError:
        raise click.BadParameter("a date as YYYY-MM-DD", param_hint="--as-of") from None
    app = _app()
    _init_db(app)
    with app.app_context():
        database.connect(reuse_if_open=True)
        done = expire_due(day, actor="cli:points expire")
    click.echo(f"expired {done['points']} points on {done['accounts']} accounts (as of {day.isoformat()})")


COMMANDS = [points]
