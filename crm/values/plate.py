"""Chinese licence plates (车牌号).

Accepted shapes (P = province character, L = issuing-authority letter):

===================  ===============  ======================================
kind                 example          rule
===================  ===============  ======================================
ordinary (blue/yel)  ``京A12345``      P L + 5 letters/digits (no I, O)
suffix plates        ``粤B1234学``     P L + 4 letters/digits + one of
                                      挂 学 警 港 澳 领 试 超
new energy, small    ``京AD12345``     P L + D/F (or A–K since 2021) + 1
                                      letter/digit + 4 digits (8 chars)
new energy, large    ``京A12345D``     P L + 5 digits + D/F (8 chars)
embassy              ``使014578``      使 + 6 digits
===================  ===============  ======================================

Normalization: half-width, upper-case, spaces and separators removed
(``京A·12345``, ``京A-12345``, ``京 a 12345`` → ``京A12345``); the letters O
and I, which plates never use in the serial, are read as 0 and 1.
Military and armed-police plates are not accepted (not civilian customers).

    >>> normalize_plate("京a·12345")
    '京A12345'
    >>> normalize_plate("沪ＡＤ１２３４５")
    '沪AD12345'
    >>> plate_key("粤B 1234 学")
    'B1234学'
"""

from __future__ import annotations

import re
from typing import Any

from crm.values import Invalid
from crm.values.text import strip_invisible

__all__ = ["PROVINCES", "normalize_plate", "plate_key", "plate_kind"]

#: The 31 province-level abbreviations used on plates.
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"

_SERIAL = "[A-HJ-NP-Z0-9]"
_P = f"[{PROVINCES}]"
_ORDINARY = re.compile(f"{_P}[A-Z]{_SERIAL}{{5}}")
_SUFFIX = re.compile(f"{_P}[A-Z]{_SERIAL}{{4}}[挂学警港澳领试超]")
_NEV_SMALL = re.compile(f"{_P}[A-Z][A-HJK]{_SERIAL}[0-9]{{4}}")
_NEV_LARGE = re.compile(f"{_P}[A-Z][0-9]{{5}}[DF]")
_EMBASSY = re.compile(r"使[0-9]{6}")
_REMOVE = re.compile(r"[\s·•・‧.\-_]+")
_REPAIR = str.maketrans("OI", "01")
_FAST = re.compile(f"{_P}[A-Z]{_SERIAL}{{5}}")


def _clean(value: Any) -> str:
    if value is None:
        raise Invalid("empty")
    if not isinstance(value, str):
        raise Invalid("not a licence plate")
    s = _REMOVE.sub("", strip_invisible(value)).upper()
    if not s:
        raise Invalid("empty")
    return s


def plate_kind(plate: str) -> str:
    """Kind of a *normalized* plate: ordinary, suffix, nev or embassy.

    >>> [plate_kind(p) for p in ("京A12345", "粤B1234学", "京AD12345", "使014578")]
    ['ordinary', 'suffix', 'nev', 'embassy']
    """
    if plate.startswith("使"):
        return "embassy"
    if len(plate) == 8:
        return "nev"
    if plate[-1] in "挂学警港澳领试超":
        return "suffix"
    return "ordinary"


def normalize_plate(value: Any, *, default_province: str | None = None) -> str:
    """Return the plate in canonical form or raise ``Invalid`` with a reason.

    *default_province* (e.g. ``"京"``) is prefixed to plates written without
    their province character (``A12345``); without it those are rejected.

    >>> normalize_plate("A12345", default_province="京")
    '京A12345'
    >>> normalize_plate("京A1234O")
    '京A12340'
    >>> normalize_plate("美A12345")
    Traceback (most recent call last):
    ...
    crm.values.Invalid: '美' is not a province character on plates
    """
    if type(value) is str and len(value) == 7 and _FAST.fullmatch(value):
        return value
    s = _clean(value)
    if s[0] == "使":
        if _EMBASSY.fullmatch(s):
            return s
        raise Invalid("an embassy plate is 使 followed by 6 digits")
    if s[0] not in PROVINCES:
        if s.startswith("WJ") and len(s) > 2 and s[2] in PROVINCES:
            raise Invalid("armed-police (WJ) plates are not supported")
        if "A" <= s[0] <= "Z" and len(s) in (6, 7):
            if default_province:
                if default_province not in PROVINCES or len(default_province) != 1:
                    raise ValueError(f"not a province character: {default_province!r}")
                s = default_province + s
            else:
                raise Invalid("plate without province character (京, 粤, …)")
        elif "\u4e00" <= s[0] <= "\u9fff" and len(s) > 1:
            raise Invalid(f"{s[0]!r} is not a province character on plates")
        else:
            raise Invalid("a plate starts with a province character such as 京 or 粤")
    if len(s) < 2 or not ("A" <= s[1] <= "Z"):
        raise Invalid("the second character of a plate is a letter (issuing office)")
    if len(s) not in (7, 8):
        raise Invalid(f"a plate has 7 characters (8 for new energy), not {len(s)}")
    s = s[:2] + s[2:].translate(_REPAIR)
    for pattern in (_ORDINARY, _NEV_SMALL, _NEV_LARGE, _SUFFIX):
        if pattern.fullmatch(s):
            return s
    if len(s) == 8:
        raise Invalid("not a valid new-energy plate (京AD12345 or 京A12345D)")
    raise Invalid("not a valid plate: letters/digits after the issuing letter")


def plate_key(value: Any) -> str:
    """Search key: the normalized plate without its province character, so
    that ``A12345`` finds ``京A12345``.  Accepts plates with or without the
    province; embassy plates are returned whole.

    >>> plate_key("京A·12345"), plate_key("a12345"), plate_key("使014578")
    ('A12345', 'A12345', '使014578')
    """
    s = _clean(value)
    if s[0] in PROVINCES:
        return normalize_plate(s)[1:]
    if s[0] == "使":
        return normalize_plate(s)
    return normalize_plate(s, default_province="京")[1:]
