"""Connecting an R-Series account with OAuth 2 (authorisation code), and keeping its tokens fresh.

R-Series rotates BOTH tokens on every refresh and the old refresh token stops working: the new pair is stored
as one encrypted value in the same transaction that reads the old one under a row lock (``SELECT ... FOR
UPDATE`` on PostgreSQL, the write lock on SQLite). A second worker that needs a fresh token meanwhile waits on
that lock, then finds a newer pair than the one it was refused with and uses it instead of spending a refresh
token that is already gone. Tokens never appear in a log line, an exception or an audit row.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import re
from dataclasses import dataclass
from urllib.parse import urlencode

import requests
from flask_babel import gettext as _

from ...audit import record
from ...db import is_postgres, write_transaction
from ...errors import NotFound, ValidationFailed
from ...i18n import field_labels
from ...models import utcnow
from .. import vault
from ..client import BadToken, Unavailable, XSeriesError
from ..connections import upsert_connection
from ..models import PosConnection
from .models import SYSTEM, RSeriesAccount

log = logging.getLogger("loyalty.lightspeed")

AUTHORIZE_URL = "https://cloud.lightspeedapp.com/auth/oauth/authorize"
TOKEN_URL = "https://cloud.lightspeedapp.com/auth/oauth/token"
API_ROOT = "https://api.lightspeedapp.com"
SCOPE = "employee:register employee:inventory_read employee:customers"
# Refresh a little before the stated expiry, so a request never leaves with a token about to lapse.
EARLY = dt.timedelta(seconds=60)
NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


@dataclass
class Tokens:
    access_token: str
    refresh_token: str
    expires_at: dt.datetime


def authorize_url(client_id: str, redirect_uri: str | None, state: str, *, base: str = AUTHORIZE_URL,
                  scope: str = SCOPE) -> str:
    """Where the merchant accepts the connection; R-Series then sends ``code`` (and ``state``) back."""
    params = {"response_type": "code", "client_id": client_id, "scope": scope, "state": state}
    if redirect_uri:
        params["redirect_uri"] = redirect_uri
    return f"{base}?{urlencode(params)}"


def _token_request(token_url: str, form: dict, timeout: float = 20.0) -> Tokens:
    """POST the token endpoint. A refused grant is BadToken (connect again); anything else Unavailable."""
    try:
        response = requests.post(token_url, data=form, timeout=timeout, headers={"Accept": "application/json"})
    except (requests.Timeout, requests.ConnectionError):
        raise Unavailable("Lightspeed R-Series token endpoint could not be reached; try again later") from None
    with response:
        if response.status_code in (400, 401, 403):
            try:
                error = response.json().get("error") or f"HTTP {response.status_code}"
            except ValueError:
                error = f"HTTP {response.status_code}"
            raise BadToken(f"Lightspeed R-Series refused the authorisation ({error}): connect the store again "
                           "(staff app: POS connection; CLI: loyalty pos connect --system rseries)")
        if response.status_code != 200:
            raise Unavailable(f"Lightspeed R-Series token endpoint answered HTTP {response.status_code}; "
                              "try again later")
        try:
            body = response.json()
            return Tokens(str(body["access_token"]), str(body["refresh_token"]),
                          utcnow() + dt.timedelta(seconds=int(body.get("expires_in") or 1800)))
        except (ValueError, KeyError, TypeError):
            raise Unavailable("Lightspeed R-Series token endpoint answered without a token pair") from None


def _seal(tokens: Tokens) -> str:
    return vault.encrypt(json.dumps({"access_token": tokens.access_token, "refresh_token": tokens.refresh_token}))


def _unseal(account: RSeriesAccount) -> Tokens:
    pair = json.loads(vault.decrypt(account.tokens_encrypted))
    return Tokens(pair["access_token"], pair["refresh_token"], account.expires_at)


def _account_id(api_root: str, access_token: str) -> str:
    """The account the token belongs to (``GET /API/V3/Account.json``)."""
    try:
        response = requests.get(f"{api_root.rstrip('/')}/API/V3/Account.json", timeout=20,
                                headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"})
    except (requests.Timeout, requests.ConnectionError):
        raise Unavailable("Lightspeed R-Series API could not be reached; try again later") from None
    with response:
        if response.status_code != 200:
            raise XSeriesError(f"Lightspeed R-Series answered HTTP {response.status_code} for Account.json")
        account = response.json().get("Account")
    if isinstance(account, list):
        account = account[0] if account else None
    if not isinstance(account, dict) or not account.get("accountID"):
        raise XSeriesError("Lightspeed R-Series did not say which account the token belongs to")
    return str(account["accountID"])


def connect(code: str, *, client_id: str, client_secret: str, actor: str, redirect_uri: str | None = None,
            name: str | None = None, token_url: str = TOKEN_URL, api_root: str = API_ROOT) -> PosConnection:
    """Exchange an authorisation code, find the account, store the connection (a new one, or the same account's
    again). A refused code leaves an audit row of the attempt and changes nothing."""
    errors = {}
    if not (code or "").strip():
        errors["code"] = [_("required")]
    if not (client_id or "").strip():
        errors["client_id"] = [_("required")]
    if not (client_secret or "").strip():
        errors["client_secret"] = [_("required")]
    if name is not None and not NAME.match(name.strip().lower()):
        errors["name"] = [_("letters, digits and dashes")]
    for key, url in (("token_url", token_url), ("api_root", api_root)):
        if not re.match(r"^https?://[^\s]+$", url or ""):
            errors[key] = [_("an http(s) URL")]
    if errors:
        raise ValidationFailed(_("the R-Series connection is not valid: %(fields)s", fields=field_labels(errors)),
                               fields=errors)
    form = {"client_id": client_id.strip(), "client_secret": client_secret.strip(), "code": code.strip(),
            "grant_type": "authorization_code"}
    if redirect_uri:
        form["redirect_uri"] = redirect_uri
    try:
        tokens = _token_request(token_url, form)
        account_id = _account_id(api_root, tokens.access_token)
    except XSeriesError as exc:
        with write_transaction():
            record(actor, "pos.connect_refused", "pos_connection", None, system=SYSTEM, error=str(exc))
        raise
    prefix = (name or f"r{account_id}").strip().lower()
    now = utcnow()
    with write_transaction():
        conn = PosConnection.get_or_none(PosConnection.prefix == prefix)
        if conn is not None and conn.system != SYSTEM:
            raise ValidationFailed(_("'%(name)s' is already an X-Series connection: choose another name",
                                     name=prefix), fields={"name": [_("taken")]})
        values = {"base_url": f"{api_root.rstrip('/')}/API/V3/Account/{account_id}", "api_version": "V3",
                  # Nothing to keep here for R-Series: the tokens live in RSeriesAccount, as one pair.
                  "token_encrypted": vault.encrypt(""), "webhook_secret_encrypted": vault.encrypt(""),
                  "updated_at": now, "system": SYSTEM}
        conn, action = upsert_connection(prefix, actor, now, values)
        oauth = {"account_id": account_id, "api_root": api_root.rstrip("/"), "token_url": token_url,
                 "client_id": client_id.strip(), "client_secret_encrypted": vault.encrypt(client_secret.strip()),
                 "tokens_encrypted": _seal(tokens), "expires_at": tokens.expires_at, "refreshed_at": now}
        existing = RSeriesAccount.get_or_none(RSeriesAccount.connection == conn.id)
        if existing is None:
            RSeriesAccount.create(connection=conn.id, generation=1, **oauth)
        else:
            RSeriesAccount.update(generation=RSeriesAccount.generation + 1, **oauth).where(
                RSeriesAccount.id == existing.id).execute()
        record(actor, action, "pos_connection", conn.id, prefix=prefix, system=SYSTEM, account_id=account_id,
               api_root=api_root)
    return conn


def rseries_account(conn: PosConnection) -> RSeriesAccount:
    account = RSeriesAccount.get_or_none(RSeriesAccount.connection == conn.id)
    if account is None:
        raise NotFound(_("'%(name)s' is not an R-Series connection", name=conn.prefix), code="not_connected")
    return account


class TokenKeeper:
    """The access token of one connection for a client: ``current()`` (refreshed first when it is about to
    expire) and ``renew(refused)`` after a 401. Safe across threads and processes: see the module's docstring."""

    def __init__(self, conn: PosConnection):
        self.connection_id = conn.id
        self._token: str | None = None

    def current(self) -> str:
        if self._token is None:
            account = RSeriesAccount.get(RSeriesAccount.connection == self.connection_id)
            tokens = _unseal(account)
            if tokens.expires_at - EARLY > utcnow():
                self._token = tokens.access_token
                return self._token
            self._token = self._refresh(refused=None)
        return self._token

    def renew(self) -> str:
        """After the API refused ``current()``: a newer token (another worker's, or one refreshed now)."""
        self._token = self._refresh(refused=self._token)
        return self._token

    def _refresh(self, refused: str | None) -> str:
        with write_transaction():
            query = RSeriesAccount.select().where(RSeriesAccount.connection == self.connection_id)
            account = (query.for_update() if is_postgres() else query).get()
            tokens = _unseal(account)
            if refused is None and tokens.expires_at - EARLY > utcnow():
                return tokens.access_token  # another worker refreshed while this one waited for the lock
            if refused is not None and tokens.access_token != refused:
                return tokens.access_token  # the pair changed since this client read it: use the new one
            secret = vault.decrypt(account.client_secret_encrypted)
            new = _token_request(account.token_url, {
                "client_id": account.client_id, "client_secret": secret, "refresh_token": tokens.refresh_token,
                "grant_type": "refresh_token"})
            RSeriesAccount.update(tokens_encrypted=_seal(new), expires_at=new.expires_at, refreshed_at=utcnow(),
                                  generation=RSeriesAccount.generation + 1).where(
                RSeriesAccount.id == account.id).execute()
            log.info("Lightspeed R-Series connection %s: tokens refreshed", self.connection_id)
            return new.access_token
