"""What a points program's settings are (validated) and what a sale's lines earn under them.

Eligible spend is the sum of quantity x unit price of the lines that are not excluded (gift cards never earn).
Every rule that matches adds up: ``spend`` gives P points per whole A of eligible spend (floored once per sale),
``item`` P points per unit of listed products, ``visit`` P points per sale with a positive eligible spend. Each
rule may have ``min_spend`` (a threshold, not a deduction), a ``multiplier`` and ``valid_from``/``valid_until``
dates (bonus days).
"""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_FLOOR, Decimal

from flask_babel import gettext as _
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

RULE_TYPES = ("spend", "item", "visit")
REWARD_KINDS = ("amount_off", "percent_off", "free_item")
MONEY = validate.Range(min=Decimal("0.01"), max=Decimal(10_000_000))


class _Base(Schema):
    class Meta:
        unknown = EXCLUDE


class Codes(fields.List):
    # Not mutated: this runs when the schemas below are defined, at import, before mutmut can switch a mutant on;
    # each of its mutants was applied by hand and fails the tests (docs/testing.md, points_rules).
    def __init__(self, **kw):
        code = fields.Str(validate=validate.Length(min=1, max=64))  # pragma: no mutate
        super().__init__(code, load_default=list, validate=validate.Length(max=20000), **kw)  # pragma: no mutate

    def _deserialize(self, value, attr, data, **kwargs):
        return sorted({v.strip() for v in super()._deserialize(value, attr, data, **kwargs) if v.strip()})


class EarnRuleSchema(_Base):
    type = fields.Str(required=True, validate=validate.OneOf(RULE_TYPES))
    points = fields.Int(required=True, strict=True, validate=validate.Range(min=1, max=1_000_000))
    per_amount = fields.Decimal(load_default=None, allow_none=True, as_string=True, validate=MONEY)
    min_spend = fields.Decimal(load_default=None, allow_none=True, as_string=True,
                               validate=validate.Range(min=Decimal(0), max=Decimal(10_000_000)))
    upcs = Codes()
    skus = Codes()
    multiplier = fields.Decimal(load_default=None, allow_none=True, as_string=True,
                                validate=validate.Range(min=Decimal("0.01"), max=Decimal(100)))
    valid_from = fields.Date(load_default=None, allow_none=True)
    valid_until = fields.Date(load_default=None, allow_none=True)

    @validates_schema
    def check(self, data, **kwargs):
        if data.get("type") == "spend" and data.get("per_amount") is None:
            raise ValidationError(_("a spend rule needs per_amount (points for every whole per_amount spent)"),
                                  "per_amount")
        if data.get("type") == "item" and not data.get("upcs") and not data.get("skus"):
            raise ValidationError(_("an item rule lists the products (upcs or skus) it rewards"), "upcs")
        if data.get("valid_from") and data.get("valid_until") and data["valid_until"] < data["valid_from"]:
            raise ValidationError(_("valid_until is before valid_from"), "valid_until")


class RewardSchema(_Base):
    id = fields.Int(load_default=None, allow_none=True, strict=True)
    name = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    cost = fields.Int(required=True, strict=True, validate=validate.Range(min=1, max=100_000_000))
    kind = fields.Str(required=True, validate=validate.OneOf(REWARD_KINDS))
    value = fields.Decimal(load_default=None, allow_none=True, as_string=True, validate=MONEY)
    upcs = Codes()
    skus = Codes()
    max_value = fields.Decimal(load_default=None, allow_none=True, as_string=True, validate=MONEY)

    @validates_schema
    def check(self, data, **kwargs):
        kind = data.get("kind")
        if kind in ("amount_off", "percent_off") and data.get("value") is None:
            raise ValidationError(_("the discount's value is required"), "value")
        if kind == "percent_off" and data["value"] > 100:
            raise ValidationError(_("a percentage of at most 100"), "value")
        if kind == "free_item" and not data.get("upcs") and not data.get("skus"):
            raise ValidationError(_("a free item reward lists the products it gives (upcs or skus)"), "upcs")


class PointsProgramSchema(_Base):
    kind = fields.Str(required=True, validate=validate.Equal("points"))
    name = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    status = fields.Str(load_default="active", validate=validate.OneOf(("active", "archived")))
    expiry_days = fields.Int(load_default=None, allow_none=True, strict=True,
                             validate=validate.Range(min=1, max=3660))
    exclude_upcs = Codes()
    exclude_skus = Codes()
    earn_rules = fields.List(fields.Nested(EarnRuleSchema), load_default=list, validate=validate.Length(max=50))
    rewards = fields.List(fields.Nested(RewardSchema), load_default=list, validate=validate.Length(max=100))


def settings_of(data: dict) -> dict:
    """The JSON kept on the program: plain strings for decimals and dates."""
    def rule(r):
        out = {"type": r["type"], "points": r["points"]}
        for key in ("per_amount", "min_spend", "multiplier"):
            if r.get(key) is not None:
                out[key] = str(r[key])
        for key in ("valid_from", "valid_until"):
            if r.get(key) is not None:
                out[key] = r[key].isoformat()
        if r["type"] == "item":
            out["upcs"], out["skus"] = r.get("upcs", []), r.get("skus", [])
        return out

    return {"expiry_days": data.get("expiry_days"), "exclude_upcs": data.get("exclude_upcs", []),
            "exclude_skus": data.get("exclude_skus", []), "earn_rules": [rule(r) for r in data.get("earn_rules", [])]}


def _excluded(settings: dict, line: dict) -> bool:
    return (line.get("upc") and line["upc"] in settings.get("exclude_upcs", ())) or \
           (line.get("sku") and line["sku"] in settings.get("exclude_skus", ()))


def eligible_spend(settings: dict, lines) -> Decimal:
    total = Decimal(0)
    for line in lines:
        if line.get("unit_price") is not None and not _excluded(settings, line):
            total += Decimal(line["quantity"]) * Decimal(line["unit_price"])
    return total


def _active(rule: dict, day: dt.date) -> bool:
    if rule.get("valid_from") and day < dt.date.fromisoformat(rule["valid_from"]):
        return False
    if rule.get("valid_until") and day > dt.date.fromisoformat(rule["valid_until"]):
        return False
    return True


def _floor(x: Decimal) -> int:
    return int(x.to_integral_value(rounding=ROUND_FLOOR))


def earn(settings: dict, lines, when: dt.datetime, *, visit_on=None) -> int:
    """Points the lines earn at ``when``. ``visit_on``: the lines that decide the visit rules, when not ``lines``
    (what a partly returned sale keeps still has its visit: visit points go back only with the whole sale)."""
    spend = eligible_spend(settings, lines)
    visit_spend = spend if visit_on is None else eligible_spend(settings, visit_on)
    day = when.date()
    total = 0
    for rule in settings.get("earn_rules", []):
        if not _active(rule, day):
            continue
        minimum = Decimal(rule.get("min_spend") or 0)
        points = 0
        if rule["type"] == "spend":
            if spend > 0 and spend >= minimum:
                points = _floor(spend / Decimal(rule["per_amount"])) * rule["points"]
        elif rule["type"] == "item":
            upcs, skus = set(rule.get("upcs", ())), set(rule.get("skus", ()))
            units = sum((Decimal(line["quantity"]) for line in lines if not _excluded(settings, line) and
                         ((line.get("upc") and line["upc"] in upcs) or (line.get("sku") and line["sku"] in skus))),
                        Decimal(0))
            points = max(0, _floor(units)) * rule["points"]
        elif rule["type"] == "visit":
            points = rule["points"] if visit_spend > 0 and visit_spend >= minimum else 0
        total += _floor(Decimal(points) * Decimal(rule.get("multiplier") or 1))
    return max(total, 0)


def discount_of(reward) -> dict:
    """What the cashier takes off in the POS for a reward."""
    cents = Decimal("0.01")
    if reward.kind == "free_item":
        amount = reward.max_value
    else:
        amount = reward.value
    return {"kind": reward.kind, "amount": None if amount is None else str(Decimal(amount).quantize(cents))}
