"""Property tests: normalizers raise nothing but ``Invalid`` and are idempotent."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm.values import Invalid
from crm.values.dates import parse_date, parse_datetime
from crm.values.email import normalize_email, normalize_wechat
from crm.values.idcard import normalize_id_number
from crm.values.names import normalize_gender, normalize_name, pinyin_keys
from crm.values.numbers import parse_amount, parse_decimal, parse_int, parse_mileage
from crm.values.phone import mask, normalize_phone, split_phones, tail4
from crm.values.plate import normalize_plate, plate_key
from crm.values.text import clean
from crm.values.vin import make_vin, normalize_vin

# Applied per test: loading a profile would change hypothesis for the whole session.
FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text drawn from the characters that actually appear in dealers' cells.
TOKENS = st.sampled_from(
    list("0123456789０１２３４５６７８９+-.()（）/ ，,;:：转xext#")
    + list("ABCDEFGHJKLMNPRSTUVWXYZabcIOQ京沪粤使学警挂DFＡＢ·•年月日号时分")
    + ["\u3000", "\u00a0", "\u200b", "\t", "\n", "E", "e", "万", "千", "w", "k", "¥", "元", "公里", "km", "张", "三", "单", "@", "。"]
)
messy = st.lists(TOKENS, max_size=25).map("".join)
cells = st.one_of(
    messy,
    st.text(max_size=20),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=True, allow_infinity=True),
    st.none(),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.decimals(allow_nan=False, allow_infinity=False),
)

NORMALIZERS = [
    normalize_phone,
    normalize_vin,
    normalize_plate,
    parse_decimal,
    parse_amount,
    parse_int,
    parse_mileage,
    normalize_name,
    normalize_email,
    normalize_wechat,
    normalize_gender,
    normalize_id_number,
]


@pytest.mark.parametrize("fn", NORMALIZERS + [parse_date, parse_datetime, split_phones, pinyin_keys, plate_key, clean], ids=lambda f: f.__name__)
@FAST
@given(value=cells)
def test_only_invalid_escapes(fn, value):
    try:
        fn(value)
    except Invalid:
        pass


@pytest.mark.parametrize("fn", NORMALIZERS + [clean], ids=lambda f: f.__name__)
@FAST
@given(value=cells)
def test_idempotent(fn, value):
    try:
        once = fn(value)
    except Invalid:
        return
    if once is not None:  # normalize_gender: None means "explicitly unknown"
        assert fn(once) == once


@FAST
@given(value=cells)
def test_dates_idempotent(value):
    try:
        d = parse_date(value)
        t = parse_datetime(value)
    except Invalid:
        return
    assert parse_date(d) == d and parse_date(d.isoformat()) == d
    assert parse_datetime(t) == t and parse_datetime(t.isoformat()) == t


# Generators of valid values: normalizing any messy rendering gives the canonical value.
mobiles = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)


@FAST
@given(mobile=mobiles, style=st.sampled_from(["{}", "+86 {}", "0086{}", "{0:.3} {1} {2}", "+86-{0:.3}-{1}-{2}"]), wide=st.booleans())
def test_mobile_renderings(mobile, style, wide):
    raw = style.format(mobile, mobile[3:7], mobile[7:]) if "{1}" in style else style.format(mobile)
    if wide:
        raw = raw.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789+-"})
    assert normalize_phone(raw) == mobile
    assert mask(raw) == mobile[:3] + "****" + mobile[7:]
    assert tail4(raw) == mobile[-4:]


@FAST
@given(body=st.from_regex(r"[A-HJ-NPR-Z0-9]{16}", fullmatch=True), sep=st.sampled_from(["", " ", "-"]))
def test_vin_roundtrip(body, sep):
    vin = make_vin(body)
    messy_vin = sep.join([vin[:3], vin[3:9], vin[9:]]).lower()
    assert normalize_vin(messy_vin, strict=True) == vin


@FAST
@given(d=st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2100, 12, 31)))
def test_date_renderings(d):
    for raw in (d.isoformat(), f"{d.year}/{d.month}/{d.day}", f"{d.year}年{d.month}月{d.day}日", d.strftime("%Y%m%d"), f"{d.year}.{d.month}.{d.day}"):
        assert parse_date(raw) == d
    serial = (d - dt.date(1899, 12, 30)).days
    assert parse_date(serial) == d
