"""Working days and hours in China (public holidays and make-up workdays), and quiet hours.

A :class:`Calendar` answers: the dealer's ``[calendar]`` dates, then ``chinesecalendar``
(imported on first use); beyond the years either knows, weekends alone decide (and
:meth:`Calendar.known_year` says so, for a warning).  The App builds one from the config
(``app.calendar``); nothing here is module state.

Working hours for deadlines default to 09:00–18:00 with a 12:00–13:30 lunch break;
callers pass their own from the config.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Iterable, Mapping

WORK_DAY_HOURS = ((dt.time(9, 0), dt.time(12, 0)), (dt.time(13, 30), dt.time(18, 0)))


def parse_days(item: object) -> list[dt.date]:
    """``"2027-01-01"`` or ``"2027-02-06..2027-02-12"`` (both ends included) → the days.
    Raises ValueError with the reason."""
    text = str(item).strip()
    first, sep, last = text.partition("..")
    try:
        start = dt.date.fromisoformat(first.strip())
        end = dt.date.fromisoformat(last.strip()) if sep else start
    except ValueError:
        raise ValueError(f"{text!r}: not a date (YYYY-MM-DD) or a range (YYYY-MM-DD..YYYY-MM-DD)") from None
    if end < start or (end - start).days > 31:
        raise ValueError(f"{text!r}: not a range of at most a month, first day first")
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def calendar_from_config(section: dict) -> tuple[dict[dt.date, str], frozenset[dt.date]]:
    """The ``[calendar]`` section → (holidays with names, make-up workdays).

    ``holidays`` is a list of days/ranges, or a table ``name = day, range or list of them``
    (``春节 = "2027-02-06..2027-02-12"``); ``workdays`` a list of days/ranges."""
    holidays: dict[dt.date, str] = {}
    given = section.get("holidays") or []
    named = given.items() if isinstance(given, dict) else [("", item) for item in given]
    for name, items in named:
        for item in (items if isinstance(items, list) else [items]):
            for day in parse_days(item):
                holidays[day] = str(name)
    workdays = frozenset(d for item in section.get("workdays") or [] for d in parse_days(item))
    return holidays, workdays


class Calendar:
    """The working days: the config's ``[calendar]`` dates first, then chinesecalendar.

    One is built from the config for each run (:attr:`crm.context.App.calendar`) and
    never changes; ``Calendar()`` knows the State Council's dates only.  The answers are
    cached per calendar (a plan asks the same few days thousands of times), so keep one.
    """

    def __init__(self, holidays: Mapping[dt.date, str] | None = None, workdays: Iterable[dt.date] = ()):
        #: day -> holiday name ("" when the config gives none) / make-up working days
        self.holidays: dict[dt.date, str] = dict(holidays or {})
        self.workdays: frozenset[dt.date] = frozenset(workdays)
        self.is_workday = lru_cache(maxsize=4096)(self._is_workday)
        self.add_workdays = lru_cache(maxsize=16384)(self._add_workdays)
        self.previous_workday = lru_cache(maxsize=4096)(self._previous_workday)

    @classmethod
    def from_config(cls, section: dict) -> "Calendar":
        """From the config's ``[calendar]`` section (see :func:`calendar_from_config`)."""
        return cls(*calendar_from_config(section))

    def __repr__(self) -> str:
        return f"Calendar({len(self.holidays)} holidays, {len(self.workdays)} make-up workdays from the config)"

    def _is_workday(self, day: dt.date) -> bool:
        """True on a working day: weekdays that are not holidays, plus make-up workdays.

        The config's ``[calendar]`` days come first, then chinesecalendar; in a year neither
        knows (see :meth:`unknown_years`), Monday to Friday."""
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        try:
            import chinese_calendar

            return chinese_calendar.is_workday(day)
        except (NotImplementedError, ImportError):
            return day.weekday() < 5

    def _add_workdays(self, start: dt.date, days: int) -> dt.date:
        """The date ``days`` working days after ``start`` (0 = ``start`` if it is a workday, else the next one)."""
        day = start
        while not self.is_workday(day):
            day += dt.timedelta(days=1)
        remaining = days
        while remaining > 0:
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                remaining -= 1
        return day

    def _previous_workday(self, day: dt.date) -> dt.date:
        """``day`` if it is a working day, else the last one before it."""
        while not self.is_workday(day):
            day -= dt.timedelta(days=1)
        return day

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in ``(start, end]``."""
        count, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            count += self.is_workday(day)
        return count

    def holiday_name(self, day: dt.date) -> str | None:
        """The public holiday on ``day`` (e.g. "National Day"), or None."""
        if day in self.holidays:
            return self.holidays[day] or "Public holiday"
        try:
            import chinese_calendar

            on_holiday, name = chinese_calendar.get_holiday_detail(day)
            return name if on_holiday and name else None
        except (NotImplementedError, ImportError):
            return None

    def known_year(self, year: int) -> bool:
        """Whether the holidays of ``year`` are known: to chinesecalendar, or given in the config."""
        if any(d.year == year for d in self.holidays):
            return True
        try:
            import chinese_calendar

            chinese_calendar.is_workday(dt.date(year, 6, 1))
            return True
        except (NotImplementedError, ImportError):
            return False

    def unknown_years(self, first: dt.date, last: dt.date) -> list[int]:
        """The years from ``first`` to ``last`` whose public holidays nobody has given."""
        return [y for y in range(first.year, last.year + 1) if not self.known_year(y)]

    def warning(self, first: dt.date, last: dt.date) -> str | None:
        """A one-line warning when working days between ``first`` and ``last`` are guesses."""
        years = self.unknown_years(first, last)
        if not years:
            return None
        try:
            from importlib.metadata import version

            package = f"chinesecalendar {version('chinesecalendar')}"
        except Exception:  # noqa: BLE001 - not installed: say so
            package = "chinesecalendar (not installed)"
        shown = ", ".join(map(str, years))
        return (f"the public holidays of {shown} are not known ({package}; no [calendar] dates in the config):"
                f" working days there are Monday to Friday, so deadlines and call days around the holidays will"
                f" be wrong; add the State Council's holidays and make-up workdays under [calendar] in the config"
                f" (docs/configuration.md) or update chinesecalendar")

    def add_working_hours(self, start: dt.datetime, hours: float, work_hours=WORK_DAY_HOURS) -> dt.datetime:
        """The moment ``hours`` working hours after ``start`` (naive or aware, same tz kept)."""
        tz = start.tzinfo
        moment = start.replace(tzinfo=None)
        left = dt.timedelta(hours=hours)
        day = moment.date()
        for _ in range(3660):
            if self.is_workday(day):
                for begin, end in _segments(day, work_hours):
                    if moment >= end:
                        continue
                    begin = max(begin, moment)
                    if begin + left <= end:
                        return (begin + left).replace(tzinfo=tz)
                    left -= end - begin
            day += dt.timedelta(days=1)
            moment = dt.datetime.combine(day, dt.time(0))
        raise ValueError("deadline more than ten years away")

    def working_hours_between(self, start: dt.datetime, end: dt.datetime, work_hours=WORK_DAY_HOURS) -> float:
        """Working hours from ``start`` to ``end`` (0 if end <= start)."""
        if end <= start:
            return 0.0
        a, b = start.replace(tzinfo=None), end.replace(tzinfo=None)
        total = dt.timedelta()
        day = a.date()
        while day <= b.date():
            if self.is_workday(day):
                for begin, finish in _segments(day, work_hours):
                    lo, hi = max(begin, a), min(finish, b)
                    if hi > lo:
                        total += hi - lo
            day += dt.timedelta(days=1)
        return total.total_seconds() / 3600


def _segments(day: dt.date, hours) -> Iterable[tuple[dt.datetime, dt.datetime]]:
    for begin, end in hours:
        yield dt.datetime.combine(day, begin), dt.datetime.combine(day, end)


def parse_hhmm(text: str) -> dt.time:
    hour, minute = text.strip().split(":")
    return dt.time(int(hour), int(minute))


class QuietHours:
    """When customers must not be called: before/after hours and breaks (from the config)."""

    def __init__(self, not_before: str = "09:00", not_after: str = "20:00", breaks: Iterable[str] = ("12:00-14:00",)):
        self.not_before = parse_hhmm(not_before)
        self.not_after = parse_hhmm(not_after)
        self.breaks = [tuple(parse_hhmm(p) for p in b.split("-")) for b in breaks]

    @classmethod
    def from_config(cls, config) -> "QuietHours":
        q = config.get("quiet_hours") or {}
        return cls(q.get("not_before", "09:00"), q.get("not_after", "20:00"), q.get("breaks", ["12:00-14:00"]))

    def allows(self, moment: dt.datetime | dt.time) -> bool:
        """True when a call at ``moment`` is allowed."""
        t = moment.time() if isinstance(moment, dt.datetime) else moment
        if t < self.not_before or t >= self.not_after:
            return False
        return not any(start <= t < end for start, end in self.breaks)

    def next_allowed(self, moment: dt.datetime) -> dt.datetime:
        """The first allowed moment at or after ``moment`` (same day or later)."""
        candidate = moment
        for _ in range(3):
            t = candidate.time()
            if t < self.not_before:
                candidate = candidate.replace(hour=self.not_before.hour, minute=self.not_before.minute, second=0, microsecond=0)
            elif t >= self.not_after:
                nxt = candidate + dt.timedelta(days=1)
                candidate = nxt.replace(hour=self.not_before.hour, minute=self.not_before.minute, second=0, microsecond=0)
            for start, end in self.breaks:
                if start <= candidate.time() < end:
                    candidate = candidate.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
            if self.allows(candidate):
                return candidate
        return candidate

    def windows(self) -> list[tuple[dt.time, dt.time]]:
        """The allowed calling windows of a day, in order."""
        edges = [(self.not_before, self.not_after)]
        for start, end in sorted(self.breaks):
            out = []
            for lo, hi in edges:
                if end <= lo or start >= hi:
                    out.append((lo, hi))
                    continue
                if start > lo:
                    out.append((lo, start))
                if end < hi:
                    out.append((end, hi))
            edges = out
        return edges
