"""The store's X-Series connection: set up by a manager, secrets encrypted, never shown again."""
from __future__ import annotations

import re

from flask_babel import gettext as _

from ..audit import record
from ..db import redact_url, write_transaction
from ..errors import NotFound, ValidationFailed
from ..i18n import field_labels
from ..models import utcnow
from . import vault
from .client import RetryPolicy, XSeriesClient, XSeriesError, default_base_url
from .models import PosConnection

PREFIX = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
API_VERSION = re.compile(r"^(2\.[0-9]+|20[0-9]{2}-[0-9]{2})$")


def validate(prefix: str, token: str, webhook_secret: str, base_url: str | None = None,
             api_version: str = "2.0") -> tuple[str, str]:
    """(normalized prefix, API base URL), or ValidationFailed naming each bad field."""
    prefix = (prefix or "").strip().lower()
    errors = {}
    if not PREFIX.match(prefix):
        errors["prefix"] = [
            _("the domain prefix: letters, digits and dashes (the 'shop' of shop.retail.lightspeed.app)")]
    if not API_VERSION.match(api_version or ""):
        errors["api_version"] = [_("2.0 or a dated version such as 2026-01")]
    if not (token or "").strip():
        errors["token"] = [_("required")]
    if not (webhook_secret or "").strip():
        errors["webhook_secret"] = [_("required")]
    if base_url is not None and not re.match(r"^https?://[^\s]+$", base_url):
        errors["base_url"] = [_("an http(s) URL")]
    if errors:
        raise ValidationFailed(_("the connection is not valid: %(fields)s", fields=field_labels(errors)),
                               fields=errors)
    return prefix, (base_url or default_base_url(prefix, api_version)).rstrip("/")


def verify_token(base_url: str, token: str):
    """One small request with the token, before anything is stored: BadToken if Lightspeed refuses it."""
    with XSeriesClient(base_url, token.strip(), policy=RetryPolicy(attempts=2, timeout=10)) as client:
        client.get("products", {"page_size": 1})


def connect(prefix: str, token: str, webhook_secret: str, actor: str, *, base_url: str | None = None,
            api_version: str = "2.0") -> PosConnection:
    """Create or replace the connection of ``prefix``. The audit row names what changed, never a secret."""
    prefix, url = validate(prefix, token, webhook_secret, base_url, api_version)
    now = utcnow()
    values = {"base_url": url, "api_version": api_version, "token_encrypted": vault.encrypt(token.strip()),
              "webhook_secret_encrypted": vault.encrypt(webhook_secret.strip()), "updated_at": now}
    with write_transaction():
        conn, action = upsert_connection(prefix, actor, now, values)
        record(actor, action, "pos_connection", conn.id, prefix=prefix, base_url=redact_url(url),
               api_version=api_version)
    return conn


def connect_verified(prefix: str, token: str, webhook_secret: str, actor: str, *, base_url: str | None = None,
                     api_version: str = "2.0", verify: bool = True) -> PosConnection:
    """``connect`` after trying the token on the API: a refused token (BadToken) or an unreachable API leaves
    any existing connection as it was, and leaves an audit row of the attempt (without the token)."""
    if verify:
        url = validate(prefix, token, webhook_secret, base_url, api_version)[1]
        try:
            verify_token(url, token)
        except XSeriesError as exc:
            with write_transaction():
                record(actor, "pos.connect_refused", "pos_connection", None, prefix=prefix.strip().lower(),
                       base_url=redact_url(url), error=str(exc))
            raise
    return connect(prefix, token, webhook_secret, actor, base_url=base_url, api_version=api_version)


def get_connection(prefix: str | None = None) -> PosConnection:
    """The connection of ``prefix``; without one, the only connection there is."""
    if prefix:
        conn = PosConnection.get_or_none(PosConnection.prefix == prefix.strip().lower())
        if conn is None:
            raise NotFound(_("no Lightspeed connection '%(prefix)s': run 'loyalty pos connect' first", prefix=prefix),
                           code="not_connected")
        return conn
    conns = list(PosConnection.select().order_by(PosConnection.id).limit(2))
    if not conns:
        raise NotFound(_("no Lightspeed connection: run 'loyalty pos connect' first"), code="not_connected")
    if len(conns) > 1:
        raise ValidationFailed(_("several Lightspeed connections: say which with --prefix"),
                               fields={"prefix": [_("required")]})
    return conns[0]


def client_for(conn: PosConnection, **kwargs) -> XSeriesClient:
    policy = kwargs.pop("policy", None) or RetryPolicy()
    return XSeriesClient(conn.base_url, vault.decrypt(conn.token_encrypted), policy=policy, **kwargs)


def webhook_secret(conn: PosConnection) -> str:
    return vault.decrypt(conn.webhook_secret_encrypted)


def upsert_connection(prefix: str, actor: str, now, values: dict) -> tuple[PosConnection, str]:
    """Create the connection of ``prefix`` or replace its values, inside the caller's transaction; answers it
    and the audit action that says which ("pos.connect" or "pos.reconnect"). X-Series and R-Series share it."""
    conn = PosConnection.get_or_none(PosConnection.prefix == prefix)
    if conn is None:
        return PosConnection.create(prefix=prefix, created_by=actor, created_at=now, **values), "pos.connect"
    PosConnection.update(**values).where(PosConnection.id == conn.id).execute()
    return PosConnection.get_by_id(conn.id), "pos.reconnect"
