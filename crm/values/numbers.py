"""Numbers stored as text: amounts, counts, mileage.

Accepted: thousands separators (``1,234.50``, ``12 345``, ``1，234``),
full-width digits, currency marks (``¥``, ``￥``, ``RMB``, ``CNY``,
``人民币``, ``元``), Chinese multipliers ``万`` (10⁴, also written ``w``/``W``),
``千`` (also ``k``), ``亿`` (10⁸), negatives as ``-12`` or ``(12)``,
scientific notation (``1.2E+5``).  Commas must separate groups of three
digits: ``1,5`` is rejected as ambiguous (decimal comma or typo?).

Floats coming from Excel cells are converted through their shortest repr so
``1234.5`` stays ``Decimal('1234.5')`` rather than a binary approximation.

    >>> parse_decimal("1,234.50"), parse_decimal("¥1234"), parse_decimal("1.2万")
    (Decimal('1234.50'), Decimal('1234'), Decimal('12000.0'))
    >>> parse_amount("￥１，２３４.５元")
    Decimal('1234.50')
    >>> parse_mileage("12,345km"), parse_mileage("1.2万公里"), parse_mileage(12345.0)
    (12345, 12000, 12345)
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from crm.values import Invalid
from crm.values.text import strip_invisible

__all__ = ["parse_decimal", "parse_amount", "parse_int", "parse_mileage", "MAX_MILEAGE"]

#: Odometer readings above this many km are rejected as implausible.
MAX_MILEAGE = 2_000_000

_NUMBER = re.compile(
    r"(?P<int>\d{1,3}(?:(?P<sep>[, ])\d{3})(?:(?P=sep)\d{3})*|\d+)?(?:\.(?P<frac>\d*))?"
    r"(?:e(?P<exp>[+-]?\d{1,3}))?"
)
_CURRENCY = re.compile(r"^(?:¥|rmb|cny|人民币)\s*|\s*(?:元|rmb|cny)$")
_MILEAGE_UNIT = re.compile(r"\s*(?:km|kms|公里|千米)$")
_MULTIPLIER = {"万": 10_000, "w": 10_000, "千": 1_000, "k": 1_000, "亿": 100_000_000}
_FAST_INT = re.compile(r"\d{1,15}")
_Q2 = Decimal("0.01")


def _from_number(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise Invalid("not a number")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise Invalid("not a finite number")
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise Invalid("not a finite number")
        return Decimal(repr(value))
    raise Invalid("not a number")


def _parse_text(s: str, unit: re.Pattern[str] | None) -> Decimal:
    s = strip_invisible(s).strip().lower()
    if not s:
        raise Invalid("empty")
    if len(s) > 60:
        raise Invalid("too long for a number")
    negative = False
    if s[0] in "(（" and s[-1] in ")）":
        negative, s = True, s[1:-1].strip()
    if s.startswith("-"):
        negative, s = not negative, s[1:].lstrip()
    elif s.startswith("+"):
        s = s[1:].lstrip()
    if unit is not None:
        s = unit.sub("", s)
    s = _CURRENCY.sub("", s)
    s = s.replace("，", ",")
    factor = 1
    if s and s[-1] in _MULTIPLIER:
        factor = _MULTIPLIER[s[-1]]
        s = s[:-1].rstrip()
    if s.startswith("-") and not negative:  # ¥-12
        negative, s = True, s[1:]
    m = _NUMBER.fullmatch(s)
    if not s or not m or (m["int"] is None and not m["frac"]):
        if "," in s:
            raise Invalid("commas must separate groups of three digits")
        raise Invalid("not a number")
    text = (m["int"] or "0").replace(",", "").replace(" ", "")
    if m["frac"]:
        text += "." + m["frac"]
    if m["exp"]:
        text += "e" + m["exp"]
    try:
        d = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the regex guarantees syntax
        raise Invalid("not a number") from None
    if factor != 1:
        d = d * factor
    return -d if negative else d


def parse_decimal(value: Any) -> Decimal:
    """Parse a number (see module docstring) to a ``Decimal``, exactly.

    >>> parse_decimal("(1,200)"), parse_decimal("12 345"), parse_decimal(0.1)
    (Decimal('-1200'), Decimal('12345'), Decimal('0.1'))
    >>> parse_decimal("1,5")
    Traceback (most recent call last):
    ...
    crm.values.Invalid: commas must separate groups of three digits
    """
    if isinstance(value, str):
        return _parse_text(value, None)
    if value is None:
        raise Invalid("empty")
    return _from_number(value)


def parse_amount(value: Any) -> Decimal:
    """Money in yuan, rounded half-up to 2 decimals (fen).

    >>> parse_amount("1.2万元"), parse_amount(99.995), parse_amount("-50")
    (Decimal('12000.00'), Decimal('100.00'), Decimal('-50.00'))
    """
    d = parse_decimal(value)
    if abs(d) >= Decimal("1e13"):
        raise Invalid("amount too large")
    return d.quantize(_Q2, rounding=ROUND_HALF_UP)


def parse_int(value: Any) -> int:
    """A whole number; ``12.0`` is fine, ``12.5`` is rejected.

    >>> parse_int("1,234"), parse_int(12.0), parse_int("3千")
    (1234, 12, 3000)
    """
    if type(value) is str and _FAST_INT.fullmatch(value):
        return int(value)
    if type(value) is int:
        return value
    d = parse_decimal(value)
    if d != d.to_integral_value():
        raise Invalid("not a whole number")
    if abs(d) >= Decimal("1e18"):
        raise Invalid("number too large")
    return int(d)


def parse_mileage(value: Any) -> int:
    """Odometer reading in km, rounded to a whole km.

    Units ``km``/``公里``/``千米`` and multipliers ``万``/``w`` are accepted;
    negative values and readings above :data:`MAX_MILEAGE` are rejected.

    >>> parse_mileage("3.5w km"), parse_mileage("８８８８公里"), parse_mileage("12345.6")
    (35000, 8888, 12346)
    """
    if type(value) is str and _FAST_INT.fullmatch(value):
        n = int(value)
    elif type(value) is int:
        n = value
    else:
        if isinstance(value, str):
            s = value.strip()
            d = _parse_text(s, _MILEAGE_UNIT)
        elif value is None:
            raise Invalid("empty")
        else:
            d = _from_number(value)
        n = int(d.to_integral_value(rounding=ROUND_HALF_UP))
    if n < 0:
        raise Invalid("mileage cannot be negative")
    if n > MAX_MILEAGE:
        raise Invalid(f"implausible mileage: {n} km")
    return n
