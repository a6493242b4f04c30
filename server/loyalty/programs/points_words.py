"""A points program's rules and rewards in plain words, for the staff app ("1 point for every $1.00 spent")."""
from __future__ import annotations

from decimal import Decimal

from .points_rules import earn


def _money(value) -> str:
    return f"${Decimal(value):,.2f}"


def _products(rule: dict) -> str:
    codes = list(rule.get("upcs") or []) + list(rule.get("skus") or [])
    shown = ", ".join(codes[:3]) + (f" and {len(codes) - 3} more" if len(codes) > 3 else "")
    return shown or "no product"


def plain(value) -> str:
    """A decimal as people write it: 10, 2.5 (never 1E+1)."""
    return f"{Decimal(value).normalize():f}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def describe_rule(rule: dict) -> str:
    points = _plural(rule["points"], "point")
    if rule["type"] == "spend":
        text = f"{points} for every {_money(rule['per_amount'])} spent"
    elif rule["type"] == "item":
        text = f"{points} for each unit of {_products(rule)}"
    else:
        text = f"{points} for each visit"
    if rule.get("min_spend") and Decimal(rule["min_spend"]) > 0:
        text += f", when the sale reaches {_money(rule['min_spend'])}"
    if rule.get("multiplier") and Decimal(rule["multiplier"]) != 1:
        text += f", times {plain(rule['multiplier'])}"
    if rule.get("valid_from") and rule.get("valid_until"):
        text += f", from {rule['valid_from']} to {rule['valid_until']}"
    elif rule.get("valid_from"):
        text += f", from {rule['valid_from']}"
    elif rule.get("valid_until"):
        text += f", until {rule['valid_until']}"
    return text


def describe_reward(reward: dict) -> str:
    cost = _plural(reward["cost"], "point")
    if reward["kind"] == "amount_off":
        return f"{cost} = {_money(reward['value'])} off"
    if reward["kind"] == "percent_off":
        return f"{cost} = {plain(reward['value'])}% off"
    cap = f" (worth at most {_money(reward['max_value'])})" if reward.get("max_value") else ""
    return f"{cost} = a free {_products(reward)}{cap}"


def describe_exclusions(settings: dict) -> str | None:
    codes = list(settings.get("exclude_upcs") or []) + list(settings.get("exclude_skus") or [])
    return f"Never earn: {', '.join(codes)}" if codes else None


def preview_earn(settings: dict, amount: Decimal, when) -> int:
    """What a sale of one ordinary item at ``amount`` earns today (the staff app's "a $57.40 sale earns N")."""
    return earn(settings, [{"line_id": "1", "quantity": Decimal(1), "unit_price": amount}], when)
