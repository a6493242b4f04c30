"""Reports: participation per program and the redemptions to claim from distributors, as HTML and as CSV or
Excel downloads (``?format=csv`` / ``?format=xlsx``) that stream from a generator. Days and times are the
store's (``LOYALTY_TIMEZONE``)."""
from __future__ import annotations

import datetime as dt
from itertools import islice

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext

from ..domain import reports
from ..errors import ValidationFailed
from ..i18n import monthday, monthyear
from ..models import Program
from . import MAX_ID, bp, confirm_or_run
from .charts import bar_chart
from .downloads import Column, table_response, wanted_format
from .formatting import display_phone, store_zone
from .security import needs

HTML_ROWS = 500  # the page shows this many redemptions; the downloads have them all

PARTICIPATION_COLUMNS = [Column("program", width=34), Column("manufacturer", width=22),
                         Column("distributor", width=22)] + [
    Column(k, "int") for k in ("unique_customers", "cards_punched", "items_sold", "rewards_earned",
                               "rewards_redeemed")]
CLAIM_COLUMNS = [
    Column("distributor", width=22), Column("manufacturer", width=22), Column("program", width=30),
    Column("customer", width=22), Column("address", width=36), Column("email", width=28), Column("phone"),
    Column("purchase_dates", width=40), Column("upcs", width=16), Column("punches", "int", 8),
    Column("item_given", width=34), Column("item_upc", width=16), Column("item_sku"),
    Column("max_value", "money", 10), Column("redeemed_at", "datetime", 17), Column("sale"),
    Column("credited_at", "datetime", 17), Column("credited_by"), Column("redemption_id", "int", 10)]
TOTAL_COLUMNS = [Column("distributor", width=22), Column("manufacturer", width=22),
                 Column("redemptions", "int", 12), Column("value", "money", 12)]


def _filters(default_days: int = 30):
    first, last = reports.parse_range(request.args.get("start"), request.args.get("end"), default_days,
                                      store_zone())
    raw = request.args.get("program", "").strip()
    try:
        program_id = int(raw) if raw else None
    except ValueError:
        program_id = 0
    if program_id is not None and not 1 <= program_id <= MAX_ID:
        raise ValidationFailed(_("program must be a program id"), fields={"program": [_("unknown")]})
    return first, last, program_id


def chart_series(daily: list[tuple[dt.date, int]]) -> tuple[list, str]:
    """Per day for two months or less, per week up to about a year, per month beyond: a readable number of bars."""
    if len(daily) <= 62:
        return [(monthday(d), n) for d, n in daily], "day"
    buckets: dict = {}
    weekly = len(daily) <= 370
    for day, n in daily:
        key = day - dt.timedelta(days=day.weekday()) if weekly else day.replace(day=1)
        buckets[key] = buckets.get(key, 0) + n
    label = monthday if weekly else monthyear
    return [(label(k), n) for k, n in sorted(buckets.items())], "week" if weekly else "month"


@bp.get("/reports")
@needs("manager")
def reports_home():
    return redirect(url_for("web.participation"))


@bp.get("/reports/participation")
@needs("manager")
def participation():
    first, last, program_id = _filters()
    fmt = wanted_format(request.args.get("format"))
    rows = reports.participation(first, last, program_id, store_zone())
    if fmt:
        return table_response(fmt, [(_("Participation"), PARTICIPATION_COLUMNS, rows)],
                              f"participation-{first}-{last}")
    series, per = chart_series(reports.daily_items(first, last, program_id, store_zone()))
    return render_template("participation.html", rows=list(rows), chart=bar_chart(series), per=per,
                           first=first, last=last, program_id=program_id,
                           programs=Program.select().order_by(Program.name))


def _with_display_phone(rows):
    for row in rows:
        row["phone"] = display_phone(row["phone"])
        yield row


@bp.get("/reports/redemptions")
@needs("manager")
def redemptions():
    # A year by default: a redemption still waiting for its credit must not drop out of sight after a month.
    first, last, program_id = _filters(default_days=365)
    state = request.args.get("state", "uncredited")
    fmt = wanted_format(request.args.get("format"))
    zone = store_zone()
    rows = _with_display_phone(reports.redemptions_to_claim(first, last, state, program_id, zone))
    totals = reports.claim_totals(first, last, state, program_id, zone)
    if fmt:
        return table_response(fmt, [(_("Redemptions"), CLAIM_COLUMNS, rows),
                                    (_("Totals"), TOTAL_COLUMNS, totals["pairs"])],
                              f"redemptions-{state}-{first}-{last}")
    shown = list(islice(rows, HTML_ROWS + 1))
    groups: dict[tuple, list] = {}
    for row in shown[:HTML_ROWS]:
        groups.setdefault((row["distributor"], row["manufacturer"]), []).append(row)
    return render_template("redemptions.html", groups=groups, more=len(shown) > HTML_ROWS, first=first,
                           last=last, state=state, program_id=program_id, states=reports.CREDIT_STATES,
                           totals=totals, programs=Program.select().order_by(Program.name))


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
