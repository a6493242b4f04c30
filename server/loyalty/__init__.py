"""Loyalty Bridge: frequent-buyer punch cards for independent stores on a web POS."""
from __future__ import annotations

import logging
import os
import time

from flask import Flask, g, jsonify, request
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _
from flask_cors import CORS
from marshmallow import ValidationError
from peewee import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from . import background  # noqa: F401  (registers the outbox and job tables)
from . import guards
from .db import database, init_database, is_postgres
from .errors import LoyaltyError
from .i18n import field_messages
from .localtime import zone_from_setting
from .domain.sales import DEFAULT_REASONS

log = logging.getLogger("loyalty")


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with no signing serializer built for a request that sends no session
    cookie and leaves its session empty (every register's API request): Flask builds one per request otherwise,
    a tenth of a trivial request's time."""

    def open_session(self, app, request):
        if app.secret_key and ("HTTP_COOKIE" not in request.environ
                               or not request.cookies.get(self.get_cookie_name(app))):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app, session, response):
        if not session and not session.modified:  # nothing to send or delete
            if session.accessed:
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)


class LoyaltyFlask(Flask):
    """Flask, asking once per view or hook whether it is a coroutine function: Flask's ``ensure_sync`` inspects
    the function on every call, about ten times a request. The answers are kept for at most 1,024 callables
    (the app's views, hooks and error handlers are a few hundred); others are inspected each time as before."""

    SYNC_CACHE_MAX = 1024

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._sync_callables: dict = {}

    def ensure_sync(self, func):
        try:
            return self._sync_callables[func]
        except KeyError:
            synced = super().ensure_sync(func)
            if len(self._sync_callables) < self.SYNC_CACHE_MAX:
                self._sync_callables[func] = synced
            return synced
        except TypeError:  # an unhashable callable
            return super().ensure_sync(func)


def default_database_url(app: Flask) -> str:
    return "sqlite:///" + os.path.join(app.instance_path, "loyalty.sqlite3")


def instance_folder() -> str | None:
    """The one instance folder (database, secret key, demo register token) that the server, the demo and every
    CLI command share, wherever they are started from: ``LOYALTY_INSTANCE`` or Flask's default (``server/instance``
    in a source checkout, ``<venv>/var/loyalty-instance`` for an installed package)."""
    path = os.environ.get("LOYALTY_INSTANCE")
    return os.path.abspath(path) if path else None


def create_app(config: dict | None = None) -> Flask:
    app = LoyaltyFlask(__name__, instance_relative_config=True, instance_path=instance_folder())
    app.session_interface = CookieSessions()
    app.config.from_mapping(
        SECRET_KEY=os.environ.get("LOYALTY_SECRET_KEY") or None,
        DATABASE_URL=os.environ.get("LOYALTY_DATABASE_URL"),
        PHONE_REGION=os.environ.get("LOYALTY_PHONE_REGION", "US"),
        REASONS=tuple(r.strip() for r in os.environ["LOYALTY_REASONS"].split(",")) if os.environ.get(
            "LOYALTY_REASONS") else DEFAULT_REASONS,
        MAX_CONTENT_LENGTH=1024 * 1024,
        DEMO=os.environ.get("LOYALTY_DEMO") == "1",
        STORE_NAME=os.environ.get("LOYALTY_STORE_NAME", "Loyalty Bridge"),
        TIMEZONE=os.environ.get("LOYALTY_TIMEZONE", ""),
        MEMBER_CARDS_PER_ACCOUNT=int(os.environ.get("LOYALTY_MEMBER_CARDS_PER_ACCOUNT", "1")),
        # PostgreSQL only, off by default: "off" lets a register's commit answer before its WAL reaches the disk
        # (docs/performance.md says what a crash of the database machine can then lose).
        REGISTER_SYNCHRONOUS_COMMIT=os.environ.get("LOYALTY_REGISTER_SYNCHRONOUS_COMMIT", "on"),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=os.environ.get("LOYALTY_INSECURE_COOKIES") != "1",
    )
    if config:
        app.config.from_mapping(config)
    # The store's zone, checked once at start: a typo in LOYALTY_TIMEZONE stops the server with a clear message.
    app.config["ZONE"] = zone_from_setting(app.config["TIMEZONE"])
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret(app)
    if not app.config["DATABASE_URL"]:
        app.config["DATABASE_URL"] = default_database_url(app)
    if app.config.get("INIT_DATABASE", True):
        init_database(app.config["DATABASE_URL"])

    @app.before_request
    def _start_timer():
        # No connect here: peewee connects on the first query, so requests that need no database take none.
        g.started = time.perf_counter()

    @app.after_request
    def _server_timing(response):
        # The server's own time for this request, for clients and benchmarks (Server-Timing is a W3C header).
        started = g.get("started")
        if started is not None:
            response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.2f}"
        return response

    @app.teardown_request
    def _release(exc):
        # A pooled PostgreSQL connection goes back to the pool; SQLite keeps one connection per server thread.
        if not database.is_closed() and is_postgres():
            database.close()

    guards.init_app(app)
    from . import i18n
    i18n.init_app(app)
    CORS(app, resources={r"/api/*": {"origins": "*"}},
         allow_headers=["Authorization", "Content-Type", "Accept-Language", "Idempotency-Key"])
    _register_error_handlers(app)

    from .api import bp as api_bp
    app.register_blueprint(api_bp)
    _register_optional_blueprints(app)
    return app


def _register_optional_blueprints(app: Flask):
    """Feature packages that may or may not be present yet (staff web app, demo POS, POS integrations)."""
    import importlib

    for module_name in ("loyalty.web", "loyalty.demo_pos", "loyalty.lightspeed", "loyalty.messages",
                        "loyalty.customer_page"):
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue
            raise
        module.init_app(app)


def _instance_secret(app: Flask) -> str:
    """A secret key kept in the instance folder, so sessions survive restarts without configuration."""
    import secrets
    import tempfile

    path = os.path.join(app.instance_path, "secret_key")
    if not os.path.exists(path):
        # Several processes can start at once (a worker beside the server, parallel test runs): each writes a key
        # to a private file and links it into place, so the first one wins and no one reads a half-written key.
        fd, mine = tempfile.mkstemp(dir=app.instance_path, prefix=".secret_key-")
        try:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32))
            try:
                os.link(mine, path)
            except FileExistsError:
                pass
        finally:
            os.unlink(mine)
    with open(path) as f:
        return f.read().strip()


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path.startswith("/webhooks/")


def _register_error_handlers(app: Flask):
    @app.errorhandler(LoyaltyError)
    def _loyalty_error(exc: LoyaltyError):
        return jsonify(exc.to_dict()), exc.status

    @app.errorhandler(ValidationError)
    def _validation_error(exc: ValidationError):
        fields = field_messages(exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages})
        return jsonify({"error": {"code": "invalid", "message": _("some fields are not valid: %(fields)s",
                                                                  fields=", ".join(sorted(fields))),
                                  "fields": fields}}), 422

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if not _wants_json():
            return exc
        codes = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
                 405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "unsupported_media_type",
                 429: "rate_limited"}
        message = _("the body is too large (1 MB at most)") if exc.code == 413 else exc.description
        response = jsonify({"error": {"code": codes.get(exc.code, "http_error"), "message": message,
                                      "fields": {}}})
        # Keep what the exception says beyond its text: a 405's Allow (RFC 9110 requires it), a 429's Retry-After.
        for name, value in exc.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response, exc.code

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def _database_busy(exc):
        # SQLite waits busy_timeout for the write lock; PostgreSQL may report a deadlock or a connection that a
        # restart cut (the pool drops it). Tell the client to retry (commits are idempotent), not a 500.
        text = str(exc).lower()
        if not any(word in text for word in ("locked", "deadlock", "connection", "terminat")):
            return _unexpected(exc)
        log.warning("database unavailable on %s %s: %s", request.method, request.path, type(exc).__name__)
        response = jsonify({"error": {"code": "busy", "message": _("the database is busy or restarting; try again"),
                                      "fields": {}}})
        response.headers["Retry-After"] = "1"
        return response, 503

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unexpected error on %s %s", request.method, request.path)
        if _wants_json():
            return jsonify({"error": {"code": "server_error", "message": _("something went wrong on the server; "
                                                                           "it has been logged"), "fields": {}}}), 500
        return _("Something went wrong on the server; it has been logged."), 500
