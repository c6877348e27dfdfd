"""Report periods: ``2026-11``, ``2026``, ``2026-11-20``, ``2026-11-01..2026-11-15``, ``2026-W47``."""

from __future__ import annotations

import calendar
import datetime as dt
import re

from crm.errors import BadInput


def parse_period(text: str) -> tuple[dt.date, dt.date]:
    """The first and last day (inclusive) of a period."""
    value = (text or "").strip()
    try:
        if ".." in value:
            lo, hi = (dt.date.fromisoformat(p.strip()) for p in value.split("..", 1))
            if hi < lo:
                raise BadInput(f"period {text!r}: the end is before the start")
            return lo, hi
        if re.fullmatch(r"\d{4}", value):
            return dt.date(int(value), 1, 1), dt.date(int(value), 12, 31)
        if re.fullmatch(r"\d{4}-\d{2}", value):
            year, month = map(int, value.split("-"))
            return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
        match = re.fullmatch(r"(\d{4})-W(\d{2})", value, re.IGNORECASE)
        if match:
            lo = dt.date.fromisocalendar(int(match[1]), int(match[2]), 1)
            return lo, lo + dt.timedelta(days=6)
        day = dt.date.fromisoformat(value)
        return day, day
    except ValueError:
        raise BadInput(f"period {text!r}: use 2026-11, 2026, 2026-W47, 2026-11-20 or 2026-11-01..2026-11-15") from None
