"""Sign-in, sessions, roles and CSRF for the staff app (no JavaScript needed for any of it).

The session is Flask's signed cookie (HttpOnly, SameSite=Lax, Secure: set in ``create_app``); it holds the user id
and a CSRF token. Every POST must echo that token in a ``csrf_token`` form field. Failed sign-ins lock the user
out for a time that doubles with each failure past a few, so password guessing is slowed to a crawl.
"""
from __future__ import annotations

import datetime as dt
import hmac
import re
import secrets
import time
from functools import wraps

from argon2.exceptions import InvalidHashError, VerificationError
from flask import abort, g, redirect, request, session, url_for
from flask_babel import gettext as _, lazy_gettext as _l, ngettext
from werkzeug.urls import iri_to_uri

from ..audit import record
from .. import auth
from ..auth import RANK
from ..db import write_transaction
from ..models import User
from ..throttle import Locked, Throttle, forgive, take_attempt

FREE_FAILURES = 3  # mistyped passwords allowed before any lock-out
MAX_LOCK = dt.timedelta(minutes=15)
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


def _counted_row(name: str, user: User | None):
    """Where the failures of this username are counted: its user row, or a throttle row for an unknown name
    (locked out exactly like a real one, so a 429 never tells that a username exists)."""
    if user is not None:
        return User, User.id == user.id, None
    key = f"signin:{name}"
    return Throttle, Throttle.key == key, {"key": key}


def check_password(username: str, password: str) -> User:
    """The active user with this password, or SignInRefused (401 wrong, 429 locked out). The attempt is counted
    before the password is checked, so parallel guesses get no more checks than the lock-out allows."""
    name = (username or "").strip()[:80]
    user = User.get_or_none(User.username == name)
    model, where, create = _counted_row(name, user)
    try:
        _count, locking = take_attempt(model, where, lock_time, create=create)
    except Locked as exc:
        raise SignInRefused(ngettext("too many failed sign-ins: try again in %(num)d second",
                                     "too many failed sign-ins: try again in %(num)d seconds", exc.wait),
                            429) from None
    try:
        ok = auth.hasher.verify(user.password_hash if user else _DUMMY_HASH, password or "")
    except (VerificationError, InvalidHashError):
        ok = False
    if user is None or not ok or not user.active:
        with write_transaction():
            if user is None:
                record(f"ip:{request.remote_addr}", "auth.signin_unknown", "user", None, username=name)
            else:
                record(f"user:{user.username}", "auth.signin_failed", "user", user.id, ip=request.remote_addr,
                       failures=User.get_by_id(user.id).failed_logins)
        if user is not None and locking:
            end_sessions(user.id, "auth.locked_out")  # someone is guessing: a copied session ends too
        raise SignInRefused(_("wrong username or password"))
    forgive(model, where)
    with write_transaction():
        record(f"user:{user.username}", "auth.signin", "user", user.id, ip=request.remote_addr)
    return user


def end_sessions(user_id: int, why: str, actor: str = "system"):
    """End every session of this user, on every device: sign-out, a password or role change, a lock-out.
    Sessions carry the user's ``session_gen``; raising it makes each of them stale at its next request."""
    with write_transaction():
        User.update(session_gen=User.session_gen + 1).where(User.id == user_id).execute()
        record(actor, "auth.sessions_ended", "user", user_id, why=why)


def sign_in(user: User):
    language = session.get("language")  # picked on the sign-in page: kept
    session.clear()  # a fresh session (and CSRF token) at every sign-in
    if language:
        session["language"] = language
    session["uid"] = user.id
    session["gen"] = user.session_gen
    session["since"] = int(time.time())
    session["csrf"] = secrets.token_urlsafe(32)


def sign_out():
    user = current_user()
    if user is not None:
        end_sessions(user.id, "signout", f"user:{user.username}")
    session.clear()


def current_user() -> User | None:
    uid = session.get("uid")
    if uid is None:
        return None
    if time.time() - session.get("since", 0) > SESSION_MAX_AGE.total_seconds():
        session.clear()
        return None
    user = User.get_or_none((User.id == uid) & (User.active == True))  # noqa: E712
    if user is None or user.session_gen != session.get("gen", 0):
        session.clear()
        return None
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
    """Only a path on this site: never redirect a signed-in user to another host. Decided on the URL as a browser
    reads it (tabs and newlines dropped, surrounding spaces and control characters trimmed, ``\\`` as ``/``), and
    that normalised URL is what is returned, so the check and the redirect see the same thing."""
    default = url_for("web.search")
    if not target:
        return default
    cleaned = re.sub(r"[\t\n\r]", "", target).strip("".join(map(chr, range(0x21)))).replace("\\", "/")
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in cleaned):
        return default
    if not cleaned.startswith("/") or cleaned.startswith("//"):
        return default
    return iri_to_uri(cleaned)  # a Location header is ASCII
