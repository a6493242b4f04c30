"""Member card codes: Crockford base32 (digits and capitals without I, L, O, U) plus one check character.

Why this alphabet: a USB scanner is a keyboard, and only digits and capital letters come through the same on
every keyboard layout (a French Canadian layout garbles ``-`` and ``/``). Why a check character: a mistyped or
misread code must be refused as "not a card code" rather than looked up, so a typo can never land on another
customer's account. The check is Luhn mod 32 over the same alphabet: it catches every single wrong character
and nearly every swap of two neighbouring characters, and stays in the alphabet (Crockford's own check symbols
``*~$=`` would not come through a scanner).
"""
from __future__ import annotations

import secrets

from flask_babel import gettext

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
BODY_LENGTH = 10  # 50 random bits: guessing a valid code is hopeless, a million cards never collide in practice
CODE_LENGTH = BODY_LENGTH + 1
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
# Crockford's reading rules for people typing a code: I and L read as 1, O as 0; case and separators ignored.
_READ_AS = {"I": "1", "L": "1", "O": "0"}


class InvalidCode(ValueError):
    """Not a member card code (wrong length, a character outside the alphabet, or the check does not match)."""


def check_character(body: str) -> str:
    """Luhn mod 32: double every second value from the right, fold back into the base, sum."""
    total = 0
    factor = 2
    for char in reversed(body):
        addend = factor * _VALUE[char]
        factor = 1 if factor == 2 else 2
        total += addend // 32 + addend % 32
    return ALPHABET[(32 - total % 32) % 32]


def new_code() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return body + check_character(body)


def normalize(text: str) -> str:
    """The canonical code from what a scanner or a person typed, or ``InvalidCode``."""
    raw = "".join((text or "").split()).replace("-", "").upper()
    raw = "".join(_READ_AS.get(c, c) for c in raw)
    if len(raw) != CODE_LENGTH:
        raise InvalidCode(gettext("a card code has %(num)d letters and digits", num=CODE_LENGTH))
    if any(c not in _VALUE for c in raw):
        raise InvalidCode(gettext("a card code has only digits and the letters A-Z (without U)"))
    if check_character(raw[:-1]) != raw[-1]:
        raise InvalidCode(gettext("this is not a card code: its check character does not match (mistyped?)"))
    return raw


def is_valid(text: str) -> bool:
    try:
        normalize(text)
        return True
    except InvalidCode:
        return False


def grouped(code: str) -> str:
    """For people to read: ``ABCD EFGH JKM`` (the scanner payload has no spaces)."""
    return " ".join(code[i:i + 4] for i in range(0, len(code), 4))
