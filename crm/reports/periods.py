"""Report periods: parsing ``--period`` and the two comparison periods.

Accepted forms (dates are the dealer's local dates, both ends inclusive):

- ``2026-11-20``            a day
- ``2026-W47``              an ISO week (Monday to Sunday)
- ``2026-11``               a month
- ``2026-Q4`` / ``2026``    a quarter / a year
- ``2026-11-01..2026-11-15`` any range
- ``today`` / ``yesterday`` / ``this`` / ``last``  relative to ``CRM_NOW`` (``this``/``last``
  mean the current/previous day, week or month of the report kind)

A period that is still running is cut at today ("to date"), and so are its comparisons:
November 1–20 is compared with October 1–20 and November 1–20 of last year.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import re

from ..errors import BadInput

ONE = dt.timedelta(days=1)
SYNTAX = "use 2026-11-20, 2026-W47, 2026-11, 2026-Q4, 2026, 2026-11-01..2026-11-15, today, this or last"


@dataclasses.dataclass(frozen=True)
class Period:
    """A span of days ``start..end`` (inclusive) of a given grain (day/week/month/quarter/year/range)."""

    grain: str
    start: dt.date
    end: dt.date
    label: str
    to_date: bool = False

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def as_dict(self) -> dict:
        return {"grain": self.grain, "label": self.label, "start": self.start, "end": self.end,
                "to_date": self.to_date}


def _month_end(y: int, m: int) -> dt.date:
    return dt.date(y, m, calendar.monthrange(y, m)[1])


def _shift_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    y, m = divmod(index, 12)
    return dt.date(y, m + 1, min(day.day, calendar.monthrange(y, m + 1)[1]))


def _shift_year(day: dt.date, years: int = -1) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def day(d: dt.date) -> Period:
    return Period("day", d, d, d.isoformat())


def week(y: int, w: int) -> Period:
    start = dt.date.fromisocalendar(y, w, 1)
    return Period("week", start, start + 6 * ONE, f"{y}-W{w:02d}")


def month(y: int, m: int) -> Period:
    return Period("month", dt.date(y, m, 1), _month_end(y, m), f"{y}-{m:02d}")


def quarter(y: int, q: int) -> Period:
    return Period("quarter", dt.date(y, 3 * q - 2, 1), _month_end(y, 3 * q), f"{y}-Q{q}")


def year(y: int) -> Period:
    return Period("year", dt.date(y, 1, 1), dt.date(y, 12, 31), str(y))


DEFAULT_GRAIN = {"daily": "day", "weekly": "week", "monthly": "month", "kpi": "month"}


def current(grain: str, today: dt.date) -> Period:
    if grain == "day":
        return day(today)
    if grain == "week":
        y, w, _ = today.isocalendar()
        return week(y, w)
    if grain == "quarter":
        return quarter(today.year, (today.month - 1) // 3 + 1)
    if grain == "year":
        return year(today.year)
    return month(today.year, today.month)


def parse(text: str | None, kind: str, today: dt.date) -> Period:
    """The period named by ``text`` (None: the current one of the report kind), cut at today."""
    grain = DEFAULT_GRAIN.get(kind, "month")
    raw = (text or "this").strip()
    t = raw.lower()
    try:
        if t in ("this", "current"):
            p = current(grain, today)
        elif t in ("last", "previous"):
            p = previous(current(grain, today))
        elif t == "today":
            p = day(today)
        elif t == "yesterday":
            p = day(today - ONE)
        elif m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", t):
            p = day(dt.date(int(m[1]), int(m[2]), int(m[3])))
        elif m := re.fullmatch(r"(\d{4})-w(\d{1,2})", t):
            p = week(int(m[1]), int(m[2]))
        elif m := re.fullmatch(r"(\d{4})-(\d{1,2})", t):
            p = month(int(m[1]), int(m[2]))
        elif m := re.fullmatch(r"(\d{4})-q([1-4])", t):
            p = quarter(int(m[1]), int(m[2]))
        elif m := re.fullmatch(r"(\d{4})", t):
            p = year(int(m[1]))
        elif m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", t):
            a, b = dt.date.fromisoformat(m[1]), dt.date.fromisoformat(m[2])
            if b < a:
                raise BadInput(f"--period {raw!r}: the range ends before it starts")
            p = Period("range", a, b, f"{a}..{b}")
        else:
            raise ValueError
    except BadInput:
        raise
    except ValueError:
        raise BadInput(f"--period {raw!r}: {SYNTAX}") from None
    if p.start > today:
        raise BadInput(f"--period {raw!r} lies in the future (today is {today})")
    if p.end > today:
        p = dataclasses.replace(p, end=today, to_date=True)
    return p


def _nominal_end(p: Period) -> dt.date:
    if p.grain == "day":
        return p.start
    if p.grain == "week":
        return p.start + 6 * ONE
    if p.grain == "month":
        return _month_end(p.start.year, p.start.month)
    if p.grain == "quarter":
        return _month_end(p.start.year, p.start.month + 2)
    if p.grain == "year":
        return dt.date(p.start.year, 12, 31)
    return p.end


def _cut(p: Period, like: Period) -> Period:
    """``p`` cut to the same number of days as ``like`` when ``like`` is running (to date)."""
    if not like.to_date:
        return p
    end = min(p.end, p.start + (like.end - like.start))
    return dataclasses.replace(p, end=end, to_date=True)


def previous(p: Period) -> Period:
    """The period just before ``p``, of the same grain (a range: the same number of days)."""
    if p.grain == "day":
        q = day(p.start - ONE)
    elif p.grain == "week":
        q = week(*(p.start - 7 * ONE).isocalendar()[:2])
    elif p.grain == "month":
        s = _shift_months(p.start, -1)
        q = month(s.year, s.month)
    elif p.grain == "quarter":
        s = _shift_months(p.start, -3)
        q = quarter(s.year, (s.month - 1) // 3 + 1)
    elif p.grain == "year":
        q = year(p.start.year - 1)
    else:
        n = _nominal_end(p) - p.start
        q = Period("range", p.start - n - ONE, p.start - ONE, f"{p.start - n - ONE}..{p.start - ONE}")
    return _cut(q, p)


def last_year(p: Period) -> Period:
    """The same period a year earlier (the same ISO week number for a week)."""
    if p.grain == "week":
        y, w, _ = p.start.isocalendar()
        try:
            q = week(y - 1, w)
        except ValueError:  # week 53 that last year did not have
            q = week(y - 1, 52)
    elif p.grain == "month":
        q = month(p.start.year - 1, p.start.month)
    elif p.grain == "quarter":
        q = quarter(p.start.year - 1, (p.start.month - 1) // 3 + 1)
    elif p.grain == "year":
        q = year(p.start.year - 1)
    elif p.grain == "day":
        q = day(_shift_year(p.start))
    else:
        a, b = _shift_year(p.start), _shift_year(_nominal_end(p))
        q = Period("range", a, b, f"{a}..{b}")
    return _cut(q, p)
