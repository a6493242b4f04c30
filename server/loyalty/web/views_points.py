"""Points programs in the staff app: create and edit (rules and rewards in plain words, with what a sale would
earn), a manager's adjustment on the account page, and the points report (outstanding, per month, CSV)."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError

from ..domain.accounts import get_account
from ..domain.programs import create_program, program_dict, update_program
from ..errors import ValidationFailed
from ..i18n import field_messages
from ..models import Program, utcnow
from ..programs.points_actions import adjust
from ..programs.points_report import by_month, outstanding
from ..programs.points_rules import REWARD_KINDS, RULE_TYPES, PointsProgramSchema
from ..programs.points_words import describe_exclusions, describe_reward, describe_rule, preview_earn
from . import bp, found
from .security import needs
from .downloads import Column, table_response, wanted_format

EMPTY_ROWS = 2  # blank rule and reward rows under the existing ones
MONTH_COLUMNS = [Column("month"), Column("program", width=30)] + [
    Column(k, "int") for k in ("earned", "spent", "adjusted", "expired")]


def _codes(text: str) -> tuple[list, list]:
    """Products typed one per line or comma-separated: all digits is a UPC, anything else a SKU."""
    codes = [c.strip() for c in re.split(r"[\r\n,;]+", text or "") if c.strip()]
    return [c for c in codes if c.isdigit()], [c for c in codes if not c.isdigit()]


def _rows(form, prefix: str, names: tuple) -> list[dict]:
    """The numbered rows of a form (``rule_points_0``...), skipping rows left blank."""
    indexes = sorted({int(m.group(1)) for key in form for m in [re.fullmatch(rf"{prefix}_\w+?_(\d+)", key)] if m})
    out = []
    for i in indexes[:100]:
        row = {n: form.get(f"{prefix}_{n}_{i}", "").strip() for n in names}
        if any(row.values()):
            out.append(row)
    return out


def _int(text: str, field: str, errors: dict):
    try:
        return int(text)
    except ValueError:
        errors.setdefault(field, []).append(_("a whole number"))
        return None


def points_form_data(form) -> dict:
    """The points program form as the API's body, validated by the same schema."""
    errors: dict = {}
    data = {"kind": "points", "name": form.get("name", "").strip(),
            "status": "archived" if form.get("status") == "archived" else "active",
            "expiry_days": _int(form["expiry_days"], "expiry_days", errors) if form.get("expiry_days") else None}
    data["exclude_upcs"], data["exclude_skus"] = _codes(form.get("exclude"))
    rules = []
    for row in _rows(form, "rule", ("type", "points", "per", "min", "codes", "mult", "from", "until")):
        rule = {"type": row["type"], "points": _int(row["points"], "earn_rules", errors) if row["points"] else None}
        for key, name in (("per_amount", "per"), ("min_spend", "min"), ("multiplier", "mult"),
                          ("valid_from", "from"), ("valid_until", "until")):
            if row[name]:
                rule[key] = row[name]
        if row["type"] == "item":
            rule["upcs"], rule["skus"] = _codes(row["codes"])
        rules.append(rule)
    rewards = []
    for row in _rows(form, "reward", ("id", "name", "cost", "kind", "value", "codes", "max")):
        reward = {"name": row["name"], "kind": row["kind"],
                  "cost": _int(row["cost"], "rewards", errors) if row["cost"] else None}
        if row["id"]:
            reward["id"] = _int(row["id"], "rewards", errors)
        if row["value"]:
            reward["value"] = row["value"]
        if row["max"]:
            reward["max_value"] = row["max"]
        reward["upcs"], reward["skus"] = _codes(row["codes"])
        rewards.append(reward)
    if errors:
        raise ValidationFailed(_("some numbers are not whole numbers"), fields=errors)
    data["earn_rules"], data["rewards"] = rules, rewards
    try:
        return PointsProgramSchema().load(data)
    except ValidationError as exc:
        raise ValidationFailed(_("some fields are not valid"), fields=_flat(field_messages(exc.messages))) from None


def _flat(messages: dict) -> dict:
    """Nested schema errors as "rule 1, per_amount": [...] (rows counted from 1, as the form shows them)."""
    out = {}
    names = {"earn_rules": _("rule"), "rewards": _("reward")}
    for key, value in messages.items():
        if isinstance(value, dict):
            for row, fields in value.items():
                for field, errors in (fields.items() if isinstance(fields, dict) else [("", fields)]):
                    label = f"{names.get(key, key)} {int(row) + 1}" if str(row).isdigit() else f"{key} {row}"
                    out[f"{label}, {field}" if field else label] = errors
        else:
            out[key] = value
    return out


def _preview_amount() -> Decimal:
    try:
        amount = Decimal(request.args.get("amount") or "57.40")
    except InvalidOperation:
        amount = Decimal("57.40")
    return min(max(amount, Decimal(0)), Decimal(1_000_000)).quantize(Decimal("0.01"))


def _render(program, values):
    amount = _preview_amount()
    settings = {"expiry_days": values.get("expiry_days"), "exclude_upcs": values.get("exclude_upcs", []),
                "exclude_skus": values.get("exclude_skus", []), "earn_rules": values.get("earn_rules", [])}
    return render_template(
        "points_program_form.html", program=program, values=values, rule_types=RULE_TYPES,
        reward_kinds=REWARD_KINDS, empty_rows=EMPTY_ROWS, amount=amount,
        earns=preview_earn(settings, amount, utcnow()),
        rules_words=[describe_rule(r) for r in settings["earn_rules"]],
        rewards_words=[describe_reward(r) for r in values.get("rewards", [])],
        exclusions_words=describe_exclusions(settings))


@bp.get("/programs/points/new")
@needs("manager")
def points_program_new():
    return _render(None, {"earn_rules": [{"type": "spend", "points": 1, "per_amount": "1.00"}], "rewards": []})


@bp.post("/programs/points/new")
@needs("manager")
def points_program_create():
    program = create_program(points_form_data(request.form), g.actor)
    flash(_("Points program %(name)s created.", name=program.name))
    return redirect(url_for("web.points_program_edit", program_id=program.id))


@bp.get("/programs/<id:program_id>/points")
@needs("staff")
def points_program_edit(program_id):
    program = found(Program, program_id, "program")
    if program.kind != "points":
        return redirect(url_for("web.program_edit", program_id=program.id))
    return _render(program, program_dict(program))


@bp.post("/programs/<id:program_id>/points")
@needs("manager")
def points_program_update(program_id):
    program = found(Program, program_id, "program")
    if program.kind != "points":
        raise ValidationFailed(_("this is not a points program"), fields={"program": [_("not a points program")]})
    update_program(program.id, points_form_data(request.form), g.actor)
    flash(_("Points program %(name)s saved.", name=program.name))
    return redirect(url_for("web.points_program_edit", program_id=program.id))


@bp.post("/accounts/<id:account_id>/points/adjust")
@needs("manager")
def points_adjust(account_id):
    account = get_account(account_id)
    errors: dict = {}
    program_id = _int(request.form.get("program_id", ""), "program_id", errors)
    points = _int(request.form.get("points", "").strip().replace("+", ""), "points", errors)
    reason = request.form.get("reason", "").strip()[:500]
    if not reason:
        errors["reason"] = [_("say why")]
    if errors:
        raise ValidationFailed(_("the adjustment needs a program, a whole number of points and a reason"),
                               fields=errors)
    result = adjust(account.id, program_id, points, reason, g.actor)
    flash(_("%(points)s points (%(reason)s); the balance is now %(balance)s.",
            points=f"{'+' if points > 0 else ''}{points}", reason=reason, balance=result["balance"]))
    return redirect(url_for("web.account", account_id=account.id) + "#points")


@bp.get("/reports/points")
@needs("staff")
def points_report():
    months = by_month()
    fmt = wanted_format(request.args.get("format"))
    if fmt:
        return table_response(fmt, [(_("Points"), MONTH_COLUMNS, iter(months))], "points-by-month")
    return render_template("points_report.html", programs=outstanding(), months=months)
