"""Phones are found by their last digits and shown in the store's national format; times are shown in the store's
time zone (LOYALTY_TIMEZONE) on pages, in downloads and in reports' day boundaries."""
import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest

from loyalty import create_app
from loyalty.models import Punch, Redemption
from webtools import new_account, punch, text


@pytest.fixture
def toronto(app):
    app.config["ZONE"] = ZoneInfo("America/Toronto")
    return app


def test_phone_search_matches_the_local_number_without_area_code(cashier, api):
    new_account(api, "Dana", "Whitfield", phone="(555) 201-3344")
    new_account(api, "Other", "Person", phone="555-909-1111")
    for typed in ("201-3344", "2013344", "555 201 3344", "+1 555 201 3344"):
        page = text(cashier.get("/", query_string={"q": typed}))
        assert "Dana Whitfield" in page and "Other Person" not in page, typed
    assert "No customer matches" in text(cashier.get("/?q=201-33"))  # too few digits to be a phone


def test_phones_show_in_the_stores_national_format(cashier, api):
    a = new_account(api, "Dana", "Whitfield", phone="+15552013344")
    b = new_account(api, "Jean", "Tremblay", phone="+33 1 42 68 53 00")
    listing = text(cashier.get("/?q=Whitfield"))
    assert "(555) 201-3344" in listing and "+15552013344" not in listing
    page = text(cashier.get(f"/accounts/{a['id']}"))
    assert "(555) 201-3344" in page and "+15552013344" not in page
    assert "+33 1 42 68 53 00" in text(cashier.get(f"/accounts/{b['id']}"))  # a foreign number says its country


def test_pages_show_the_stores_local_time(toronto, manager, api, program):
    a = new_account(api, "Ann", "Ames")
    punch(api, a["id"], 1)
    when = dt.datetime(2026, 1, 15, 3, 30)  # 03:30 UTC is 22:30 the evening before in Toronto (EST, UTC-5)
    Punch.update(created_at=when).execute()
    page = text(manager.get(f"/accounts/{a['id']}"))
    assert "Jan 14, 2026" in page and "10:30" in page and "Jan 15" not in page
    assert "3:30" not in page


def test_a_bad_time_zone_name_stops_the_server_with_a_clear_message(tmp_path):
    with pytest.raises(ValueError, match="not an IANA time zone name"):
        create_app({"DATABASE_URL": "sqlite:///" + str(tmp_path / "x.sqlite3"), "TIMEZONE": "Mars/Olympus"})
    app = create_app({"DATABASE_URL": "sqlite:///" + str(tmp_path / "x.sqlite3"), "TIMEZONE": "America/Toronto"})
    assert app.config["ZONE"].key == "America/Toronto"


def test_report_days_and_download_times_are_local(toronto, manager, api, program):
    a = new_account(api, "Ann", "Ames", phone="5552013344")
    punch(api, a["id"], 12)
    from loyalty.models import Card
    card = Card.get(Card.status == "complete")
    api.post(f"/api/v1/cards/{card.id}/redeem", {"item": {"upc": "064992523251", "name": "free bag"}})
    # Everything happened at 02:00 UTC on March 10, which is still March 9 in Toronto (EDT starts March 8).
    when = dt.datetime(2026, 3, 10, 2, 0)
    Punch.update(created_at=when).execute()
    Redemption.update(created_at=when).execute()
    Card.update(completed_at=when).execute()
    [row] = csv.DictReader(io.StringIO(text(manager.get(
        "/reports/redemptions?format=csv&start=2026-03-09&end=2026-03-09"))))
    assert row["redeemed_at"] == "2026-03-09 22:00" and row["purchase_dates"] == "2026-03-09"
    assert row["phone"] == "(555) 201-3344"
    assert list(csv.DictReader(io.StringIO(text(manager.get(
        "/reports/redemptions?format=csv&start=2026-03-10&end=2026-03-10"))))) == []
    [p] = csv.DictReader(io.StringIO(text(manager.get(
        "/reports/participation?format=csv&start=2026-03-09&end=2026-03-09"))))
    assert p["items_sold"] == "12" and p["rewards_redeemed"] == "1"
    assert "America/Toronto" in text(manager.get("/reports/participation"))
