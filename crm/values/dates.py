"""Dates and date-times from spreadsheet cells.

Accepted inputs (regular expressions first; ``dateutil`` is only a fallback
for text containing month names such as ``5 Mar 2025``):

* ``date`` / ``datetime`` objects (what calamine/openpyxl give for cells
  formatted as dates); time-zone-aware date-times are converted to China time
  (UTC+8) and made naive;
* Excel serial numbers, ``int`` or ``float`` (``45721`` → 2025-03-05, the
  fraction is the time of day), with Excel's 1900 leap-year bug: serials
  before 61 are shifted by one day and serial 60 (the non-existent
  1900-02-29) is rejected; ``epoch1904=True`` for old Mac workbooks.  A
  5-digit string (``"45721"``) is read as a serial too: that is what a date
  column becomes when a workbook is saved as CSV with the wrong format;
* ``2025-03-05``, ``2025/3/5``, ``2025.3.5``, ``2025年3月5日`` (or ``号``),
  ``20250305`` (also as the number 20250305), each optionally followed by a
  time ``14:30``, ``14:30:15``, ``14:30:15.123``, ``T14:30:15+08:00``,
  ``14时30分``, ``下午3:30``, ``3:30 PM``;
* a weekday after the date (``2025/3/5 星期三``, ``(周三)``) is ignored;
* ``25/3/5``, ``25-03-05`` (two-digit year **first**, Chinese order):
  years 00–69 are 2000–2069, 70–99 are 1970–1999 (the POSIX rule);
* ``5/3/2025`` (four-digit year **last**): day-first or month-first is
  decided by the values when one of them exceeds 12; when both are ≤ 12 the
  date is ambiguous and rejected unless ``dayfirst=True/False`` is given.

:func:`parse_moment` is the same parser for what people type on the command line or in
a results sheet (``--at "2026/12/4 15:20"``, ``2026年12月4日 15:20``): an aware date-time
in the dealer's time zone.  Every command that takes a date or a time uses these three
functions, so what the importer accepts, every other command accepts too.

Years outside 1900–2100 are rejected as implausible; impossible dates
(``2025-02-30``) are rejected with a reason.

    >>> parse_date("2025年3月5日")
    datetime.date(2025, 3, 5)
    >>> parse_date(45721), parse_date("20250305"), parse_date("2025.3.5")
    (datetime.date(2025, 3, 5), datetime.date(2025, 3, 5), datetime.date(2025, 3, 5))
    >>> parse_datetime("2025/3/5 下午2:30")
    datetime.datetime(2025, 3, 5, 14, 30)
    >>> parse_date("2025-02-30")
    Traceback (most recent call last):
    ...
    crm.values.Invalid: 2025-02-30 does not exist (day is out of range for month)
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any

from crm.values import Invalid
from crm.values.text import clean, strip_invisible

__all__ = [
    "MIN_YEAR",
    "MAX_YEAR",
    "parse_date",
    "parse_datetime",
    "parse_moment",
    "from_excel_serial",
]

MIN_YEAR = 1900
MAX_YEAR = 2100
_CHINA = _dt.timezone(_dt.timedelta(hours=8))
_EPOCH_1900 = _dt.datetime(1899, 12, 30)
_EPOCH_1904 = _dt.datetime(1904, 1, 1)

_TIME = (
    r"\s*T?\s*"
    r"(?P<ampm1>上午|下午|中午|晚上|凌晨|早上)?\s*"
    r"(?P<H>\d{1,2})\s*[:：时点]\s*(?P<M>\d{1,2})?"
    r"(?:\s*[:：分]\s*(?P<S>\d{1,2})?(?:\.(?P<f>\d{1,6})\d*)?\s*秒?)?\s*分?"
    r"\s*(?P<ampm2>am|pm|a\.m\.|p\.m\.|上午|下午|晚上|凌晨|早上|中午)?"
    r"\s*(?P<tz>z|utc|gmt|[+-]\d{2}:?\d{2})?"
)
# 2025-03-05 / 2025/3/5 / 2025.3.5 / 2025年3月5日
_YMD = re.compile(
    r"(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*[日号]?"
    rf"(?:{_TIME})?",
    re.IGNORECASE,
)
# 20250305 / 20250305 143000 / 20250305143000
_COMPACT = re.compile(
    r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})"
    r"(?:[T\s]*(?P<H>\d{2}):?(?P<M>\d{2})(?::?(?P<S>\d{2}))?)?"
)
# 25/3/5 (two-digit year first)
_YY_M_D = re.compile(
    r"(?P<y>\d{2})\s*[-/.]\s*(?P<m>\d{1,2})\s*[-/.]\s*(?P<d>\d{1,2})" rf"(?:{_TIME})?",
    re.IGNORECASE,
)
# 5/3/2025 (four-digit year last)
_A_B_Y = re.compile(
    r"(?P<a>\d{1,2})\s*[-/.]\s*(?P<b>\d{1,2})\s*[-/.]\s*(?P<y>\d{4})" rf"(?:{_TIME})?",
    re.IGNORECASE,
)
_SERIAL = re.compile(r"\d{5}(?:\.\d+)?")
_YEAR_MONTH = re.compile(r"\d{4}\s*[-/.年]\s*\d{1,2}\s*月?")
_FAST = re.compile(r"(\d{4})[-/.](\d\d?)[-/.](\d\d?)")
_FAST_DT = re.compile(r"(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)")
_WEEKDAY = re.compile(r"\s*[(（]?(?:星期|周|礼拜)[一二三四五六日天][)）]?")


def from_excel_serial(serial: float, *, epoch1904: bool = False) -> _dt.datetime:
    """Convert an Excel serial day number to a datetime (seconds rounded).

    The 1900 date system counts 1900-01-01 as day 1 and wrongly includes
    1900-02-29 as day 60, so later serials are off by one from a naive count.

    >>> from_excel_serial(1), from_excel_serial(59), from_excel_serial(61)
    (datetime.datetime(1900, 1, 1, 0, 0), datetime.datetime(1900, 2, 28, 0, 0), datetime.datetime(1900, 3, 1, 0, 0))
    >>> from_excel_serial(45721.5)
    datetime.datetime(2025, 3, 5, 12, 0)
    """
    if serial != serial or serial < 0:  # NaN or negative
        raise Invalid("not a date (negative number)")
    if epoch1904:
        base = _EPOCH_1904
    else:
        if serial < 1:
            raise Invalid("Excel serial 0 is not a date")
        if 60 <= serial < 61:
            raise Invalid("Excel serial 60 is the non-existent 1900-02-29")
        base = _EPOCH_1900 if serial >= 61 else _EPOCH_1900 + _dt.timedelta(days=1)
    if serial > 2958465:
        raise Invalid("number too large for an Excel date")
    days = int(serial)
    seconds = round((serial - days) * 86400)
    return base + _dt.timedelta(days=days, seconds=seconds)


def _serial(serial: float, epoch1904: bool) -> _dt.datetime:
    dt = from_excel_serial(serial, epoch1904=epoch1904)
    _check_year(dt.year)
    return dt


def _check_year(y: int) -> None:
    if not MIN_YEAR <= y <= MAX_YEAR:
        raise Invalid(f"year {y} is out of range ({MIN_YEAR}-{MAX_YEAR})")


def _make(y: int, m: int, d: int, H: int = 0, M: int = 0, S: int = 0, us: int = 0) -> _dt.datetime:
    _check_year(y)
    try:
        return _dt.datetime(y, m, d, H, M, S, us)
    except ValueError as exc:
        if not 1 <= m <= 12:
            raise Invalid(f"month {m} is out of range") from None
        if not (0 <= H <= 23 and 0 <= M <= 59 and 0 <= S <= 59):
            raise Invalid(f"time {H:02d}:{M:02d}:{S:02d} is out of range") from None
        raise Invalid(f"{y:04d}-{m:02d}-{d:02d} does not exist ({exc})") from None


def _time(m: re.Match[str]) -> tuple[int, int, int, int, _dt.tzinfo | None]:
    gd = m.groupdict()
    if gd.get("H") is None:
        return 0, 0, 0, 0, None
    H = int(gd["H"])
    M = int(gd["M"] or 0)
    S = int(gd.get("S") or 0)
    f = gd.get("f")
    us = int(f.ljust(6, "0")) if f else 0
    ampm = (gd.get("ampm1") or gd.get("ampm2") or "").lower()
    if ampm:
        if not 1 <= H <= 12 and not (H == 0 and ampm in ("am", "a.m.", "凌晨")):
            if not (ampm in ("下午", "晚上", "中午") and H <= 23):
                raise Invalid(f"hour {H} is out of range for {ampm}")
        if ampm in ("pm", "p.m.", "下午", "晚上") and H < 12:
            H += 12
        elif ampm == "中午" and H < 11:
            H += 12
        elif ampm in ("am", "a.m.", "凌晨", "上午", "早上") and H == 12:
            H = 0
    tz = None
    t = (gd.get("tz") or "").lower()
    if t in ("z", "utc", "gmt"):
        tz = _dt.timezone.utc
    elif t:
        sign = -1 if t[0] == "-" else 1
        hh, mm = int(t[1:3]), int(t[-2:])
        tz = _dt.timezone(sign * _dt.timedelta(hours=hh, minutes=mm))
    return H, M, S, us, tz


def _to_china(dt: _dt.datetime) -> _dt.datetime:
    if dt.tzinfo is None:
        return dt
    return dt.astimezone(_CHINA).replace(tzinfo=None)


def _ab_order(a: int, b: int, dayfirst: bool | None) -> tuple[int, int]:
    """(month, day) from the first two fields of a/b/yyyy."""
    if a > 12 and b <= 12:
        return b, a
    if b > 12 and a <= 12:
        return a, b
    if a == b:
        return a, b
    if dayfirst is None:
        raise Invalid("ambiguous date: day/month order unknown (use YYYY-MM-DD)")
    return (b, a) if dayfirst else (a, b)


def _parse_text(s: str, dayfirst: bool | None, epoch1904: bool) -> _dt.datetime:
    m = _YMD.fullmatch(s)
    if m:
        H, M, S, us, tz = _time(m)
        dt = _make(int(m["y"]), int(m["m"]), int(m["d"]), H, M, S, us)
        return _to_china(dt.replace(tzinfo=tz)) if tz else dt
    m = _COMPACT.fullmatch(s)
    if m:
        return _make(
            int(m["y"]), int(m["m"]), int(m["d"]),
            int(m["H"] or 0), int(m["M"] or 0), int(m["S"] or 0),
        )
    if _SERIAL.fullmatch(s):
        return _serial(float(s), epoch1904)
    m = _A_B_Y.fullmatch(s)
    if m:
        month, day = _ab_order(int(m["a"]), int(m["b"]), dayfirst)
        H, M, S, us, tz = _time(m)
        dt = _make(int(m["y"]), month, day, H, M, S, us)
        return _to_china(dt.replace(tzinfo=tz)) if tz else dt
    m = _YY_M_D.fullmatch(s)
    if m:
        yy = int(m["y"])
        H, M, S, us, tz = _time(m)
        dt = _make(2000 + yy if yy < 70 else 1900 + yy, int(m["m"]), int(m["d"]), H, M, S, us)
        return _to_china(dt.replace(tzinfo=tz)) if tz else dt
    if _YEAR_MONTH.fullmatch(s):
        raise Invalid("incomplete date (no day)")
    if any("a" <= c <= "z" for c in s.lower()) and len(s) <= 60:
        return _dateutil(s, dayfirst)
    raise Invalid("not a date")


def _dateutil(s: str, dayfirst: bool | None) -> _dt.datetime:
    from dateutil import parser  # lazy: only for month names and odd formats

    try:
        a = parser.parse(s, default=_dt.datetime(2001, 1, 1), dayfirst=bool(dayfirst))
        b = parser.parse(s, default=_dt.datetime(2002, 2, 2), dayfirst=bool(dayfirst))
    except (ValueError, OverflowError, parser.ParserError):
        raise Invalid("not a date") from None
    if a.date() != b.date():
        raise Invalid("incomplete date")
    _check_year(a.year)
    return _to_china(a)


def _parse(value: Any, dayfirst: bool | None, epoch1904: bool) -> _dt.datetime:
    if isinstance(value, _dt.datetime):
        dt = _to_china(value)
        _check_year(dt.year)
        return dt
    if isinstance(value, _dt.date):
        _check_year(value.year)
        return _dt.datetime(value.year, value.month, value.day)
    if isinstance(value, (_dt.time, _dt.timedelta)):
        raise Invalid("a time of day without a date")
    if isinstance(value, bool) or value is None:
        raise Invalid("empty" if value is None else "not a date")
    if isinstance(value, (int, float)):
        if isinstance(value, int) and 19000101 <= value <= 21001231:
            return _parse_text(str(value), dayfirst, epoch1904)
        return _serial(value, epoch1904)
    if not isinstance(value, str):
        raise Invalid("not a date")
    s = strip_invisible(value).strip()
    if not s or s.startswith("0000") and clean(s) is None:
        raise Invalid("empty")
    if len(s) > 80:
        raise Invalid("too long for a date")
    if "周" in s or "星期" in s or "礼拜" in s:
        s = _WEEKDAY.sub(" ", s).strip()
    return _parse_text(s, dayfirst, epoch1904)


def parse_date(value: Any, *, dayfirst: bool | None = None, epoch1904: bool = False) -> _dt.date:
    """Parse a date cell (see the module docstring); any time part is dropped.

    >>> parse_date("25/3/5"), parse_date("15/3/2025"), parse_date("3/5/2025", dayfirst=False)
    (datetime.date(2025, 3, 5), datetime.date(2025, 3, 15), datetime.date(2025, 3, 5))
    >>> parse_date("3/5/2025")
    Traceback (most recent call last):
    ...
    crm.values.Invalid: ambiguous date: day/month order unknown (use YYYY-MM-DD)
    """
    if type(value) is str and len(value) <= 10:
        m = _FAST.fullmatch(value)
        if m:
            y = int(m.group(1))
            if MIN_YEAR <= y <= MAX_YEAR:
                try:
                    return _dt.date(y, int(m.group(2)), int(m.group(3)))
                except ValueError:
                    pass  # the slow path gives the reason
    elif type(value) is _dt.date:
        if MIN_YEAR <= value.year <= MAX_YEAR:
            return value
    return _parse(value, dayfirst, epoch1904).date()


def parse_datetime(value: Any, *, dayfirst: bool | None = None, epoch1904: bool = False) -> _dt.datetime:
    """Parse a date-time cell to a naive datetime in China time; a date
    without a time gives midnight.

    >>> parse_datetime("2025-03-05T06:30:00Z")
    datetime.datetime(2025, 3, 5, 14, 30)
    >>> parse_datetime("2025年3月5日 14时30分")
    datetime.datetime(2025, 3, 5, 14, 30)
    >>> parse_datetime(45721.75)
    datetime.datetime(2025, 3, 5, 18, 0)
    """
    if type(value) is str and len(value) == 19:
        m = _FAST_DT.fullmatch(value)
        if m and MIN_YEAR <= int(m.group(1)) <= MAX_YEAR:
            try:
                y, mo, d, H, M, S = (int(g) for g in m.groups())
                return _dt.datetime(y, mo, d, H, M, S)
            except ValueError:
                pass  # the slow path gives the reason
    return _parse(value, dayfirst, epoch1904)


_OFFSET = re.compile(r"(?:z|[+-]\d{2}:?\d{2})$", re.IGNORECASE)
_HAS_TIME = re.compile(r"\d\s*[:：时点]|\d[T ]\d{2}(?::?\d{2})|[上下中晚早]午|凌晨|晚上|[ap]\.?m\.?$", re.IGNORECASE)


def parse_moment(value: Any, tz: _dt.tzinfo, *, date_only_at: _dt.time | None = None) -> _dt.datetime:
    """A date-time as people type it (every format :func:`parse_datetime` reads), aware in ``tz``.

    Text without an offset is local time in ``tz``; with one (``Z``, ``+08:00``) it is
    converted.  A date without a time gives ``date_only_at`` (default midnight).

    >>> import zoneinfo
    >>> sh = zoneinfo.ZoneInfo("Asia/Shanghai")
    >>> parse_moment("2026/12/4 15:20", sh).isoformat()
    '2026-12-04T15:20:00+08:00'
    >>> parse_moment("2026年12月4日 15:20", sh) == parse_moment("2026-12-04T15:20", sh)
    True
    >>> parse_moment("2026-12-04T07:20:00Z", sh).isoformat()
    '2026-12-04T15:20:00+08:00'
    >>> parse_moment("2026-12-04", sh, date_only_at=_dt.time(18)).isoformat()
    '2026-12-04T18:00:00+08:00'
    """
    if isinstance(value, _dt.datetime):
        moment = value
    elif isinstance(value, _dt.date):
        moment = _dt.datetime.combine(value, date_only_at or _dt.time())
    else:
        text = strip_invisible(str(value if value is not None else "")).strip()
        if _OFFSET.search(text) and not text.isdigit():
            try:
                return _dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00")).astimezone(tz)
            except ValueError:
                return parse_datetime(text).replace(tzinfo=_CHINA).astimezone(tz)  # China time, made naive
        moment = parse_datetime(value if isinstance(value, (int, float)) else text)
        if date_only_at is not None and isinstance(value, str) and not _HAS_TIME.search(text):
            moment = _dt.datetime.combine(moment.date(), date_only_at)
    return moment.astimezone(tz) if moment.tzinfo else moment.replace(tzinfo=tz)
