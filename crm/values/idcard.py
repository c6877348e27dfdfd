"""Chinese resident identity card numbers (居民身份证号码, GB 11643).

18 characters: 6-digit region code, 8-digit birth date, 3-digit sequence
(odd = male, even = female) and a check character (``0``–``9`` or ``X``,
ISO 7064 MOD 11-2).  Old 15-digit numbers (2-digit year, no check
character) are converted to 18 digits.

ID numbers are personal data: store them only if the dealer needs them, and
show them masked (:func:`mask_id_number`).

    >>> normalize_id_number("11010519491231002x")
    '11010519491231002X'
    >>> id_birthday("11010519491231002X"), id_gender("11010519491231002X")
    (datetime.date(1949, 12, 31), 'F')
    >>> mask_id_number("11010519491231002X")
    '110105********002X'
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any

from crm.values import Invalid
from crm.values.text import strip_invisible

__all__ = ["normalize_id_number", "id_check_char", "id_birthday", "id_gender", "mask_id_number"]

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_ID18 = re.compile(r"[1-9]\d{16}[\dX]")
_ID15 = re.compile(r"[1-9]\d{14}")
_REMOVE = re.compile(r"[\s\-]+")


def id_check_char(first17: str) -> str:
    """Check character of the first 17 digits.

    >>> id_check_char("11010519491231002")
    'X'
    """
    return _CHECK[sum(int(c) * w for c, w in zip(first17, _WEIGHTS)) % 11]


def _birth(s: str) -> _dt.date:
    try:
        d = _dt.date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        raise Invalid("the birth date in the ID number does not exist") from None
    if d.year < 1900 or d > _dt.date.today():
        raise Invalid("the birth date in the ID number is out of range")
    return d


def normalize_id_number(value: Any) -> str:
    """Validated 18-character ID number (upper-case ``X``).

    A 15-digit number gets ``19`` inserted before its year and a check
    character appended.  A wrong check character, an impossible birth date
    or a wrong length raise :class:`~crm.values.Invalid`.

    >>> normalize_id_number("110105 491231 002")
    '11010519491231002X'
    >>> normalize_id_number("110105194912310021")
    Traceback (most recent call last):
    ...
    crm.values.Invalid: wrong check character in the ID number (expected X)
    """
    if value is None:
        raise Invalid("empty")
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise Invalid("not an ID number")
    s = _REMOVE.sub("", strip_invisible(value)).upper()
    if not s:
        raise Invalid("empty")
    if len(s) == 15 and _ID15.fullmatch(s):
        s17 = s[:6] + "19" + s[6:]
        _birth(s17 + "0")
        return s17 + id_check_char(s17)
    if len(s) != 18:
        raise Invalid(f"an ID number has 18 characters, not {len(s)}")
    if not _ID18.fullmatch(s):
        raise Invalid("an ID number is 17 digits and a digit or X")
    _birth(s)
    expected = id_check_char(s[:17])
    if s[17] != expected:
        raise Invalid(f"wrong check character in the ID number (expected {expected})")
    return s


def id_birthday(id_number: Any) -> _dt.date:
    """Birth date encoded in an ID number."""
    return _birth(normalize_id_number(id_number))


def id_gender(id_number: Any) -> str:
    """``"M"`` or ``"F"`` from the sequence number's parity (odd = male)."""
    return "M" if int(normalize_id_number(id_number)[16]) % 2 else "F"


def mask_id_number(id_number: Any) -> str:
    """First 6 and last 4 characters visible."""
    s = normalize_id_number(id_number)
    return s[:6] + "*" * 8 + s[14:]
