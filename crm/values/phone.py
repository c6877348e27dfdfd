"""Phone numbers: Chinese mobiles and landlines, 400/800 numbers, foreign numbers.

Canonical forms (what :func:`normalize_phone` returns):

=================  ==========================  ===========================
kind               canonical                   accepted input (examples)
=================  ==========================  ===========================
mobile             ``13812345678``             ``138 1234 5678``, ``138-1234-5678``,
                                               ``+86 138…``, ``0086138…``,
                                               ``86138…``, ``(+86)138…``,
                                               full-width digits, 13812345678.0
landline           ``010-12345678``            ``01012345678``, ``(010)12345678``,
                                               ``0755 1234 5678``, ``+86 10 1234 5678``
landline + ext.    ``010-12345678-123``        ``010-12345678转123``, ``… ext 123``,
                                               ``…-123``, ``… 分机 123``, ``…#123``
service (400/800)  ``400-123-4567``            ``4001234567``, ``400 123 4567``
foreign            E.164 ``+14155552671``      ``+1 (415) 555-2671``, ``00852 9123 4567``
=================  ==========================  ===========================

The common case (a clean 11-digit mobile, possibly with spaces or dashes) is
handled by regular expressions alone (about 0.2–1 µs); the ``phonenumbers``
library is imported only for numbers written with a foreign country code.

    >>> normalize_phone("138 1234 5678")
    '13812345678'
    >>> normalize_phone("(021)12345678转 123")
    '021-12345678-123'
    >>> mask("13812345678"), mask("010-12345678"), tail4("0755-12345678-9")
    ('138****5678', '010-****5678', '5678')
"""

from __future__ import annotations

import re
from typing import Any

from crm.values import Invalid
from crm.values.text import strip_invisible

__all__ = [
    "normalize_phone",
    "split_phones",
    "phone_kind",
    "is_mobile",
    "mask",
    "tail4",
]

_MOBILE = re.compile(r"1[3-9]\d{9}")
# 138 1234 5678 / 138-1234-5678 / +86 138.1234.5678 (3-4-4 grouping).
_MOBILE_GROUPED = re.compile(
    r"(?:\+86|0086|86|\(\+?86\))?[ \-]?(1[3-9]\d)[ \-.]?(\d{4})[ \-.]?(\d{4})"
)
# 010 12345678 / (0755)1234-5678 / 0755-1234567.
_LANDLINE_GROUPED = re.compile(r"\(?(0[1-9]\d{1,2})\)?[ \-]?(\d{3,4})[ \-]?(\d{4})")
_FLOAT_TAIL = re.compile(r"(\d+)\.0+")
# Landline, already canonical.
_LANDLINE_CANON = re.compile(r"(?:(?:010|02\d)-[1-9]\d{7}|0[3-9]\d\d-[1-9]\d{6,7})(?:-\d{1,6})?")
_SERVICE_CANON = re.compile(r"([48]00)-(\d{3})-(\d{4})")

# Extension marker at the end: 转123, 分机123, ext 123, ext.123, x123, #123.
_EXT = re.compile(r"\s*;?\s*(?:转|分机号?|ext\.?|x|#)\s*[:=]?\s*(\d{1,6})\s*$", re.IGNORECASE)
# What may separate digit groups.
_SEP = re.compile(r"[\s\-.()\[\]/（）—_]+")
_SPLIT = re.compile(r"\s*[,;，；、|/]\s*|\s{2,}|\s+(?:或|or)\s+")
_SCI = re.compile(r"(\d)\.(\d+)e\+?(\d+)", re.IGNORECASE)


def _area_split(digits: str) -> tuple[str, str] | None:
    """Split ``0…`` national digits into (area code, local number) or None."""
    if digits.startswith("010") or digits.startswith("02"):
        area, local = digits[:3], digits[3:]
        if len(local) == 8 and local[0] != "0":
            return area, local
        return None
    if len(digits) >= 4 and digits[1] in "3456789":
        area, local = digits[:4], digits[4:]
        if len(local) in (7, 8) and local[0] != "0":
            return area, local
    return None


def _national(digits: str, ext: str | None, default_area: str | None) -> str:
    """Canonicalize national (Chinese) digits without country code."""
    n = len(digits)
    if digits[0] == "1":
        if n == 11:
            if _MOBILE.fullmatch(digits):
                if ext:
                    raise Invalid("a mobile number cannot have an extension")
                return digits
            raise Invalid("not a Chinese mobile number (must start with 13-19)")
        raise Invalid(f"a mobile number has 11 digits, not {n}")
    if digits[0] == "0":
        split = _area_split(digits)
        if split is None:
            raise Invalid("not a mobile or landline number")
        area, local = split
        return f"{area}-{local}-{ext}" if ext else f"{area}-{local}"
    if n == 10 and digits[:3] in ("400", "800"):
        if ext:
            return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}-{ext}"
        return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    if n in (7, 8):
        if default_area:
            return _national(default_area + digits, ext, None)
        raise Invalid("landline number without area code")
    raise Invalid("not a mobile or landline number")


def _foreign(digits: str, ext: str | None) -> str:
    """Validate a number with a non-Chinese country code via phonenumbers."""
    import phonenumbers  # lazy: ~30 ms import, only for foreign numbers

    try:
        num = phonenumbers.parse("+" + digits, None)
    except phonenumbers.NumberParseException:
        raise Invalid("not a valid international number") from None
    if not phonenumbers.is_valid_number(num):
        raise Invalid("not a valid international number")
    e164 = phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)
    return f"{e164};ext={ext}" if ext else e164


def _from_number(value: int | float) -> str:
    if isinstance(value, bool):
        raise Invalid("not a phone number")
    if isinstance(value, float):
        if not value.is_integer():
            raise Invalid("not a phone number")
        value = int(value)
    if value <= 0:
        raise Invalid("not a phone number")
    return str(value)


def normalize_phone(value: Any, *, default_area: str | None = None) -> str:
    """Return the canonical form of one phone number (see the module table).

    ``default_area`` (e.g. ``"0755"``) is used for 7/8-digit landlines
    written without an area code; without it they are rejected.  Cells holding
    several numbers are rejected ("contains several numbers"): use
    :func:`split_phones` for those.  Numbers that Excel turned into
    scientific notation (``1.38123E+10``) are rejected unless every digit
    survived.

    >>> normalize_phone("+86 (138) 1234-5678")
    '13812345678'
    >>> normalize_phone("0086 13812345678"), normalize_phone(13812345678.0)
    ('13812345678', '13812345678')
    >>> normalize_phone("+86 755 8888 9999")
    '0755-88889999'
    >>> normalize_phone("88889999", default_area="0755")
    '0755-88889999'
    >>> normalize_phone("+1 415-555-2671")
    '+14155552671'
    >>> normalize_phone("1381234567")
    Traceback (most recent call last):
    ...
    crm.values.Invalid: a mobile number has 11 digits, not 10
    """
    if type(value) is str:
        # Fast paths: an already clean mobile or landline, or 3-4-4 groups.
        if len(value) == 11 and _MOBILE.fullmatch(value):
            return value
        m = _MOBILE_GROUPED.fullmatch(value)
        if m:
            return m.group(1) + m.group(2) + m.group(3)
        if _LANDLINE_CANON.fullmatch(value) or _SERVICE_CANON.fullmatch(value):
            return value
        m = _LANDLINE_GROUPED.fullmatch(value)
        if m:
            split = _area_split(m.group(1) + m.group(2) + m.group(3))
            if split:
                return f"{split[0]}-{split[1]}"
        m = _FLOAT_TAIL.fullmatch(value)  # "13812345678.0" from a float column
        s = m.group(1) if m else value
    elif type(value) is int and 13000000000 <= value <= 19999999999:
        return str(value)  # a mobile stored as a number in Excel
    elif isinstance(value, (int, float)):
        s = _from_number(value)
        if len(s) == 11 and _MOBILE.fullmatch(s):
            return s
    elif value is None:
        raise Invalid("empty")
    else:
        raise Invalid("not a phone number")

    s = strip_invisible(s).strip()
    if not s:
        raise Invalid("empty")
    sci = _SCI.fullmatch(s)
    if sci:
        frac, exp = sci.group(2), int(sci.group(3))
        if len(frac) > exp:
            raise Invalid("not a phone number")
        if len(frac) < exp:
            raise Invalid("number mangled into scientific notation by Excel; digits lost")
        s = sci.group(1) + frac
    if len(s) > 40:
        raise Invalid("too long for a phone number")

    ext = None
    m = _EXT.search(s)
    if m and m.start() > 0:
        ext = m.group(1)
        s = s[: m.start()]
    s = s.strip()
    plus = s.startswith("+") or s.startswith("(+") or s.startswith("（+")
    if plus:
        s = s.replace("+", "", 1)
    groups = [g for g in _SEP.split(s) if g]
    if not groups:
        raise Invalid("not a phone number")
    for g in groups:
        if not g.isdigit() or not g.isascii():
            raise Invalid("not a phone number (contains letters or symbols)")
    if len(groups) > 1 and _MOBILE.fullmatch(groups[0]) and all(
        _MOBILE.fullmatch(g) for g in groups[1:]
    ):
        raise Invalid("contains several numbers")
    digits = "".join(groups)

    # International prefix 00 (as dialled from China) means "+".
    if not plus and digits.startswith("00"):
        plus, digits = True, digits[2:]
        if not digits:
            raise Invalid("not a phone number")
    if plus:
        if digits.startswith("86"):
            national = digits[2:]
            if not national:
                raise Invalid("not a phone number")
            if national[0] not in "014" or national.startswith("10"):
                national = "0" + national  # +86 10 1234 5678 → 010-…
            elif national[0] == "4" and not national.startswith("400"):
                national = "0" + national
            return _national(national, ext, None)
        return _foreign(digits, ext)
    if len(digits) == 13 and digits.startswith("86") and _MOBILE.fullmatch(digits[2:]):
        return digits[2:]  # "86" prefix without plus

    # Dash-separated extension: 010-12345678-123 (the whole run isn't valid).
    if ext is None and len(groups) >= 3 and len(groups[-1]) <= 5:
        try:
            return _national(digits, None, default_area)
        except Invalid:
            head = "".join(groups[:-1])
            if head.startswith("0") and _area_split(head):
                return _national(head, groups[-1], None)
            raise
    return _national(digits, ext, default_area)


def split_phones(value: Any, *, default_area: str | None = None) -> list[str]:
    """Split a cell that may hold several numbers and normalize each one.

    Separators: ``, ; ， ； 、 / |``, two or more spaces, "或"/"or", and
    11-digit mobiles simply run together with single spaces.  Duplicates are
    dropped, order is kept.  Empty cells give ``[]``; any part that is not a
    number raises :class:`Invalid`.

    >>> split_phones("13812345678/13987654321，010-12345678")
    ['13812345678', '13987654321', '010-12345678']
    >>> split_phones("13812345678 13987654321")
    ['13812345678', '13987654321']
    """
    if value is None:
        return []
    if not isinstance(value, str):
        return [normalize_phone(value, default_area=default_area)]
    s = strip_invisible(value).strip()
    if not s:
        return []
    out: list[str] = []
    for part in _SPLIT.split(s):
        part = part.strip()
        if not part:
            continue
        try:
            phones = [normalize_phone(part, default_area=default_area)]
        except Invalid as exc:
            if exc.reason != "contains several numbers":
                raise
            phones = [normalize_phone(p) for p in part.split()]
        for p in phones:
            if p not in out:
                out.append(p)
    return out


def phone_kind(phone: str) -> str:
    """Kind of a *canonical* number: mobile, landline, service or foreign.

    >>> [phone_kind(p) for p in ("13812345678", "010-12345678", "400-123-4567", "+14155552671")]
    ['mobile', 'landline', 'service', 'foreign']
    """
    if phone.startswith("+"):
        return "foreign"
    if phone.startswith("1"):
        return "mobile"
    if phone.startswith("0"):
        return "landline"
    return "service"


def is_mobile(value: Any) -> bool:
    """True if *value* normalizes to a Chinese mobile number."""
    try:
        return phone_kind(normalize_phone(value)) == "mobile"
    except Invalid:
        return False


def _canon(phone: Any) -> str:
    if type(phone) is str and (len(phone) == 11 and _MOBILE.fullmatch(phone)):
        return phone
    return normalize_phone(phone)


def mask(phone: Any) -> str:
    """Mask a number for display in lists and exports.

    Mobiles keep the first 3 and last 4 digits, landlines the area code and
    the last 4 digits (the extension is dropped), foreign numbers the country
    code's first digits and the last 4.

    >>> mask("138 1234 5678"), mask("0755-1234567-88"), mask("400-123-4567")
    ('138****5678', '0755-***4567', '400-***-4567')
    >>> mask("+14155552671")
    '+14*****2671'
    """
    p = _canon(phone)
    kind = phone_kind(p)
    if kind == "mobile":
        return p[:3] + "****" + p[7:]
    if kind == "landline":
        area, local = p.split("-")[:2]
        return f"{area}-{'*' * (len(local) - 4)}{local[-4:]}"
    if kind == "service":
        return p[:3] + "-***-" + p[8:12]
    main = p.split(";")[0]
    return main[:3] + "*" * (len(main) - 7) + main[-4:]


def tail4(phone: Any) -> str:
    """Last four digits of the main number (never of the extension).

    >>> tail4("13812345678"), tail4("010-12345678-123"), tail4("+14155552671;ext=9")
    ('5678', '5678', '2671')
    """
    p = _canon(phone)
    kind = phone_kind(p)
    if kind == "landline":
        return p.split("-")[1][-4:]
    if kind == "service":
        return p[8:12]
    return p.split(";")[0][-4:]
