"""Reports: participation per program and the redemptions to claim from distributors, as HTML and as CSV
downloads that stream row by row from a generator (constant memory)."""
from __future__ import annotations

import csv
import io
from itertools import islice

from flask import Response, flash, g, redirect, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _, ngettext

from ..domain import reports
from ..errors import ValidationFailed
from ..i18n import column_headers
from ..models import Program
from . import MAX_ID, bp, confirm_or_run
from .charts import bar_chart
from .security import needs

HTML_ROWS = 500  # the page shows this many redemptions; the CSV has them all

PARTICIPATION_COLUMNS = ("program", "manufacturer", "distributor", "unique_customers", "cards_punched",
                         "items_sold", "rewards_earned", "rewards_redeemed")
CLAIM_COLUMNS = ("distributor", "manufacturer", "program", "customer", "address", "email", "phone",
                 "purchase_dates", "upcs", "punches", "item_given", "item_upc", "item_sku", "max_value",
                 "redeemed_at", "sale", "credited_at", "credited_by", "redemption_id")


def _filters(default_days: int = 30):
    first, last = reports.parse_range(request.args.get("start"), request.args.get("end"), default_days)
    raw = request.args.get("program", "").strip()
    try:
        program_id = int(raw) if raw else None
    except ValueError:
        program_id = 0
    if program_id is not None and not 1 <= program_id <= MAX_ID:
        raise ValidationFailed(_("program must be a program id"), fields={"program": [_("unknown")]})
    return first, last, program_id


def csv_response(rows, columns, filename: str) -> Response:
    """Stream ``rows`` (dicts, from a generator) as CSV: one small buffer, flushed per row."""
    def generate():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(column_headers(columns))
        for row in rows:
            writer.writerow([_cell(row.get(c, "")) for c in columns])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        yield buffer.getvalue()

    return Response(stream_with_context(generate()), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _cell(value):
    # A cell starting with = + - @ is a formula to a spreadsheet: a customer's name must never run as one.
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@bp.get("/reports")
@needs("manager")
def reports_home():
    return redirect(url_for("web.participation"))


@bp.get("/reports/participation")
@needs("manager")
def participation():
    first, last, program_id = _filters()
    rows = reports.participation(first, last, program_id)
    if request.args.get("format") == "csv":
        return csv_response(rows, PARTICIPATION_COLUMNS, f"participation-{first}-{last}.csv")
    daily = reports.daily_items(first, last, program_id)
    chart = bar_chart([(d.isoformat(), n) for d, n in daily])
    return render_template("participation.html", rows=list(rows), chart=chart, first=first, last=last,
                           program_id=program_id, programs=Program.select().order_by(Program.name))


@bp.get("/reports/redemptions")
@needs("manager")
def redemptions():
    # A year by default: a redemption still waiting for its credit must not drop out of sight after a month.
    first, last, program_id = _filters(default_days=365)
    state = request.args.get("state", "uncredited")
    rows = reports.redemptions_to_claim(first, last, state, program_id)
    if request.args.get("format") == "csv":
        return csv_response(rows, CLAIM_COLUMNS, f"redemptions-{state}-{first}-{last}.csv")
    shown = list(islice(rows, HTML_ROWS + 1))
    groups: dict[tuple, list] = {}
    for row in shown[:HTML_ROWS]:
        groups.setdefault((row["distributor"], row["manufacturer"]), []).append(row)
    return render_template("redemptions.html", groups=groups, more=len(shown) > HTML_ROWS, first=first,
                           last=last, state=state, program_id=program_id, states=reports.CREDIT_STATES,
                           programs=Program.select().order_by(Program.name))


@bp.post("/reports/redemptions/credit")
@needs("manager")
def mark_credited():
    try:
        ids = [int(x) for x in request.form.getlist("redemption_id")]
    except ValueError:
        ids = [0]
    if any(not 1 <= i <= MAX_ID for i in ids):
        raise ValidationFailed(_("not a redemption id"), fields={"redemption_id": [_("a number")]})
    if not ids:
        raise ValidationFailed(_("select at least one redemption to mark as credited"),
                               fields={"redemption_id": [_("required")]})

    def run():
        count = reports.mark_credited(ids, g.actor)
        flash(ngettext("%(num)d redemption marked as credited.", "%(num)d redemptions marked as credited.",
                       count))
        return redirect(url_for("web.redemptions", state="uncredited"))

    return confirm_or_run(_("Mark as credited?"), [
        ngettext("The distributor credited the store for %(num)d redemption.",
                 "The distributor credited the store for %(num)d redemptions.", len(ids))],
        run, button=_("Mark as credited"))
