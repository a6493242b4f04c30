"""Bearer tokens for devices and integrations, roles, and a manager's PIN approving a register action."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import NamedTuple

from argon2 import PasswordHasher
from flask_babel import gettext as _
from argon2.exceptions import InvalidHashError, VerificationError

from . import fastsql
from .audit import record
from .db import write_transaction
from .errors import Forbidden, LoyaltyError, Unauthorized
from .models import ApiToken, User, utcnow
from .throttle import Locked, Throttle, forgive, take_attempt

ROLES = ("cashier", "staff", "manager")
RANK = {role: i for i, role in enumerate(ROLES)}
TOKEN_PREFIX = "lb_"
hasher = PasswordHasher()


def hash_token(token: str) -> str:
    # Tokens are 256 random bits, so a fast hash is enough and lets the lookup use an index.
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(name: str, role: str, created_by: str = "cli") -> tuple[ApiToken, str]:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with write_transaction():
        row = ApiToken.create(name=name, role=role, token_hash=hash_token(token), prefix=token[:10],
                              created_by=created_by)
        record(created_by, "token.create", "api_token", row.id, name=name, role=role)
    return row, token


def revoke_token(token_id: int, actor: str) -> ApiToken | None:
    with write_transaction():
        row = ApiToken.get_or_none(ApiToken.id == token_id)
        if row is not None and row.revoked_at is None:
            row.revoked_at = utcnow()
            row.save()
            record(actor, "token.revoke", "api_token", row.id, name=row.name)
    return row


class TokenUse(NamedTuple):
    """The token a request came with: what the API needs of it (``g.token``)."""

    id: int
    name: str
    role: str


# Read on every request, never cached in the process: a revocation made by another process (the staff app of a
# second server, `loyalty tokens revoke`, an edit in the database) refuses the very next request. Only the columns
# the request needs, as plain values: the row's other dates are not parsed for nothing.
_TOKEN_SQL = 'SELECT "id", "name", "role", "revoked_at", "last_used_at" FROM "api_token" WHERE "token_hash" = ?'
_TOUCH_EVERY = dt.timedelta(minutes=1)


def authenticate(header: str | None) -> TokenUse:
    if not header or not header.startswith("Bearer "):
        raise Unauthorized(_("missing token: send 'Authorization: Bearer <token>'"), code="token_missing")
    token = header[len("Bearer "):].strip()
    found = fastsql.rows(_TOKEN_SQL, (hash_token(token),)) if token else None
    if not found or found[0][3] is not None:
        raise Unauthorized(_("this token is not valid (revoked or mistyped)"), code="token_invalid")
    token_id, name, role, _revoked, last_used = found[0]
    now = utcnow()
    # Touch last_used_at at most once a minute: a write per request would serialise the registers on SQLite. In
    # the writer's turn like every write: outside it, this one waited in SQLite's busy handler behind other
    # processes' commits.
    if last_used is None or now - ApiToken.last_used_at.python_value(last_used) > _TOUCH_EVERY:
        with write_transaction():
            fastsql.update(ApiToken, token_id, {"last_used_at": now})
    return TokenUse(token_id, name, role)


def require_role(role: str, have: str):
    if RANK[have] < RANK[role]:
        raise Forbidden(_("this needs the %(role)s role", role=role), code="forbidden")


PIN_WINDOW = dt.timedelta(minutes=15)
PIN_MAX_FAILURES = 5


def pin_lock_time(failures: int) -> dt.timedelta:
    return PIN_WINDOW if failures >= PIN_MAX_FAILURES else dt.timedelta(0)


def approve_with_pin(pin: str, actor: str) -> User:
    """A manager's PIN typed at a register: the manager who approved, or 403. Failures are audited and a run
    of them locks the register's token out for a while. The attempt is counted before the PIN is checked, so
    parallel requests get no more checks than the lock-out allows."""
    where = Throttle.key == f"pin:{actor}"[:200]
    try:
        take_attempt(Throttle, where, pin_lock_time, create={"key": f"pin:{actor}"[:200]}, forget_after=PIN_WINDOW)
    except Locked:
        raise LoyaltyError(_("too many wrong PINs: wait 15 minutes or use a manager's sign-in"),
                           code="rate_limited", status=429) from None
    for user in User.select().where((User.role == "manager") & User.active & User.pin_hash.is_null(False)):
        try:
            if hasher.verify(user.pin_hash, pin):
                forgive(Throttle, where)
                return user
        except (VerificationError, InvalidHashError):
            continue
    with write_transaction():
        record(actor, "auth.pin_failed", "api_token", None)
    raise Forbidden(_("manager PIN not recognised"), code="pin_invalid")


def create_user(username: str, role: str, password: str, pin: str | None = None, actor: str = "cli",
                language: str | None = None) -> User:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    with write_transaction():
        user = User.create(username=username, role=role, password_hash=hasher.hash(password),
                           pin_hash=hasher.hash(pin) if pin else None, language=language)
        record(actor, "user.create", "user", user.id, username=username, role=role)
    return user
