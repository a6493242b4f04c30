"""App-wide guards every answer passes through: bounded ids in routes, no NUL characters in what the app reads,
and the security headers on every answer (JSON, error pages and 404/405 included, not only the staff pages)."""
from __future__ import annotations

from flask import Flask, request
from flask_babel import gettext as _

from .bounds import IdConverter, InputRefused, has_nul

# No scripts at all, no framing (a manager's confirm button must not be clickable through another site's page),
# forms only to this site, and nothing personal left in a shared till PC's cache. JSON answers get the same:
# a browser told to render one as a page then runs nothing.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'none'; object-src 'none'; frame-ancestors 'none'; "
                               "form-action 'self'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
# The demo POS is a single-page app with its own script (demo mode only): no CSP that forbids scripts there.
SCRIPTED_BLUEPRINTS = {"demo_pos"}


def _refuse_nul():
    """PostgreSQL text cannot hold NUL (psycopg2 raises ValueError), so a NUL in the path, the query string or a
    staff form is a 400 before any view runs. JSON bodies are checked where they are parsed (bounds.loads);
    webhook forms are read raw for their signature, so they check their own fields."""
    if has_nul(request.path) or (request.environ.get("QUERY_STRING") and any(
            has_nul(k) or has_nul(v) for k, v in request.args.items(multi=True))):
        raise InputRefused(_("the address holds a NUL character"))
    if request.blueprint == "web" and request.method == "POST" and any(
            has_nul(k) or has_nul(v) for k, v in request.form.items(multi=True)):
        raise InputRefused(_("the form holds a NUL character"))


_SECURITY_ITEMS = tuple((name, value, name.lower()) for name, value in SECURITY_HEADERS.items())
_SCRIPTED_ITEMS = tuple(item for item in _SECURITY_ITEMS if item[2] != "content-security-policy")


def _security_headers(response):
    # A header a view or a blueprint set already is kept (setdefault); the names are read once, not once a header.
    items = _SCRIPTED_ITEMS if request.blueprint in SCRIPTED_BLUEPRINTS else _SECURITY_ITEMS
    present = {name.lower() for name, _value in response.headers}
    response.headers.extend([(name, value) for name, value, lower in items if lower not in present])
    return response


def init_app(app: Flask):
    app.url_map.converters["id"] = IdConverter
    app.before_request(_refuse_nul)
    app.after_request(_security_headers)
