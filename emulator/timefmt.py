"""Time formats of the portal: RFC 3339 UTC instants, calendar dates, HTTP dates.

Instants travel as whole seconds in UTC with a ``Z`` suffix
(``2026-11-22T08:00:00Z``). Calendar dates (``delivery_date``, ``starts_on``,
``visit_on`` ...) are ``YYYY-MM-DD`` in China time (UTC+8), where the dealer is.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from email.utils import format_datetime

CHINA_TZ = timezone(timedelta(hours=8), "CST")

_RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def format_instant(epoch: float) -> str:
    """Format epoch seconds as RFC 3339 UTC with a ``Z``, whole seconds."""
    moment = datetime.fromtimestamp(int(epoch), tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_instant(text: str) -> float:
    """Parse an RFC 3339 date-time that carries an offset; return epoch seconds.

    Raises ``ValueError`` for anything else (a missing offset included).
    """
    if not isinstance(text, str) or not _RFC3339.match(text):
        raise ValueError(f"not an RFC 3339 date-time with offset: {text!r}")
    normalized = text.replace("z", "Z").replace("Z", "+00:00").replace("t", "T")
    normalized = normalized.replace(" ", "T", 1)
    return datetime.fromisoformat(normalized).timestamp()


def parse_date(text: str) -> date:
    """Parse a ``YYYY-MM-DD`` calendar date; raises ``ValueError`` otherwise."""
    if not isinstance(text, str) or not _DATE.match(text):
        raise ValueError(f"not a YYYY-MM-DD date: {text!r}")
    return date.fromisoformat(text)


def china_date(epoch: float) -> date:
    """The calendar date in China (UTC+8) at an instant."""
    return datetime.fromtimestamp(epoch, tz=CHINA_TZ).date()


def china_iso(epoch: float) -> str:
    """An instant as ISO 8601 with the +08:00 offset (used inside ADF documents)."""
    return datetime.fromtimestamp(int(epoch), tz=CHINA_TZ).isoformat()


def http_date(epoch: float) -> str:
    """An instant as an RFC 9110 HTTP-date (``Sun, 22 Nov 2026 08:00:00 GMT``)."""
    return format_datetime(datetime.fromtimestamp(int(epoch), tz=timezone.utc), usegmt=True)
