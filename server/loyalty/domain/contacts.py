"""Normalising what customers give us: phones to E.164, emails to one canonical lower-case form."""
from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _


class ContactError(ValueError):
    pass


def normalize_phone(raw: str | None, region: str = "US") -> str | None:
    """E.164 for a phone typed any way ("(555) 010-4477", "+1 555 010 4477"); None for empty input."""
    if raw is None or not str(raw).strip():
        return None
    try:
        number = phonenumbers.parse(str(raw), region)
    except phonenumbers.NumberParseException as exc:
        raise ContactError(_("not a phone number: %(error)s", error=exc)) from None
    if not phonenumbers.is_possible_number(number):
        raise ContactError(_("not a possible phone number"))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def try_normalize_phone(raw: str | None, region: str = "US") -> str | None:
    """Like normalize_phone, but None for input that is not a phone (searching must not fail)."""
    try:
        return normalize_phone(raw, region)
    except ContactError:
        return None


# A North American number as normalize_phone stores it: "+1", then ten digits of which the first is 2-9.
_NANP_E164 = re.compile(r"\+1[2-9][0-9]{9}")


def _parse_stored(e164: str, region: str) -> phonenumbers.PhoneNumber:
    """``phonenumbers.parse`` of a stored number; a North American one is built directly, as parse builds it (most
    of display_phone's time was the parse, paid for nearly every answer: a store has more customers than the cache
    holds)."""
    if _NANP_E164.fullmatch(e164):
        return phonenumbers.PhoneNumber(country_code=1, national_number=int(e164[2:]))
    return phonenumbers.parse(e164, region)


@lru_cache(maxsize=4096)  # every register answer shows its account's phone: parsing it is ~30 µs
def display_phone(e164: str | None, region: str = "US") -> str:
    """'+15552013344' as '(555) 201-3344' for a store in the US or Canada; a foreign number in international
    format. Storage keeps E.164; this is only for people to read."""
    if not e164:
        return ""
    try:
        number = _parse_stored(e164, region)
    except phonenumbers.NumberParseException:
        return e164
    same_country = number.country_code == phonenumbers.country_code_for_region(region)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL if same_country
                                      else phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def normalize_email(raw: str | None) -> str | None:
    if raw is None or not str(raw).strip():
        return None
    try:
        result = validate_email(str(raw).strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ContactError(str(exc)) from None
    # Matching is case-insensitive: store the whole address lower-cased.
    return result.normalized.lower()


def try_normalize_email(raw: str | None) -> str | None:
    try:
        return normalize_email(raw)
    except ContactError:
        return None
