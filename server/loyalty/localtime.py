"""The store's time zone: storage is naive UTC, people see local time (pages, CSV and XLSX downloads, reports).

``LOYALTY_TIMEZONE`` is an IANA name such as ``America/Toronto``; without it, the server's own zone. A report's
days are the store's days: 2026-03-01 in Toronto starts at 05:00 UTC.
"""
from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import BadSetting

UTC = dt.timezone.utc


def server_zone_name() -> str:
    """The machine's IANA zone name (TZ, /etc/localtime, ...), or UTC when it has none."""
    try:
        from tzlocal import get_localzone_name

        return get_localzone_name() or "UTC"
    except Exception:  # tzlocal refuses odd set-ups (a TZ it cannot name): UTC is a safe fallback
        return "UTC"


def zone_from_setting(name: str | None = None) -> ZoneInfo:
    """The ZoneInfo for ``name`` (or ``LOYALTY_TIMEZONE``, or the server's zone); a clear error for a bad name."""
    name = (name if name is not None else os.environ.get("LOYALTY_TIMEZONE", "")).strip() or server_zone_name()
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadSetting(f"LOYALTY_TIMEZONE={name!r} is not an IANA time zone name (e.g. America/Toronto)") from None


def to_local(value: dt.datetime | None, zone: dt.tzinfo) -> dt.datetime | None:
    """A stored naive-UTC datetime as the store's local time (naive, for display and spreadsheets)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None)


def local_today(zone: dt.tzinfo) -> dt.date:
    return dt.datetime.now(UTC).astimezone(zone).date()


def day_start_utc(day: dt.date, zone: dt.tzinfo) -> dt.datetime:
    """Naive UTC of local midnight starting ``day`` (DST-aware)."""
    return dt.datetime.combine(day, dt.time(), tzinfo=zone).astimezone(UTC).replace(tzinfo=None)


def local_day(value: dt.datetime, zone: dt.tzinfo) -> dt.date:
    return to_local(value, zone).date()
