"""Program kinds: the one list the sale pipeline, accounts and the programs API ask.

Each kind is a module with a ``KIND`` object implementing ``base.ProgramKind``. Adding a kind is one module and
its tables, plus one entry here.
"""
from __future__ import annotations

from . import points, points_models, punch  # noqa: F401  (points_models registers the tables)

KINDS = {"punch": punch.KIND, "points": points.KIND}


def kind_of(program) -> object:
    return KINDS[getattr(program, "kind", None) or "punch"]
