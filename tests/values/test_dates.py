import datetime as dt

import pytest

from crm.values import Invalid
from crm.values.dates import from_excel_serial, parse_date, parse_datetime

D = dt.date(2025, 3, 5)


@pytest.mark.parametrize(
    "raw",
    [
        "2025-03-05",
        "2025-3-5",
        "2025/3/5",
        "2025/03/05",
        "2025.3.5",
        "2025.03.05",
        "2025年3月5日",
        "2025年03月05日",
        "2025年3月5号",
        "2025 年 3 月 5 日",
        "20250305",
        20250305,
        "25/3/5",
        "25-03-05",
        "5/3/2025 ",  # ambiguous, but a == b? no: 5 and 3 both <= 12 -> needs dayfirst (see below)
    ][:-1]
    + [
        "２０２５－０３－０５",
        "2025-03-05 00:00:00",
        "2025/3/5 星期三",
        "45721",
        45721,
        45721.0,
        45721.99,
        dt.date(2025, 3, 5),
        dt.datetime(2025, 3, 5, 23, 59),
        "5 Mar 2025",
        "March 5, 2025",
    ],
)
def test_parse_date_formats(raw):
    assert parse_date(raw) == D


def test_day_month_order():
    assert parse_date("15/3/2025") == dt.date(2025, 3, 15)  # day first: 15 > 12
    assert parse_date("3/15/2025") == dt.date(2025, 3, 15)  # month first
    assert parse_date("5/3/2025", dayfirst=True) == D
    assert parse_date("3/5/2025", dayfirst=False) == D
    assert parse_date("5/5/2025") == dt.date(2025, 5, 5)
    with pytest.raises(Invalid, match="ambiguous"):
        parse_date("3/5/2025")


def test_two_digit_year_window():
    assert parse_date("69/1/1") == dt.date(2069, 1, 1)
    assert parse_date("70/1/1") == dt.date(1970, 1, 1)
    assert parse_date("85.12.31") == dt.date(1985, 12, 31)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("2025-03-05 14:30", dt.datetime(2025, 3, 5, 14, 30)),
        ("2025-03-05 14:30:15", dt.datetime(2025, 3, 5, 14, 30, 15)),
        ("2025-03-05T14:30:15", dt.datetime(2025, 3, 5, 14, 30, 15)),
        ("2025-03-05 14:30:15.250", dt.datetime(2025, 3, 5, 14, 30, 15, 250000)),
        ("2025/3/5 9:05", dt.datetime(2025, 3, 5, 9, 5)),
        ("2025年3月5日 14时30分", dt.datetime(2025, 3, 5, 14, 30)),
        ("2025年3月5日14:30", dt.datetime(2025, 3, 5, 14, 30)),
        ("2025/3/5 下午2:30", dt.datetime(2025, 3, 5, 14, 30)),
        ("2025/3/5 上午12:10", dt.datetime(2025, 3, 5, 0, 10)),
        ("2025/3/5 2:30 PM", dt.datetime(2025, 3, 5, 14, 30)),
        ("2025-03-05T06:30:00Z", dt.datetime(2025, 3, 5, 14, 30)),
        ("2025-03-05T14:30:00+08:00", dt.datetime(2025, 3, 5, 14, 30)),
        ("20250305143000", dt.datetime(2025, 3, 5, 14, 30)),
        ("2025-03-05", dt.datetime(2025, 3, 5)),
        (45721.75, dt.datetime(2025, 3, 5, 18, 0)),
        ("45721.5", dt.datetime(2025, 3, 5, 12, 0)),
        (dt.datetime(2025, 3, 5, 6, 30, tzinfo=dt.timezone.utc), dt.datetime(2025, 3, 5, 14, 30)),
        (dt.date(2025, 3, 5), dt.datetime(2025, 3, 5)),
    ],
)
def test_parse_datetime(raw, expected):
    assert parse_datetime(raw) == expected


def test_excel_serials_and_1900_bug():
    assert from_excel_serial(1) == dt.datetime(1900, 1, 1)
    assert from_excel_serial(59) == dt.datetime(1900, 2, 28)
    assert from_excel_serial(61) == dt.datetime(1900, 3, 1)
    assert from_excel_serial(45658) == dt.datetime(2025, 1, 1)
    with pytest.raises(Invalid, match="1900-02-29"):
        from_excel_serial(60)
    assert from_excel_serial(0, epoch1904=True) == dt.datetime(1904, 1, 1)
    assert parse_date(45658 - 1462, epoch1904=True) == dt.date(2025, 1, 1)


@pytest.mark.parametrize(
    "raw, reason",
    [
        ("2025-02-30", "does not exist"),
        ("2023-02-29", "does not exist"),
        ("2025-13-01", "month 13"),
        ("2025-00-10", "month 0"),
        ("2025-03-05 25:00", "out of range"),
        ("1800-01-01", "year 1800"),
        ("2025-03", "incomplete"),
        ("March 2025", "incomplete"),
        ("hello", "not a date"),
        ("12345678901", "not a date"),
        ("", "empty"),
        (None, "empty"),
        (True, "not a date"),
        (60, "1900-02-29"),
        (-1, "negative"),
        (dt.time(12, 0), "without a date"),
        (3000000, "too large"),
    ],
)
def test_invalid(raw, reason):
    with pytest.raises(Invalid, match=reason):
        parse_datetime(raw)


def test_leap_day_ok():
    assert parse_date("2024-02-29") == dt.date(2024, 2, 29)
