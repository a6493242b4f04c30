"""Program kinds: the one list the sale pipeline, accounts and the programs API ask.

Each kind is a module with a ``KIND`` object implementing ``base.ProgramKind``. Adding a kind is one module and
its tables, plus one entry here.
"""
from __future__ import annotations

from . import catalog, points, points_models, punch  # noqa: F401  (points_models registers the tables; catalog
# its triggers)

KINDS = {"punch": punch.KIND, "points": points.KIND}


def kind_of(program) -> object:
    return KINDS[getattr(program, "kind", None) or "punch"]


def _expire_points_due_today():
    """The server's own points expiry (the background worker runs it every hour; it is idempotent, so the
    hours after the first change nothing until more points are due)."""
    import datetime as dt

    from .points_expiry import expire_due

    return expire_due(dt.datetime.now(dt.timezone.utc).date())["points"]


def _register_jobs():
    from ..background import register_job

    register_job("points-expiry", 3600, _expire_points_due_today)


_register_jobs()
