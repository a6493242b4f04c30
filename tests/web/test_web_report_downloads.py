"""Reports: totals per distributor and manufacturer, a chart with axes, and every CSV's Excel twin with typed
cells (UPCs and phones stay text, dates are dates, counts are numbers, a name never runs as a formula)."""
import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest

from builders import line, sale
from loyalty.models import Card
from webtools import commit, new_account, punch, text

TOTW = "074198608331"


def redeem_one(api, account_id, upc="064992523251"):
    card = Card.get((Card.account == account_id) & (Card.status == "complete"))
    r = api.post(f"/api/v1/cards/{card.id}/redeem", {"item": {"upc": upc, "name": "free bag"}})
    assert r.status_code in (200, 201), r.get_json()


@pytest.fixture
def claims(api, manager_api, program):
    """Two ACANA redemptions (Champion via PFX, 94.99 each) and one TOTW (Diamond via Phillips, 9.99)."""
    totw = manager_api.post("/api/v1/programs", {"name": "TOTW", "manufacturer": "Diamond", "distributor":
                                                 "Phillips", "buy_quantity": 2, "upcs": [TOTW]}).get_json()
    for first in ("Ann", "Bo"):
        a = new_account(api, first, "Ames", phone="555-201-3344")
        punch(api, a["id"], 12, first)
    for card in Card.select().where(Card.status == "complete"):
        redeem_one(api, card.account_id)
    c = new_account(api, "=cmd|' /C calc'!A0", "Evil", phone="5550001234")
    for i in range(2):
        commit(api, sale(f"T{i}", lines=[line(1, upc=TOTW, price="9.99")], customer=None, account_id=c["id"]))
    redeem_one(api, c["id"], TOTW)
    return totw


def test_redemption_report_totals_per_distributor_and_manufacturer(manager, claims):
    page = text(manager.get("/reports/redemptions"))
    assert "3 redemptions, $199.97 in all" in page
    by_distributor = page.split('class="by-distributor"')[1].split("</table>")[0]
    assert "PFX" in by_distributor and "189.98" in by_distributor and "Phillips" in by_distributor
    by_manufacturer = page.split('class="by-manufacturer"')[1].split("</table>")[0]
    assert "Champion" in by_manufacturer and "Diamond" in by_manufacturer and "9.99" in by_manufacturer


def workbook(response):
    assert response.status_code == 200, text(response)
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert ".xlsx" in response.headers["Content-Disposition"]
    return openpyxl.load_workbook(io.BytesIO(response.get_data()))


def sheet_rows(ws):
    rows = list(ws.iter_rows())
    header = [c.value for c in rows[0]]
    return [dict(zip(header, row)) for row in rows[1:]]


def test_redemptions_xlsx_has_typed_cells_and_a_totals_sheet(manager, claims):
    book = workbook(manager.get("/reports/redemptions?format=xlsx&state=all"))
    assert book.sheetnames == ["Redemptions", "Totals"]
    rows = sheet_rows(book["Redemptions"])
    assert len(rows) == 3
    acana = next(r for r in rows if r["manufacturer"].value == "Champion")
    assert acana["upcs"].value == "064992523251" and acana["upcs"].data_type == "s"
    assert acana["item_upc"].value == "064992523251" and acana["item_upc"].number_format == "@"
    assert acana["phone"].value == "(555) 201-3344" and acana["phone"].data_type == "s"
    assert isinstance(acana["redeemed_at"].value, dt.datetime) and acana["redeemed_at"].is_date
    assert acana["punches"].value == 12 and acana["max_value"].value == pytest.approx(94.99)
    evil = next(r for r in rows if r["manufacturer"].value == "Diamond")
    assert evil["customer"].data_type == "s" and evil["customer"].value.startswith("=cmd")  # text, not a formula
    totals = {(r["distributor"].value, r["manufacturer"].value): (r["redemptions"].value, r["value"].value)
              for r in sheet_rows(book["Totals"])}
    assert totals[("PFX", "Champion")][0] == 2
    assert Decimal(str(totals[("PFX", "Champion")][1])) == Decimal("189.98")


def test_every_csv_download_has_an_xlsx_twin(manager, claims):
    for path in ("/reports/participation", "/reports/redemptions"):
        csv_rows = list(csv.DictReader(io.StringIO(text(manager.get(path + "?format=csv&state=all")))))
        book = workbook(manager.get(path + "?format=xlsx&state=all"))
        xlsx_rows = sheet_rows(book.worksheets[0])
        assert len(csv_rows) == len(xlsx_rows) > 0
        assert list(csv_rows[0]) == list(xlsx_rows[0])  # the same columns in the same order
    page = text(manager.get("/reports/participation"))
    assert 'value="xlsx"' in page and "Download Excel" in page
    assert manager.get("/reports/participation?format=pdf").status_code == 422


def test_participation_chart_has_axes_and_labels(manager, api, program):
    a = new_account(api)
    punch(api, a["id"], 3)
    page = text(manager.get("/reports/participation"))
    assert 'class="axis-title"' in page and ">Items sold<" in page and ">Day<" in page
    assert 'class="tick y"' in page and ">0<" in page and ">3<" in page
    today = dt.datetime.utcnow().date()
    assert today.strftime("%b %d") in page or 'class="tick x"' in page
    year = text(manager.get(f"/reports/participation?start={today - dt.timedelta(days=364)}&end={today}"))
    assert ">Week starting<" in year and year.count("<rect") <= 54
