import pytest

from crm.values import Invalid
from crm.values.plate import normalize_plate, plate_key, plate_kind


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("京A12345", "京A12345"),
        ("京a12345", "京A12345"),
        ("京A·12345", "京A12345"),
        ("京A•12345", "京A12345"),
        ("京A-12345", "京A12345"),
        ("京A.12345", "京A12345"),
        (" 京 A 123 45 ", "京A12345"),
        ("京Ａ１２３４５", "京A12345"),
        ("粤B8S9K2", "粤B8S9K2"),
        ("京AD12345", "京AD12345"),  # small new-energy (pure electric)
        ("京AF12345", "京AF12345"),  # small new-energy (hybrid)
        ("京ADA1234", "京ADA1234"),
        ("京A12345D", "京A12345D"),  # large new-energy
        ("沪A1234挂", "沪A1234挂"),
        ("粤B1234学", "粤B1234学"),
        ("京A1234警", "京A1234警"),
        ("沪A1234领", "沪A1234领"),
        ("粤Z1234港", "粤Z1234港"),
        ("使014578", "使014578"),
        ("京A1234O", "京A12340"),  # letter O read as zero
        ("京AI2345", "京A12345"),
    ],
)
def test_normalize(raw, expected):
    assert normalize_plate(raw) == expected
    assert normalize_plate(expected) == expected


@pytest.mark.parametrize(
    "raw, reason",
    [
        ("A12345", "without province"),
        ("美A12345", "not a province"),
        ("京1A2345", "second character"),
        ("京A1234", "7 characters"),
        ("京A1234567", "7 characters"),
        ("京A123456", "new-energy"),
        ("京A1234$", "not a valid plate"),
        ("WJ京12345", "armed-police"),
        ("使12345", "embassy"),
        ("", "empty"),
        (12345, "not a licence plate"),
    ],
)
def test_invalid(raw, reason):
    with pytest.raises(Invalid, match=reason):
        normalize_plate(raw)


def test_default_province():
    assert normalize_plate("a12345", default_province="沪") == "沪A12345"
    assert normalize_plate("京A12345", default_province="沪") == "京A12345"


def test_plate_key_and_kind():
    assert plate_key("京A·12345") == "A12345"
    assert plate_key("a 12345") == "A12345"
    assert plate_key("京AD12345") == "AD12345"
    assert plate_kind("京A12345D") == "nev"
    assert plate_kind("沪A1234挂") == "suffix"
