"""A points program's rules and rewards in plain words, for the staff app ("1 point for every $1.00 spent")."""
from __future__ import annotations

from decimal import Decimal

from flask import has_app_context
from flask_babel import gettext as _, ngettext

from ..i18n import money
from .points_rules import earn


def _money(value) -> str:
    # Babel's, in the page's language ("$1.00", "1,00 $"); plain dollars where no app is running (a script).
    if has_app_context():
        return money(value)
    return f"${Decimal(value):,.2f}"


def _products(rule: dict) -> str:
    codes = list(rule.get("upcs") or []) + list(rule.get("skus") or [])
    if not codes:
        return _("no product")
    if len(codes) > 3:
        return _("%(codes)s and %(n)s more", codes=", ".join(codes[:3]), n=len(codes) - 3)
    return ", ".join(codes)


def plain(value) -> str:
    """A decimal as people write it: 10, 2.5 (never 1E+1)."""
    return f"{Decimal(value).normalize():f}"


def _points(n: int) -> str:
    return ngettext("%(num)d point", "%(num)d points", n)


def describe_rule(rule: dict) -> str:
    points = _points(rule["points"])
    if rule["type"] == "spend":
        text = _("%(points)s for every %(amount)s spent", points=points, amount=_money(rule["per_amount"]))
    elif rule["type"] == "item":
        text = _("%(points)s for each unit of %(products)s", points=points, products=_products(rule))
    else:
        text = _("%(points)s for each visit", points=points)
    if rule.get("min_spend") and Decimal(rule["min_spend"]) > 0:
        text += _(", when the sale reaches %(amount)s", amount=_money(rule["min_spend"]))
    if rule.get("multiplier") and Decimal(rule["multiplier"]) != 1:
        text += _(", times %(factor)s", factor=plain(rule["multiplier"]))
    if rule.get("valid_from") and rule.get("valid_until"):
        text += _(", from %(start)s to %(end)s", start=rule["valid_from"], end=rule["valid_until"])
    elif rule.get("valid_from"):
        text += _(", from %(start)s", start=rule["valid_from"])
    elif rule.get("valid_until"):
        text += _(", until %(end)s", end=rule["valid_until"])
    return text


def describe_reward(reward: dict) -> str:
    cost = _points(reward["cost"])
    if reward["kind"] == "amount_off":
        return _("%(cost)s = %(amount)s off", cost=cost, amount=_money(reward["value"]))
    if reward["kind"] == "percent_off":
        return _("%(cost)s = %(percent)s percent off", cost=cost, percent=plain(reward["value"]))
    if reward.get("max_value"):
        return _("%(cost)s = a free %(products)s (worth at most %(amount)s)", cost=cost,
                 products=_products(reward), amount=_money(reward["max_value"]))
    return _("%(cost)s = a free %(products)s", cost=cost, products=_products(reward))


def describe_exclusions(settings: dict) -> str | None:
    codes = list(settings.get("exclude_upcs") or []) + list(settings.get("exclude_skus") or [])
    return _("Never earn: %(codes)s", codes=", ".join(codes)) if codes else None


def preview_earn(settings: dict, amount: Decimal, when) -> int:
    """What a sale of one ordinary item at ``amount`` earns today (the staff app's "a $57.40 sale earns N")."""
    return earn(settings, [{"line_id": "1", "quantity": Decimal(1), "unit_price": amount}], when)
