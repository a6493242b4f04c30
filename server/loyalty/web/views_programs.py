"""Programs: list with card counts, create, edit, archive, import the qualifying codes from CSV."""
from __future__ import annotations

import re

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from marshmallow import ValidationError

from ..domain.program_codes import parse_codes_csv
from ..domain.programs import REQUIRABLE_FIELDS, create_program, program_dict, update_program
from ..domain.reports import card_counts
from ..errors import ValidationFailed
from ..i18n import field_label, field_messages
from ..models import Program
from ..schemas import ProgramSchema
from . import bp, confirm_or_run, found
from .security import needs

INT_FIELDS = ("buy_quantity", "window_days", "multi_purchase_threshold")


def _get(program_id: int) -> Program:
    return found(Program, program_id, "program")


def split_codes(text: str) -> list[str]:
    """Codes typed one per line or separated by commas (a SKU may contain spaces)."""
    return [c.strip() for c in re.split(r"[\r\n,;]+", text or "") if c.strip()]


class ProgramFormSchema(ProgramSchema):
    """The staff app's program form: a program may be created before its codes (often imported right after)."""

    def check(self, data, **kwargs):  # replaces ProgramSchema's "at least one code" rule (no hook here)
        return None


# The reward rules as a manager reads them (the stored names are for the API).
RULE_WORDS = {
    "lesser_or_equal": _l("The free item is worth at most the lowest price paid for an item on the card"),
    "most_frequent": _l("The free item is the item bought most often on the card"),
}


def program_summary(program) -> str:
    """'Buy 12, get the 13th free. The free item is ...; complete the card within 730 days of its first purchase.'"""
    values = program if isinstance(program, dict) else program_dict(program, codes=[])
    text = _("Buy %(num)s, the next one is free.", num=values["buy_quantity"]) + " " + \
        str(RULE_WORDS.get(values["reward_rule"], values["reward_rule"]))
    if values.get("window_days"):
        text += "; " + _("complete the card within %(days)s days of its first purchase", days=values["window_days"])
    if values.get("requires"):
        text += "; " + _("needed before the reward: %(fields)s",
                           fields=", ".join(field_label(f) for f in values["requires"]))
    return text + "."


def program_form_data(form, files=None) -> dict:
    """The program form as the API's body, validated by the same rules; codes typed in the form plus any read from
    an uploaded CSV file."""
    data = {k: form.get(k, "").strip() for k in ("name", "manufacturer", "distributor", "reward_rule")}
    errors = {}
    for key in INT_FIELDS:
        raw = form.get(key, "").strip()
        if not raw:
            data[key] = None if key == "window_days" else (1 if key == "multi_purchase_threshold" else None)
            continue
        try:
            data[key] = int(raw)
        except ValueError:
            errors[key] = [_("a whole number")]
    if data.get("buy_quantity") is None and "buy_quantity" not in errors:
        errors["buy_quantity"] = [_("how many purchases earn the reward?")]
    if errors:
        raise ValidationFailed(_("some fields are not valid"), fields=errors)
    data["requires"] = [f for f in form.getlist("requires") if f]
    data["upcs"], data["skus"] = split_codes(form.get("upcs")), split_codes(form.get("skus"))
    upload = (files or {}).get("file")
    if upload is not None and upload.filename:
        read = parse_codes_csv(upload.read())
        data["upcs"] += [c for c in read.upcs if c not in data["upcs"]]
        data["skus"] += [c for c in read.skus if c not in data["skus"]]
    return ProgramFormSchema().load(data)


def _form_again(program, status: int = 422, errors: dict | None = None):
    """The form as it was posted, with what was wrong, instead of an error page that loses the typing."""
    values = {k: request.form.get(k, "") for k in ("name", "manufacturer", "distributor", "buy_quantity",
                                                    "reward_rule", "window_days", "multi_purchase_threshold")}
    values["requires"] = request.form.getlist("requires")
    values["upcs"], values["skus"] = request.form.get("upcs", ""), request.form.get("skus", "")
    return render_template("program_form.html", program=program, values=values, rules=RULE_WORDS,
                           requirable=REQUIRABLE_FIELDS, errors=errors or {}, summary=None,
                           counts=card_counts().get(program.id, {}) if program else {}), status


def _errors_of(exc) -> dict:
    if isinstance(exc, ValidationError):
        return field_messages(exc.messages if isinstance(exc.messages, dict) else {"form": exc.messages})
    return exc.fields or {"form": [exc.message]}


@bp.get("/programs")
@needs("staff")
def programs():
    rows = list(Program.select().order_by(Program.status, Program.name))
    return render_template("programs.html", programs=rows, counts=card_counts(), summary=program_summary)


@bp.get("/programs/new")
@needs("manager")
def program_new():
    return render_template("program_form.html", program=None, values={"buy_quantity": 12, "reward_rule":
                           "lesser_or_equal", "multi_purchase_threshold": 1, "requires": []},
                           rules=RULE_WORDS, requirable=REQUIRABLE_FIELDS, errors={}, summary=None)


@bp.post("/programs/new")
@needs("manager")
def program_create():
    try:
        data = program_form_data(request.form, request.files)
    except (ValidationError, ValidationFailed) as exc:
        return _form_again(None, errors=_errors_of(exc))
    program = create_program(data, g.actor)
    flash(_("Program %(name)s created.", name=program.name))
    return redirect(url_for("web.program_edit", program_id=program.id))


@bp.get("/programs/<id:program_id>")
@needs("staff")
def program_edit(program_id):
    program = _get(program_id)
    if program.kind == "points":
        return redirect(url_for("web.points_program_edit", program_id=program.id))
    values = program_dict(program)
    return render_template("program_form.html", program=program, values=values, rules=RULE_WORDS,
                           requirable=REQUIRABLE_FIELDS, counts=card_counts().get(program.id, {}), errors={},
                           summary=program_summary(values))


@bp.post("/programs/<id:program_id>")
@needs("manager")
def program_update(program_id):
    program = _get(program_id)
    if program.kind == "points":  # a points program has its own form
        return redirect(url_for("web.points_program_edit", program_id=program.id))
    try:
        data = program_form_data(request.form, request.files)
    except (ValidationError, ValidationFailed) as exc:
        return _form_again(program, errors=_errors_of(exc))
    update_program(program.id, data, g.actor)
    flash(_("Program %(name)s saved.", name=program.name))
    return redirect(url_for("web.program_edit", program_id=program.id))


@bp.post("/programs/<id:program_id>/status")
@needs("manager")
def program_status(program_id):
    program = _get(program_id)
    status = "active" if request.form.get("status") == "active" else "archived"

    def run():
        update_program(program.id, {"status": status}, g.actor)
        flash(_("Program %(name)s reactivated.", name=program.name) if status == "active"
              else _("Program %(name)s archived.", name=program.name))
        return redirect(url_for("web.programs"))

    if status == "archived":
        return confirm_or_run(_("Archive this program?"), [
            _("Archive %(name)s: its products stop punching cards; the cards and their history stay.",
              name=program.name)], run, button=_("Archive"))
    return confirm_or_run(_("Reactivate this program?"), [
        _("Reactivate %(name)s: its products punch cards again.", name=program.name)], run, button=_("Reactivate"))


@bp.post("/programs/<id:program_id>/import")
@needs("manager")
def program_import(program_id):
    """First POST carries the file: show what was read; the confirmation posts the codes back as text."""
    program = _get(program_id)
    mode = "add" if request.form.get("mode") == "add" else "replace"
    if request.form.get("confirmed") == "yes":
        upcs, skus = split_codes(request.form.get("upcs")), split_codes(request.form.get("skus"))
        if not upcs and not skus:  # never empty a program's list by accident
            raise ValidationFailed(_("no codes to import"), fields={"file": [_("no codes")]})
        if mode == "add":
            current = program_dict(program)
            upcs, skus = current["upcs"] + upcs, current["skus"] + skus
        data = ProgramSchema(partial=True).load({"upcs": sorted(set(upcs)), "skus": sorted(set(skus))})
        update_program(program.id, data, g.actor)
        flash(_("%(name)s: qualifying codes imported (%(upcs)s UPCs, %(skus)s SKUs).", name=program.name,
                upcs=len(data["upcs"]), skus=len(data["skus"])))
        return redirect(url_for("web.program_edit", program_id=program.id))
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationFailed(_("choose a CSV file to import"), fields={"file": [_("required")]})
    codes = parse_codes_csv(upload.read())
    summary = [_("Replace the qualifying codes of %(name)s:", name=program.name) if mode == "replace"
               else _("Add to the qualifying codes of %(name)s:", name=program.name),
               _("%(upcs)s UPCs, %(skus)s SKUs read from %(file)s.", upcs=len(codes.upcs), skus=len(codes.skus),
                 file=upload.filename)]
    summary += [_("Line %(line)s: skipped %(value)s: %(why)s", line=n, value=repr(value), why=why)
                for n, value, why in codes.skipped[:50]]
    fields = [("mode", mode), ("upcs", ",".join(codes.upcs)), ("skus", ",".join(codes.skus))]
    return render_template("confirm.html", title=_("Import these codes?"), summary=summary, fields=fields,
                           action=request.path, button=_("Import"))
