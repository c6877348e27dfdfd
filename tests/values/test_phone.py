import pytest

from crm.values import Invalid
from crm.values.phone import is_mobile, mask, normalize_phone, phone_kind, split_phones, tail4

MOBILES = [
    "13812345678",
    "138 1234 5678",
    "138-1234-5678",
    "138.1234.5678",
    " 138 1234 5678 ",
    "+8613812345678",
    "+86 138 1234 5678",
    "+86-138-1234-5678",
    "(+86)13812345678",
    "（+86）13812345678",
    "0086 138 1234 5678",
    "008613812345678",
    "8613812345678",
    "１３８１２３４５６７８",
    "１３８－１２３４－５６７８",
    "\u200b13812345678\u00a0",
    "13812345678.0",
    "1.3812345678E+10",
    13812345678,
    13812345678.0,
]


@pytest.mark.parametrize("raw", MOBILES)
def test_mobile_forms(raw):
    assert normalize_phone(raw) == "13812345678"


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("010-12345678", "010-12345678"),
        ("01012345678", "010-12345678"),
        ("010 1234 5678", "010-12345678"),
        ("(010)12345678", "010-12345678"),
        ("（021）12345678", "021-12345678"),
        ("0755 1234 5678", "0755-12345678"),
        ("0755-88889999", "0755-88889999"),
        ("075588889999", "0755-88889999"),
        ("0398-1234567", "0398-1234567"),
        ("+86 10 12345678", "010-12345678"),
        ("+86 755 8888 9999", "0755-88889999"),
        ("+86 (0755) 8888 9999", "0755-88889999"),
        ("0086-21-12345678", "021-12345678"),
        ("010-12345678转123", "010-12345678-123"),
        ("010-12345678 转 123", "010-12345678-123"),
        ("010-12345678-123", "010-12345678-123"),
        ("010-12345678 ext 123", "010-12345678-123"),
        ("010-12345678 ext.123", "010-12345678-123"),
        ("010-12345678x123", "010-12345678-123"),
        ("010-12345678#123", "010-12345678-123"),
        ("010-12345678分机123", "010-12345678-123"),
        ("400-123-4567", "400-123-4567"),
        ("4001234567", "400-123-4567"),
        ("400 123 4567", "400-123-4567"),
        ("800-123-4567", "800-123-4567"),
    ],
)
def test_landlines_and_service(raw, expected):
    assert normalize_phone(raw) == expected


def test_default_area():
    assert normalize_phone("88889999", default_area="0755") == "0755-88889999"
    with pytest.raises(Invalid, match="without area code"):
        normalize_phone("88889999")


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("+1 (415) 555-2671", "+14155552671"),
        ("+1-415-555-2671 ext 7", "+14155552671;ext=7"),
        ("+852 9123 4567", "+85291234567"),
        ("00852 9123 4567", "+85291234567"),
        ("+44 20 7946 0958", "+442079460958"),
        ("+49 30 901820", "+4930901820"),
    ],
)
def test_foreign(raw, expected):
    assert normalize_phone(raw) == expected
    assert normalize_phone(expected) == expected


@pytest.mark.parametrize(
    "raw, reason",
    [
        ("1381234567", "11 digits"),
        ("138123456789", "11 digits"),
        ("12812345678", "13-19"),
        ("abc", "letters"),
        ("138abc45678", "letters"),
        ("1.38123E+10", "scientific"),
        ("13812345678/13987654321", "several"),
        ("021-1234567", "not a mobile or landline"),
        ("+1 555", "international"),
        ("", "empty"),
        (None, "empty"),
        (True, "not a phone"),
        (-5, "not a phone"),
        (1.5, "not a phone"),
        ("13812345678转8", "extension"),
    ],
)
def test_invalid(raw, reason):
    with pytest.raises(Invalid, match=reason):
        normalize_phone(raw)


def test_split_phones():
    assert split_phones("13812345678/13987654321，010-12345678") == [
        "13812345678",
        "13987654321",
        "010-12345678",
    ]
    assert split_phones("13812345678 13987654321") == ["13812345678", "13987654321"]
    assert split_phones("13812345678；13812345678") == ["13812345678"]
    assert split_phones("138 1234 5678 或 139 8765 4321") == ["13812345678", "13987654321"]
    assert split_phones("") == [] and split_phones(None) == []
    with pytest.raises(Invalid):
        split_phones("13812345678, hello")


def test_mask_and_tail():
    assert mask("138 1234 5678") == "138****5678"
    assert mask("010-12345678") == "010-****5678"
    assert mask("0755-1234567-88") == "0755-***4567"
    assert mask("400-123-4567") == "400-***-4567"
    assert mask("+14155552671") == "+14*****2671"
    assert tail4("+86 138 1234 5678") == "5678"
    assert tail4("010-12345678-123") == "5678"
    assert tail4("400-123-4567") == "4567"


def test_kind():
    assert phone_kind(normalize_phone("13812345678")) == "mobile"
    assert phone_kind(normalize_phone("010-12345678")) == "landline"
    assert is_mobile("+86 138 1234 5678") and not is_mobile("010-12345678") and not is_mobile("x")


def test_fast_path_does_not_load_phonenumbers():
    import subprocess
    import sys

    code = (
        "import sys; from crm.values.phone import normalize_phone as n;"
        "n('+86 138 1234 5678'); n('010-12345678转1'); n('0755 1234 5678');"
        "print('phonenumbers' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
