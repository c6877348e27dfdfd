import datetime as dt

import pytest

from crm.values import Invalid
from crm.values.idcard import id_birthday, id_check_char, id_gender, mask_id_number, normalize_id_number

GOOD = "11010519491231002X"  # the example of GB 11643


@pytest.mark.parametrize("raw", [GOOD, GOOD.lower(), " 110105 19491231 002X ", "１１０１０５１９４９１２３１００２Ｘ", "110105491231002"])
def test_normalize(raw):
    assert normalize_id_number(raw) == GOOD


def test_parts():
    assert id_check_char(GOOD[:17]) == "X"
    assert id_birthday(GOOD) == dt.date(1949, 12, 31)
    assert id_gender(GOOD) == "F"
    male = "11010519491231001" + id_check_char("11010519491231001")
    assert id_gender(male) == "M"
    assert mask_id_number(GOOD) == "110105********002X"


@pytest.mark.parametrize(
    "raw, reason",
    [
        ("110105194912310021", "check character"),
        ("11010519491331002X", "does not exist"),
        ("11010518991231002X", "out of range"),
        ("1101051949123100", "18 characters"),
        ("11010519491231002Y", "17 digits"),
        ("", "empty"),
        (None, "empty"),
        (1.5, "not an ID"),
    ],
)
def test_invalid(raw, reason):
    with pytest.raises(Invalid, match=reason):
        normalize_id_number(raw)
