"""Vehicle identification numbers (VIN, 车架号), ISO 3779.

A VIN has 17 characters from ``0-9`` and ``A-Z`` without ``I``, ``O`` and
``Q``.  Position 9 is a check digit (``0-9`` or ``X``) computed from the
other 16 characters (transliteration + weights, modulo 11).

Check-digit policy of :func:`normalize_vin`:

* North America (WMI starting ``1``–``5``: US, Canada, Mexico) and China
  (WMI starting ``L``, GB 16735) make the check digit **mandatory**: a wrong
  one is rejected (``Invalid``) whatever ``strict`` says — in those ranges a
  wrong check digit means a typo.
* Other regions (e.g. ``W`` Germany for imported BMWs: ``WBA…``) do not
  require it.  Most makers, BMW included, still compute it, so
  :func:`check_digit_ok` tells; ``normalize_vin(vin, strict=True)`` rejects a
  wrong one, ``strict=False`` (the default) accepts it.  Importers should
  warn on ``not check_digit_ok(vin)``.

Typo repair: ``I``/``O``/``Q`` never occur in a VIN.  When a VIN contains
them and replacing ``I→1``, ``O→0``, ``Q→0`` yields a valid check digit, the
repaired VIN is returned; otherwise it is rejected.

    >>> normalize_vin(" lbvnu79004sk12345 ")
    'LBVNU79004SK12345'
    >>> check_digit_ok("1M8GDM9AXKP042788")
    True
    >>> make_vin("LBVNU7904SK12345")
    'LBVNU79004SK12345'
    >>> vin_tail("LBVNU79004SK12345", 6)
    'K12345'
"""

from __future__ import annotations

import re
from typing import Any

from crm.values import Invalid
from crm.values.text import strip_invisible

__all__ = [
    "normalize_vin",
    "check_digit_ok",
    "compute_check_digit",
    "make_vin",
    "vin_tail",
    "check_digit_required",
]

_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9))),
    **dict(zip("JKLMN", range(1, 6))),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10))),
}
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
_VIN = re.compile(r"[A-HJ-NPR-Z0-9]{17}")
_REMOVE = re.compile(r"[\s\-.·_*]+")
_REPAIR = str.maketrans("IOQ", "100")


def compute_check_digit(vin: str) -> str:
    """Check digit (``0``–``9`` or ``X``) for a 17-character VIN; position 9
    itself is ignored.

    >>> compute_check_digit("1M8GDM9A_KP042788")
    'X'
    """
    if len(vin) != 17:
        raise Invalid(f"a VIN has 17 characters, not {len(vin)}")
    total = 0
    for i, ch in enumerate(vin.upper()):
        if i == 8:
            continue
        try:
            total += _VALUES[ch] * _WEIGHTS[i]
        except KeyError:
            raise Invalid(f"character {ch!r} is not allowed in a VIN") from None
    r = total % 11
    return "X" if r == 10 else str(r)


def check_digit_ok(vin: str) -> bool:
    """True if position 9 of *vin* is the correct ISO 3779 check digit.

    >>> check_digit_ok("LBVNU79004SK12345"), check_digit_ok("LBVNU79014SK12345")
    (True, False)
    """
    try:
        return len(vin) == 17 and vin[8].upper() == compute_check_digit(vin)
    except Invalid:
        return False


def check_digit_required(vin: str) -> bool:
    """True for WMI ranges whose standards mandate the check digit:
    North America (``1``–``5``) and China (``L``).

    >>> check_digit_required("WBA12345678901234"), check_digit_required("LBV12345678901234")
    (False, True)
    """
    return bool(vin) and vin[0] in "12345L"


def _clean(value: Any) -> str:
    if value is None:
        raise Invalid("empty")
    if not isinstance(value, str):
        raise Invalid("not a VIN")
    s = _REMOVE.sub("", strip_invisible(value)).upper()
    if not s:
        raise Invalid("empty")
    return s


def normalize_vin(value: Any, *, strict: bool = False) -> str:
    """Return the VIN upper-cased without spaces/dashes, or raise ``Invalid``.

    See the module docstring for the check-digit policy and typo repair.

    >>> normalize_vin("ＬＢＶ ＮＵ７９００ ４ＳＫ１２３４５")
    'LBVNU79004SK12345'
    >>> normalize_vin("LBVNU79O04SK12345")   # letter O typed for zero
    'LBVNU79004SK12345'
    >>> normalize_vin("WBA8E9G50GNT12345")
    'WBA8E9G50GNT12345'
    >>> normalize_vin("WBA8E9G50GNT12345", strict=True)
    Traceback (most recent call last):
    ...
    crm.values.Invalid: VIN check digit (position 9) is wrong: expected 8
    """
    s = _clean(value)
    if len(s) != 17:
        raise Invalid(f"a VIN has 17 characters, not {len(s)}")
    if not _VIN.fullmatch(s):
        if s.isalnum() and s.isascii():
            fixed = s.translate(_REPAIR)
            if _VIN.fullmatch(fixed) and check_digit_ok(fixed):
                return fixed
            raise Invalid("a VIN cannot contain the letters I, O or Q")
        raise Invalid("a VIN has only letters and digits")
    if s[8] not in "0123456789X":
        if check_digit_required(s) or strict:
            raise Invalid("VIN position 9 must be a check digit (0-9 or X)")
        return s
    if check_digit_required(s) or strict:
        expected = compute_check_digit(s)
        if s[8] != expected:
            raise Invalid(f"VIN check digit (position 9) is wrong: expected {expected}")
    return s


def make_vin(prefix: str) -> str:
    """Build a VIN with a correct check digit, for generators and tests.

    *prefix* is either 16 characters (the VIN without position 9: the
    check digit is inserted) or 17 characters (position 9 is replaced).

    >>> make_vin("WBA8E9G5_GNT12345")
    'WBA8E9G58GNT12345'
    """
    p = prefix.upper()
    if len(p) == 16:
        p = p[:8] + "0" + p[8:]
    if len(p) != 17:
        raise Invalid(f"need 16 or 17 characters, not {len(prefix)}")
    p = p[:8] + "0" + p[9:]
    if not _VIN.fullmatch(p):
        raise Invalid("a VIN has only letters and digits, without I, O or Q")
    return p[:8] + compute_check_digit(p) + p[9:]


def vin_tail(vin: Any, n: int = 6) -> str:
    """Last *n* characters of a (possibly partial) VIN, cleaned and
    upper-cased: what a service advisor reads off the windscreen or types to
    search (车架号后六位).

    >>> vin_tail(" lbvnu79004sk12345", 8), vin_tail("k12345")
    ('4SK12345', 'K12345')
    """
    if n <= 0:
        raise ValueError("n must be positive")
    s = _clean(vin)
    if len(s) < n:
        raise Invalid(f"need at least {n} VIN characters, got {len(s)}")
    return s[-n:]
