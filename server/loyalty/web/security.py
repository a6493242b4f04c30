"""Sign-in, sessions, roles and CSRF for the staff app (no JavaScript needed for any of it).

The session is Flask's signed cookie (HttpOnly, SameSite=Lax, Secure: set in ``create_app``); it holds the user id
and a CSRF token. Every POST must echo that token in a ``csrf_token`` form field. Failed sign-ins lock the user
out for a time that doubles with each failure past a few, so password guessing is slowed to a crawl.
"""
from __future__ import annotations

import datetime as dt
import hmac
import secrets
import time
from functools import wraps

from argon2.exceptions import InvalidHashError, VerificationError
from flask import abort, g, redirect, request, session, url_for
from flask_babel import gettext as _, lazy_gettext as _l, ngettext

from ..audit import record
from .. import auth
from ..auth import RANK
from ..db import write_transaction
from ..models import AuditLog, User, utcnow

FREE_FAILURES = 3  # mistyped passwords allowed before any lock-out
MAX_LOCK = dt.timedelta(minutes=15)
# Sign-ins with unknown usernames from one address: a lock on a user cannot slow down probing for usernames.
UNKNOWN_USER_LIMIT = 20
UNKNOWN_USER_WINDOW = dt.timedelta(minutes=15)
SESSION_MAX_AGE = dt.timedelta(hours=12)  # a shared till PC: a forgotten session ends by the next day
# Verified against when the username is unknown, so both cases cost one argon2 hash (no username probing).
_DUMMY_HASH = auth.hasher.hash("not a real password")


ROLE_NAMES = {"cashier": _l("cashier"), "staff": _l("staff"), "manager": _l("manager")}


def role_name(role: str) -> str:
    return str(ROLE_NAMES.get(role, role))


class SignInRefused(Exception):
    def __init__(self, message: str, status: int = 401):
        super().__init__(message)
        self.message, self.status = message, status


def lock_time(failures: int) -> dt.timedelta:
    if failures < FREE_FAILURES:
        return dt.timedelta(0)
    return min(dt.timedelta(seconds=15 * 2 ** (failures - FREE_FAILURES)), MAX_LOCK)


def check_password(username: str, password: str) -> User:
    """The active user with this password, or SignInRefused (401 wrong, 429 locked out)."""
    now = utcnow()
    user = User.get_or_none(User.username == (username or "").strip())
    probe_actor = f"ip:{request.remote_addr}"
    if user is None and AuditLog.select().where(
            (AuditLog.action == "auth.signin_unknown") & (AuditLog.actor == probe_actor)
            & (AuditLog.at >= now - UNKNOWN_USER_WINDOW)).count() >= UNKNOWN_USER_LIMIT:
        raise SignInRefused(_("too many failed sign-ins from this address: try again in 15 minutes"), 429)
    if user is not None and user.locked_until is not None and user.locked_until > now:
        wait = int((user.locked_until - now).total_seconds()) + 1
        raise SignInRefused(ngettext("too many failed sign-ins: try again in %(num)d second",
                                     "too many failed sign-ins: try again in %(num)d seconds", wait), 429)
    try:
        ok = auth.hasher.verify(user.password_hash if user else _DUMMY_HASH, password or "")
    except (VerificationError, InvalidHashError):
        ok = False
    if user is None or not ok or not user.active:
        if user is None:
            with write_transaction():
                record(probe_actor, "auth.signin_unknown", "user", None, username=(username or "")[:80])
        else:
            with write_transaction():
                failures = user.failed_logins + 1
                locked = now + lock_time(failures) if lock_time(failures) else None
                User.update(failed_logins=failures, locked_until=locked).where(User.id == user.id).execute()
                record(f"user:{user.username}", "auth.signin_failed", "user", user.id, failures=failures,
                       ip=request.remote_addr)
        raise SignInRefused(_("wrong username or password"))
    with write_transaction():
        if user.failed_logins or user.locked_until:
            User.update(failed_logins=0, locked_until=None).where(User.id == user.id).execute()
        record(f"user:{user.username}", "auth.signin", "user", user.id, ip=request.remote_addr)
    return user


def sign_in(user: User):
    language = session.get("language")  # picked on the sign-in page: kept
    session.clear()  # a fresh session (and CSRF token) at every sign-in
    if language:
        session["language"] = language
    session["uid"] = user.id
    session["since"] = int(time.time())
    session["csrf"] = secrets.token_urlsafe(32)


def current_user() -> User | None:
    uid = session.get("uid")
    if uid is None:
        return None
    if time.time() - session.get("since", 0) > SESSION_MAX_AGE.total_seconds():
        session.clear()
        return None
    user = User.get_or_none((User.id == uid) & (User.active == True))  # noqa: E712
    if user is None:
        session.clear()
    return user


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def check_csrf():
    """Refuse a state-changing request whose form does not carry the session's token."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    sent = request.form.get("csrf_token", "")
    expected = session.get("csrf", "")
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        abort(400, description=_("This form has expired or did not come from this site (CSRF check failed). "
                                 "Go back, reload the page and try again."))


def needs(role: str = "cashier"):
    """A view for signed-in users with at least ``role``; sets g.user and g.actor."""
    def wrap(view):
        @wraps(view)
        def inner(*args, **kwargs):
            user = current_user()
            if user is None:
                return redirect(url_for("web.signin", next=request.full_path if request.method == "GET" else None))
            g.user, g.actor = user, f"user:{user.username}"
            if RANK.get(user.role, -1) < RANK[role]:
                abort(403, description=_("This page needs the %(role)s role; you are signed in as a %(yours)s.",
                                         role=role_name(role), yours=role_name(user.role)))
            return view(*args, **kwargs)
        inner.required_role = role
        return inner
    return wrap


def can(role: str) -> bool:
    user = getattr(g, "user", None)
    return user is not None and RANK.get(user.role, -1) >= RANK[role]


def safe_next(target: str | None) -> str:
    """Only a path on this site: never redirect a signed-in user to another host."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("web.search")
