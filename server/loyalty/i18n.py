"""Translations (English and Quebec French) for every page, API message, email and report.

Strings go through gettext: ``from flask_babel import gettext as _, lazy_gettext as _l`` (``_l`` for text defined
at import time), ``{{ _('...') }}`` in templates, ``%(name)s`` placeholders (never f-strings inside ``_()``), and
``ngettext`` for plurals (French: 0 and 1 are singular). Numbers, money and dates go through the filters below
(``money``, ``number``, ``date``, ``datetime``), which call Babel's formatters: fr-CA writes "12,50 $" and
"26 nov. 2026".

Which language a request gets (``select_locale``):
- API and webhooks (the register's extension): the request's ``Accept-Language``, else the store's default;
- staff pages: the signed-in user's choice (``User.language``), else the store's default
  (``LOYALTY_LANGUAGE``, ``en`` or ``fr``), else the browser's ``Accept-Language``;
- a customer's page or email: the account's language, with ``in_language(account.language)``.

The catalogs live in ``translations/<lang>/LC_MESSAGES/messages.po``; the compiled ``.mo`` files are built from
them when the app starts (``compile_catalogs``) if missing or older than the ``.po``, never edited or committed.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import re
import tempfile
from contextlib import contextmanager
from decimal import Decimal

from flask import Flask, current_app, g, has_app_context, has_request_context, request, session
from flask_babel import Babel, force_locale, get_locale, gettext, refresh
from flask_babel import lazy_gettext as _l
from babel import Locale
from babel.dates import format_skeleton
from flask_babel import format_currency, format_date, format_datetime, format_decimal, format_time
from flask_babel import to_user_timezone

from .errors import BadSetting

log = logging.getLogger("loyalty.i18n")

LANGUAGES = ("en", "fr")  # what a user, an account or the store may choose
LANGUAGE_NAMES = {"en": "English", "fr": "Français"}  # each in its own language, as language pickers show them
# The locale that formats numbers, money and dates for each language: the stores are in Canada (and the US).
FORMAT_LOCALES = {"en": "en_CA", "fr": "fr_CA"}
TRANSLATIONS_DIR = os.path.join(os.path.dirname(__file__), "translations")


def normalize_language(value) -> str | None:
    """'fr', 'fr-CA', 'FR_ca' → 'fr'; anything not offered → None."""
    if not value:
        return None
    code = str(value).strip().replace("_", "-").split("-")[0].lower()
    return code if code in LANGUAGES else None


def store_language() -> str | None:
    return normalize_language(current_app.config.get("LANGUAGE"))


_OFFERED = LANGUAGES + tuple(FORMAT_LOCALES.values()) + ("fr-CA", "en-CA", "en-US", "fr-FR")
# Accept-Language → language, for the few values a store's registers and browsers send: parsing the header and
# matching it costs a tenth of a trivial request. Bounded: past that, values are parsed each time as before.
_ACCEPT_CHOICES: dict = {}
_ACCEPT_CHOICES_MAX = 256


def _accept_language() -> str | None:
    header = request.environ.get("HTTP_ACCEPT_LANGUAGE")
    try:
        return _ACCEPT_CHOICES[header]
    except KeyError:
        pass
    chosen = normalize_language(request.accept_languages.best_match(_OFFERED))
    if len(_ACCEPT_CHOICES) < _ACCEPT_CHOICES_MAX:
        _ACCEPT_CHOICES[header] = chosen
    return chosen


def _is_api_request() -> bool:
    return request.path.startswith(("/api/", "/webhooks/"))


def _user_language() -> str | None:
    # g.user is set by the staff app's sign-in check; the session's uid alone is enough before that runs.
    user = g.get("user")
    if user is None and session.get("uid") is not None:
        from .models import User
        user = User.get_or_none(User.id == session["uid"])
    chosen = normalize_language(user.language) if user is not None else None
    return chosen or normalize_language(session.get("language"))  # chosen on the sign-in page


def request_language() -> str:
    """The language of the current request, by the rules in this module's docstring."""
    if _is_api_request():
        return _accept_language() or store_language() or "en"
    return _user_language() or store_language() or _accept_language() or "en"


# Parsed once: Flask-Babel parses what the selector returns on every request unless it is a Locale already.
_LOCALES = {code: Locale.parse(name) for code, name in FORMAT_LOCALES.items()}


def select_locale() -> Locale:
    return _LOCALES[request_language()] if has_request_context() else _LOCALES["en"]


def current_language() -> str:
    """'en' or 'fr': the language text is being written in now (inside ``in_language`` too)."""
    locale = get_locale()
    for code, chosen in _LOCALES.items():  # what select_locale returned: no need to print and parse it
        if locale is chosen:
            return code
    return normalize_language(str(locale)) if locale is not None else "en"


@contextmanager
def in_language(language):
    """Render text for someone else (a customer's email, an account's page) in their language."""
    code = normalize_language(language) or (store_language() if has_app_context() else None) or "en"
    with force_locale(FORMAT_LOCALES[code]):
        yield code


# ---- store-configured lists in both languages ------------------------------------------------------------

# The default multi-purchase reasons (domain.sales.DEFAULT_REASONS), as the catalog translates them.
DEFAULT_REASON_LABELS = {"Multiple pets": _l("Multiple pets"), "Stocking up": _l("Stocking up"),
                         "Buying for another household": _l("Buying for another household"), "Other": _l("Other")}


def reason_labels(reasons) -> dict:
    """{reason: what to show for it now}. A reason is stored as configured (LOYALTY_REASONS, one language: reports
    and audits compare them); its label is the same position of LOYALTY_REASONS_FR for French when the store
    gives that list, else the catalog's translation of a default reason, else the reason itself."""
    reasons = list(reasons)
    french = current_app.config.get("REASONS_FR") or ()
    use_french = current_language() == "fr" and len(french) == len(reasons)
    out = {}
    for i, reason in enumerate(reasons):
        if use_french:
            out[reason] = french[i]
        elif reason in DEFAULT_REASON_LABELS:
            out[reason] = str(DEFAULT_REASON_LABELS[reason])
        else:
            out[reason] = reason
    return out


def reason_label(reason: str) -> str:
    """One stored reason (a ledger row's) as reason_labels shows it."""
    return reason_labels(current_app.config["REASONS"]).get(reason) or (
        str(DEFAULT_REASON_LABELS[reason]) if reason in DEFAULT_REASON_LABELS else system_note(reason))


def _config_list(name: str) -> tuple:
    value = os.environ.get(name)
    return tuple(r.strip() for r in value.split(",") if r.strip()) if value else ()


# ---- marshmallow's messages ----------------------------------------------------------------------------------

# What marshmallow's fields and validators say (in English, already formatted) and how the catalog says it: a
# field's error in a 422 follows the request's language like every other message; the error code stays the same.
_VALIDATION_TEXTS = (
    _l("Missing data for required field."), _l("Field may not be null."), _l("Invalid value."),
    _l("Not a valid string."), _l("Not a valid utf-8 string."), _l("Not a valid integer."), _l("Not a valid number."),
    _l("Number too large."), _l("Special numeric values (nan or infinity) are not permitted."),
    _l("Not a valid boolean."), _l("Not a valid list."), _l("Invalid type."), _l("Not a valid mapping type."),
    _l("Not a valid email address."), _l("Not a valid datetime."), _l("Not a valid date."),
    _l("String does not match expected pattern."), _l("Invalid input type."), _l("Unknown field."),
)
_VALIDATION_PATTERNS = [(re.compile(pattern), message) for pattern, message in (
    (r"Length must be between (?P<min>\S+) and (?P<max>\S+)\.", _l("Length must be between %(min)s and %(max)s.")),
    (r"Shorter than minimum length (?P<min>\S+)\.", _l("Shorter than minimum length %(min)s.")),
    (r"Longer than maximum length (?P<max>\S+)\.", _l("Longer than maximum length %(max)s.")),
    (r"Length must be (?P<equal>\S+)\.", _l("Length must be %(equal)s.")),
    (r"Must be greater than or equal to (?P<min>\S+) and less than or equal to (?P<max>\S+)\.",
     _l("Must be greater than or equal to %(min)s and less than or equal to %(max)s.")),
    (r"Must be greater than or equal to (?P<min>\S+)\.", _l("Must be greater than or equal to %(min)s.")),
    (r"Must be less than or equal to (?P<max>\S+)\.", _l("Must be less than or equal to %(max)s.")),
    (r"Must be one of: (?P<choices>.*)\.", _l("Must be one of: %(choices)s.")),
)]


def field_messages(messages):
    """A marshmallow ValidationError's messages (dicts and lists of strings, nested) in the current language."""
    if isinstance(messages, dict):
        return {key: field_messages(value) for key, value in messages.items()}
    if isinstance(messages, (list, tuple)):
        return [field_messages(value) for value in messages]
    if not isinstance(messages, str):
        return messages
    for pattern, message in _VALIDATION_PATTERNS:
        match = pattern.fullmatch(messages)
        if match:
            return str(message) % match.groupdict()
    return gettext(messages)  # one of _VALIDATION_TEXTS, or a message of ours already in the current language


# ---- notes the server writes on ledger rows -------------------------------------------------------------------

# A ledger row's note or reason written by the server itself (a move, a merge, a split, points expiring) is stored
# in English, the same for every reader; shown, it reads in the page's language. What staff typed never matches.
_SYSTEM_NOTES = [(re.compile(pattern), message) for pattern, message in (
    (r"moved from account (?P<source>\d+) to (?P<target>\d+)", _l("moved from account %(source)s to %(target)s")),
    (r"merged from account (?P<source>\d+) into account (?P<target>\d+)",
     _l("merged from account %(source)s into account %(target)s")),
    (r"split from account (?P<source>\d+) to account (?P<target>\d+)",
     _l("split from account %(source)s to account %(target)s")),
    (r"sale moved to account (?P<target>\d+)", _l("sale moved to account %(target)s")),
    (r"sale moved from account (?P<source>\d+)", _l("sale moved from account %(source)s")),
    (r"earned points expired on (?P<day>\d{4}-\d\d-\d\d)", _l("earned points expired on %(day)s")),
    (r"account merge", _l("account merge")), (r"needs reason", _l("needs a reason")),
    (r"free item returned", _l("free item returned")), (r"discounted item returned", _l("discounted item returned")),
    (r"redemption cancelled", _l("redemption cancelled")), (r"sale changed", _l("sale changed")),
    (r"refund", _l("refund")),
)]


def system_note(text):
    """A server-written note in the current language (see _SYSTEM_NOTES); any other text as it is."""
    if not text:
        return text or ""
    for pattern, message in _SYSTEM_NOTES:
        match = pattern.fullmatch(text)
        if match:
            values = match.groupdict()
            if "day" in values:
                values["day"] = date(values["day"])
            return str(message) % values
    return text


# Stored and form field names (an account's details, an item's, a form's) as the audit trail and the error
# page name them.
FIELD_LABELS = {
    "first_name": _l("first name"), "last_name": _l("last name"), "email": _l("email"), "phone": _l("phone"),
    "address": _l("address"), "address_line1": _l("address"), "address_line2": _l("address (line 2)"),
    "city": _l("city"), "region": _l("province or state"), "postal_code": _l("postal code"), "country": _l("country"),
    "notes": _l("notes"), "language": _l("language"), "is_test": _l("test account"),
    "sms_consent": _l("SMS consent"), "sms_consent_source": _l("SMS consent source"),
    "email_consent": _l("email consent"), "email_consent_source": _l("email consent source"),
    "name": _l("name"), "sku": _l("SKU"), "upc": _l("UPC"), "unit_price": _l("unit price"),
    "program_id": _l("program"), "product_id": _l("product"), "sale_id": _l("sale"), "system": _l("POS"),
    "account_id": _l("account #"), "code": _l("code"), "count": _l("number of cards"),
    "quantity": _l("quantity"), "reason": _l("reason"), "note": _l("note"), "card_id": _l("card #"),
    "other_account_id": _l("other account"), "target_account_id": _l("other account"), "program": _l("program"),
    "file": _l("file"), "redemption_id": _l("redemption"), "prefix": _l("domain prefix"), "token": _l("API token"),
    "webhook_secret": _l("webhook secret"), "client_id": _l("client ID"), "client_secret": _l("client secret"),
    "base_url": _l("API base URL"), "api_version": _l("API version"), "buy_quantity": _l("buy quantity"),
    "move_sales_to": _l("move the sales to"), "resource": _l("what to sync"), "format": _l("format"),
    "token_url": _l("token URL"), "api_root": _l("API address"),
}


def field_label(key: str) -> str:
    """A form or stored field's name for people ("postal_code" -> "code postal"); an unknown one as it is."""
    return str(FIELD_LABELS[key]) if key in FIELD_LABELS else key


def field_labels(keys) -> str:
    return ", ".join(field_label(k) for k in sorted(keys))


# ---- report columns ---------------------------------------------------------------------------------------

# CSV/XLSX column headers. In English a header is the column's code (stable for the spreadsheets and scripts
# stores already have); in French, its label here. Cells stay machine-readable in both (ISO dates, plain numbers).
COLUMN_LABELS = {
    "program": _l("program"), "manufacturer": _l("manufacturer"), "distributor": _l("distributor"),
    "unique_customers": _l("unique customers"), "cards_punched": _l("cards punched"),
    "items_sold": _l("items sold"), "rewards_earned": _l("rewards earned"), "rewards_redeemed": _l("rewards redeemed"),
    "customer": _l("customer"), "address": _l("address"), "email": _l("email"), "phone": _l("phone"),
    "purchase_dates": _l("purchase dates"), "upcs": _l("UPCs"), "punches": _l("punches"),
    "item_given": _l("item given"), "item_upc": _l("item UPC"), "item_sku": _l("item SKU"),
    "max_value": _l("maximum value"), "redeemed_at": _l("redeemed at"), "sale": _l("sale"),
    "credited_at": _l("credited at"), "credited_by": _l("credited by"), "redemption_id": _l("redemption id"),
    "redemptions": _l("redemptions"), "value": _l("value"), "month": _l("month"), "earned": _l("earned"),
    "spent": _l("spent"), "adjusted": _l("adjusted"), "expired": _l("expired"),
}


def column_headers(columns) -> list[str]:
    if current_language() == "en":
        return list(columns)
    return [str(COLUMN_LABELS[c]) if c in COLUMN_LABELS else c for c in columns]


# ---- formatters: Babel's, in the current locale, never by hand ------------------------------------------------

def money(value, currency: str | None = None) -> str:
    if value is None or value == "":
        return ""
    return format_currency(Decimal(str(value)), currency or current_app.config.get("CURRENCY", "CAD"))


def number(value, digits: int | None = None) -> str:
    if value is None or value == "":
        return ""
    if digits is not None:
        return format_decimal(Decimal(str(value)), format="#,##0." + "0" * digits if digits else "#,##0")
    return format_decimal(Decimal(str(value)))


def date(value, fmt: str = "medium") -> str:
    """'26 nov. 2026' (fr) / 'Nov 26, 2026' (en); ISO strings are accepted too."""
    if not value:
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return format_date(value, fmt)  # a datetime is shown in the store's time zone


def datetime(value, fmt: str | None = None) -> str:
    """A stored naive-UTC time in the store's time zone (BABEL_DEFAULT_TIMEZONE): by default the medium date and
    the short time, '26 nov. 2026 14 h 05' / 'Nov 26, 2026 2:05 p.m.'; or one of Babel's named formats."""
    if not value:
        return ""
    if isinstance(value, str):  # an API dictionary's time: ISO, UTC ("2026-11-26T19:05:00Z")
        value = dt.datetime.fromisoformat(value.removesuffix("Z")).replace(tzinfo=None)
    if fmt:
        return format_datetime(value, fmt)
    return f"{format_date(value, 'medium')} {format_time(value, 'short')}"


def monthday(value) -> str:
    """'26 nov.' / 'Nov 26' (a box on a punch card; the year is shown under it)."""
    if not value:
        return ""
    return format_skeleton("MMMd", to_user_timezone(value) if isinstance(value, dt.datetime) else value,
                           locale=get_locale())


def monthyear(value) -> str:
    """'nov. 2026' / 'Nov 2026' (a month's bar on a chart, a report's month; '2026-11' is read too)."""
    if not value:
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:7] + "-01")
    return format_skeleton("yMMM", value, locale=get_locale())


# ---- compiled catalogs --------------------------------------------------------------------------------------

def compile_catalogs(source_dir: str = TRANSLATIONS_DIR, target_dir: str | None = None) -> list[str]:
    """Compile every ``.po`` under ``source_dir`` whose ``.mo`` (under ``target_dir``, default alongside) is
    missing or older; returns the languages compiled. Written to a temporary file and renamed, so a second
    process starting at the same moment never reads half a file."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    target_dir = target_dir or source_dir
    done = []
    if not os.path.isdir(source_dir):
        return done
    for lang in sorted(os.listdir(source_dir)):
        po_path = os.path.join(source_dir, lang, "LC_MESSAGES", "messages.po")
        if not os.path.isfile(po_path):
            continue
        mo_dir = os.path.join(target_dir, lang, "LC_MESSAGES")
        mo_path = os.path.join(mo_dir, "messages.mo")
        if os.path.exists(mo_path) and os.path.getmtime(mo_path) >= os.path.getmtime(po_path):
            continue
        with open(po_path, "rb") as f:
            catalog = read_po(f, locale=lang)
        os.makedirs(mo_dir, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=mo_dir, suffix=".mo.tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                write_mo(f, catalog, use_fuzzy=False)
            os.replace(tmp, mo_path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        done.append(lang)
    return done


def _translation_directory(app: Flask) -> str:
    """The package's own folder when it is writable (a checkout, a pip install by the same user); otherwise a
    copy compiled into the instance folder (a read-only install)."""
    try:
        compile_catalogs()
        return TRANSLATIONS_DIR
    except OSError as exc:
        target = os.path.join(app.instance_path, "translations")
        log.info("translations folder not writable (%s); compiling into %s", exc, target)
        compile_catalogs(TRANSLATIONS_DIR, target)
        return target


def init_app(app: Flask):
    app.config.setdefault("LANGUAGE", os.environ.get("LOYALTY_LANGUAGE") or None)
    app.config.setdefault("CURRENCY", os.environ.get("LOYALTY_CURRENCY", "CAD"))
    app.config.setdefault("REASONS_FR", _config_list("LOYALTY_REASONS_FR"))
    if app.config["REASONS_FR"] and len(app.config["REASONS_FR"]) != len(app.config["REASONS"]):
        raise BadSetting("LOYALTY_REASONS_FR must list as many reasons as LOYALTY_REASONS, in the same order")
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", os.environ.get("LOYALTY_TIMEZONE", "America/Toronto"))
    if app.config["LANGUAGE"] and not normalize_language(app.config["LANGUAGE"]):
        raise BadSetting(f"LOYALTY_LANGUAGE must be one of {', '.join(LANGUAGES)}, not {app.config['LANGUAGE']!r}")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = _translation_directory(app)
    app.config.setdefault("BABEL_DEFAULT_LOCALE", FORMAT_LOCALES["en"])
    # Babel's date formatters show stored UTC in the store's zone (LOYALTY_TIMEZONE, app.config["ZONE"]).
    Babel(app, locale_selector=select_locale,
          timezone_selector=lambda: app.config["ZONE"].key if app.config.get("ZONE") else "UTC")
    app.jinja_env.filters.update(money=money, number=number, date=date, datetime=datetime, monthday=monthday,
                                 monthyear=monthyear, system_note=system_note)
    app.jinja_env.globals.update(current_language=current_language, LANGUAGE_NAMES=LANGUAGE_NAMES)

    # Flask-Babel caches the locale in the app context's g, which outlives one request when a caller (a test,
    # a CLI command) holds an app context open: choose again for each request.
    app.before_request(refresh)

    @app.after_request
    def _content_language(response):
        if has_request_context():
            headers = response.headers
            if "Content-Language" not in headers:
                headers.add("Content-Language", current_language())
            if "Vary" in headers:
                response.vary.add("Accept-Language")
            else:  # the usual case: no need to parse and write back a header set
                headers.add("Vary", "Accept-Language")
        return response
