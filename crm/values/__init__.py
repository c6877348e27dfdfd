"""Normalizers for the messy values found in dealers' spreadsheets.

One module per kind of value (``text``, ``phone``, ``vin``, ``plate``,
``dates``, ``numbers``, ``names``, ``email``).  Every normalizer either
returns a normalized value or raises :class:`Invalid` with a short English
reason that an import report can show next to the offending row::

    >>> from crm.values.phone import normalize_phone
    >>> normalize_phone("+86 138-1234-5678")
    '13812345678'
    >>> normalize_phone("12345")
    Traceback (most recent call last):
    ...
    crm.values.Invalid: a mobile number has 11 digits, not 5

Importing this package is cheap: heavy libraries (phonenumbers, pypinyin,
dateutil) are imported lazily inside the functions that need them.
"""

from __future__ import annotations

from typing import Any, TypeVar
from collections.abc import Callable

__all__ = [
    "Invalid",
    "optional",
    # re-exported lazily from the submodules (see __getattr__)
    "clean",
    "normalize_phone",
    "split_phones",
    "mask",
    "tail4",
    "normalize_vin",
    "check_digit_ok",
    "vin_tail",
    "normalize_plate",
    "plate_key",
    "parse_date",
    "parse_datetime",
    "parse_decimal",
    "parse_amount",
    "parse_int",
    "parse_mileage",
    "normalize_name",
    "pinyin_keys",
    "normalize_gender",
    "normalize_email",
    "normalize_wechat",
    "normalize_id_number",
]

_LAZY = {
    "clean": "text",
    "normalize_phone": "phone",
    "split_phones": "phone",
    "mask": "phone",
    "tail4": "phone",
    "normalize_vin": "vin",
    "check_digit_ok": "vin",
    "vin_tail": "vin",
    "normalize_plate": "plate",
    "plate_key": "plate",
    "parse_date": "dates",
    "parse_datetime": "dates",
    "parse_decimal": "numbers",
    "parse_amount": "numbers",
    "parse_int": "numbers",
    "parse_mileage": "numbers",
    "normalize_name": "names",
    "pinyin_keys": "names",
    "normalize_gender": "names",
    "normalize_email": "email",
    "normalize_wechat": "email",
    "normalize_id_number": "idcard",
}


def __getattr__(name: str) -> Any:
    """``from crm.values import normalize_phone`` imports only that module."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'crm.values' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"crm.values.{module}"), name)
    globals()[name] = value
    return value

T = TypeVar("T")


class Invalid(ValueError):
    """A value that cannot be normalized; ``reason`` is a short English text.

    >>> str(Invalid("not a VIN"))
    'not a VIN'
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def optional(normalize: Callable[..., T], value: Any, **kwargs: Any) -> T | None:
    """Apply *normalize* to a cell that may be empty: empty cells ("", "-",
    "无", "N/A", … see :data:`crm.values.text.EMPTY_MARKERS`) give None,
    anything else is normalized (and may raise :class:`Invalid`).

    >>> from crm.values.phone import normalize_phone
    >>> optional(normalize_phone, "—") is None, optional(normalize_phone, "13812345678")
    (True, '13812345678')
    """
    from crm.values.text import is_empty

    if is_empty(value):
        return None
    return normalize(value, **kwargs)
