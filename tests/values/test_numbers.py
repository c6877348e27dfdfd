from decimal import Decimal

import pytest

from crm.values import Invalid
from crm.values.numbers import parse_amount, parse_decimal, parse_int, parse_mileage


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("1,234.50", Decimal("1234.50")),
        ("1234", Decimal("1234")),
        ("¥1234", Decimal("1234")),
        ("￥1,234.5", Decimal("1234.5")),
        ("RMB 1000", Decimal("1000")),
        ("CNY1000", Decimal("1000")),
        ("人民币1000元", Decimal("1000")),
        ("1000元", Decimal("1000")),
        ("12 345", Decimal("12345")),
        ("12\u00a0345", Decimal("12345")),
        ("１２３４．５", Decimal("1234.5")),
        ("１，２３４", Decimal("1234")),
        ("1.2万", Decimal("12000")),
        ("1.2w", Decimal("12000")),
        ("3千", Decimal("3000")),
        ("2k", Decimal("2000")),
        ("1.5亿", Decimal("150000000")),
        ("-12.5", Decimal("-12.5")),
        ("(12.5)", Decimal("-12.5")),
        ("-¥12", Decimal("-12")),
        ("+7", Decimal("7")),
        ("1.2E+5", Decimal("120000")),
        (".5", Decimal("0.5")),
        (1234.5, Decimal("1234.5")),
        (0.1, Decimal("0.1")),
        (42, Decimal("42")),
        (Decimal("3.30"), Decimal("3.30")),
    ],
)
def test_parse_decimal(raw, expected):
    assert parse_decimal(raw) == expected


@pytest.mark.parametrize(
    "raw, reason",
    [
        ("1,5", "groups of three"),
        ("1,23,456", "groups of three"),
        ("abc", "not a number"),
        ("12abc", "not a number"),
        ("", "empty"),
        (None, "empty"),
        (True, "not a number"),
        (float("nan"), "finite"),
        (float("inf"), "finite"),
        ("1 2 3", "not a number"),
        ("--5", "not a number"),
    ],
)
def test_invalid(raw, reason):
    with pytest.raises(Invalid, match=reason):
        parse_decimal(raw)


def test_amount():
    assert parse_amount("1,234.5") == Decimal("1234.50")
    assert parse_amount(0.1 + 0.2) == Decimal("0.30")
    assert parse_amount("99.995") == Decimal("100.00")
    assert parse_amount("1.2万元") == Decimal("12000.00")
    with pytest.raises(Invalid, match="too large"):
        parse_amount("1e20")


def test_int():
    assert parse_int("12,345") == 12345
    assert parse_int(12.0) == 12
    assert parse_int("1.2万") == 12000
    with pytest.raises(Invalid, match="whole"):
        parse_int("12.5")


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("12345", 12345),
        ("12,345km", 12345),
        ("12,345 KM", 12345),
        ("12345公里", 12345),
        ("12345千米", 12345),
        ("1.2万公里", 12000),
        ("1.2万", 12000),
        ("3.5w km", 35000),
        ("１２３４５", 12345),
        ("12345.6", 12346),
        (12345, 12345),
        (12345.4, 12345),
        ("0", 0),
    ],
)
def test_mileage(raw, expected):
    assert parse_mileage(raw) == expected


@pytest.mark.parametrize("raw, reason", [("-5", "negative"), ("3000000", "implausible"), ("abc", "not a number"), (None, "empty")])
def test_mileage_invalid(raw, reason):
    with pytest.raises(Invalid, match=reason):
        parse_mileage(raw)
