"""How the staff app writes values people read: local times in the store's zone, phones in the store's national
format. Storage keeps naive UTC and E.164; these run only where a value is shown (pages, CSV, XLSX)."""
from __future__ import annotations

import datetime as dt

from flask import current_app

from ..domain import contacts
from ..localtime import to_local


def store_zone():
    return current_app.config["ZONE"]


def local(value: dt.datetime | None) -> dt.datetime | None:
    return to_local(value, store_zone())


def local_time(value: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored UTC time as the store's local time, e.g. '2026-03-01 09:15'."""
    value = local(value)
    return value.strftime(fmt) if value else ""


def display_phone(e164: str | None, region: str | None = None) -> str:
    """'+15552013344' as '(555) 201-3344' for a store in the US; a foreign number in international format."""
    return contacts.display_phone(e164, region or current_app.config["PHONE_REGION"])


def init_filters(bp):
    bp.add_app_template_filter(local_time, "local")
    bp.add_app_template_filter(display_phone, "phone")
    bp.add_app_template_global(lambda: current_app.config["ZONE"].key, "zone_name")
