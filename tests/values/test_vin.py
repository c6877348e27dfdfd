import pytest

from crm.values import Invalid
from crm.values.vin import (
    check_digit_ok,
    check_digit_required,
    compute_check_digit,
    make_vin,
    normalize_vin,
    vin_tail,
)

GOOD_CN = "LBVNU79004SK12345"  # Chinese WMI, valid check digit
GOOD_US = "1M8GDM9AXKP042788"  # the classic ISO 3779 example, check digit X


def test_compute_check_digit():
    assert compute_check_digit(GOOD_US) == "X"
    assert compute_check_digit("11111111111111111") == "1"
    assert check_digit_ok(GOOD_US) and check_digit_ok(GOOD_CN)


@pytest.mark.parametrize(
    "raw",
    [GOOD_CN, GOOD_CN.lower(), f"  {GOOD_CN} ", "LBV NU790 04SK 12345", "LBV-NU790-04SK12345", "ＬＢＶＮＵ７９００４ＳＫ１２３４５"],
)
def test_normalize(raw):
    assert normalize_vin(raw) == GOOD_CN


def test_repair_i_o_q():
    assert normalize_vin("LBVNU79O04SK12345") == GOOD_CN
    with pytest.raises(Invalid, match="I, O or Q"):
        normalize_vin("LBVNU79004SK1234O")  # repair doesn't give a valid check digit


def test_check_digit_policy():
    bad_cn = GOOD_CN[:8] + "1" + GOOD_CN[9:]
    with pytest.raises(Invalid, match="check digit"):
        normalize_vin(bad_cn)  # China: mandatory
    bad_us = GOOD_US[:8] + "1" + GOOD_US[9:]
    with pytest.raises(Invalid, match="check digit"):
        normalize_vin(bad_us)  # North America: mandatory
    de = "WBA8E9G50GNT12345"  # wrong check digit (8 expected), German WMI
    assert check_digit_required(de) is False
    assert normalize_vin(de) == de
    assert not check_digit_ok(de)
    with pytest.raises(Invalid, match="expected 8"):
        normalize_vin(de, strict=True)
    assert normalize_vin(make_vin(de), strict=True) == "WBA8E9G58GNT12345"


@pytest.mark.parametrize(
    "raw, reason",
    [
        ("LBVNU79004SK1234", "17 characters"),
        ("LBVNU79004SK123456", "17 characters"),
        ("LBVNU7900#SK12345", "letters and digits"),
        ("", "empty"),
        (None, "empty"),
        (12345, "not a VIN"),
    ],
)
def test_invalid(raw, reason):
    with pytest.raises(Invalid, match=reason):
        normalize_vin(raw)


def test_make_vin():
    v = make_vin("LBVNU7904SK12345")
    assert v == GOOD_CN and check_digit_ok(v)
    assert make_vin("LBVNU790X4SK12345") == GOOD_CN
    with pytest.raises(Invalid):
        make_vin("SHORT")


def test_vin_tail():
    assert vin_tail(GOOD_CN) == "K12345"
    assert vin_tail(GOOD_CN.lower(), 8) == "4SK12345"
    assert vin_tail("sk12345", 6) == "K12345"
    with pytest.raises(Invalid):
        vin_tail("123", 6)
