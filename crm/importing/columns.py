"""Per-column normalisers: raw cell → stored value, None for an empty cell, or ``Invalid``.

Each normaliser first tries a fast path that only accepts a value that is *already* in
the stored form (an 11-digit mobile, ``2025-03-05``, a clean 2–4 character Chinese name),
so the result is exactly what the shared rules of :mod:`crm.values` would give; anything
else goes through those shared rules.  This keeps one definition of a valid value while a
million clean rows cost a regex match per cell.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Callable

from crm.values import Invalid
from crm.values.text import EMPTY_MARKERS, clean

Normaliser = Callable[[Any], Any]

_MOBILE = re.compile(r"1[3-9]\d{9}")
_ISO_DATE = re.compile(r"(19|20)\d\d-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])")
_CJK_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}")
try:  # every character that text cleaning would change: a value without any is clean already
    from crm.values.text import _TABLE as _CHANGED  # type: ignore

    _SPECIAL = re.escape("".join(chr(c) for c in _CHANGED))
except Exception:  # pragma: no cover
    _SPECIAL = "\\u3000\\u00a0\\u200b\\ufeff\\uff01-\\uff5e"
_PLAIN = re.compile(f"[^\\s{_SPECIAL}]+(?: [^\\s{_SPECIAL}]+)*")
_TAG_SPLIT = re.compile(r"\s*[,，;；、|/]\s*|\s+")


def _empty(value: Any) -> bool:
    if value is None:
        return True
    if type(value) is str:
        if not value:
            return True
        if len(value) <= 6:
            s = value.strip()
            return not s or (len(s) <= 4 and s.lower() in EMPTY_MARKERS)
    return False


def text(value: Any) -> str | None:
    if type(value) is str and _PLAIN.fullmatch(value):
        return value if len(value) > 4 or value.lower() not in EMPTY_MARKERS else None
    return clean(value)


def name(value: Any) -> str | None:
    if type(value) is str and _CJK_NAME.fullmatch(value):
        return value
    from crm.values.names import normalize_name

    return normalize_name(value)


def phone(value: Any) -> str | None:
    if type(value) is str and len(value) == 11 and _MOBILE.fullmatch(value):
        return value
    from crm.values.phone import normalize_phone

    return normalize_phone(value)


def gender(value: Any) -> str | None:
    if value == "男":
        return "M"
    if value == "女":
        return "F"
    from crm.values.names import normalize_gender

    return normalize_gender(value)


def date(value: Any) -> str | None:
    if type(value) is str and len(value) == 10 and _ISO_DATE.fullmatch(value):
        try:
            dt.date(int(value[:4]), int(value[5:7]), int(value[8:]))
            return value
        except ValueError:
            pass
    from crm.values.dates import parse_date

    return parse_date(value).isoformat()


def past_date(today: dt.date) -> Normaliser:
    limit = today.isoformat()

    def check(value: Any) -> str | None:
        d = date(value)
        if d is not None and d > limit:
            raise Invalid(f"{d} is in the future")
        return d

    return check


def datetime_(value: Any) -> str | None:
    if type(value) is str and len(value) == 10 and _ISO_DATE.fullmatch(value):
        return date(value)
    from crm.values.dates import parse_datetime

    moment = parse_datetime(value)
    if moment.hour == moment.minute == moment.second == 0:
        return moment.date().isoformat()
    return moment.isoformat(timespec="minutes" if moment.second == 0 else "seconds")


def vin(value: Any) -> str | None:
    from crm.values.vin import normalize_vin

    return normalize_vin(value)


def plate(value: Any) -> str | None:
    from crm.values.plate import normalize_plate

    return normalize_plate(value)


def email(value: Any) -> str | None:
    from crm.values.email import normalize_email

    return normalize_email(value)


def wechat(value: Any) -> str | None:
    from crm.values.email import normalize_wechat

    return normalize_wechat(value)


def mileage(value: Any) -> int | None:
    if type(value) is str and value.isdigit() and value.isascii() and len(value) <= 7:
        return int(value)
    from crm.values.numbers import parse_mileage

    return parse_mileage(value)


def amount(value: Any) -> float | None:
    from crm.values.numbers import parse_amount

    return float(parse_amount(value))


def model_year(today: dt.date) -> Normaliser:
    def check(value: Any) -> int | None:
        from crm.values.numbers import parse_int

        year = parse_int(value)
        if not 1950 <= year <= today.year + 1:
            raise Invalid(f"{year} is not a plausible model year")
        return year

    return check


def tags(value: Any) -> list[str] | None:
    s = clean(value)
    if s is None:
        return None
    return [t for t in _TAG_SPLIT.split(s) if t] or None


def guarded(fn: Normaliser) -> Normaliser:
    """``fn`` with empty cells (``""``, ``-``, ``无``, ``N/A`` …) turned into None first."""

    def run(value: Any) -> Any:
        if _empty(value):
            return None
        return fn(value)

    run.__name__ = getattr(fn, "__name__", "normaliser")
    return run


def customer_normalisers(today: dt.date) -> dict[str, Normaliser]:
    """Field → normaliser for the combined customer + vehicle sheet."""
    table: dict[str, Normaliser] = {
        "name": name, "mobile": phone, "phone2": phone, "gender": gender,
        "birthday": past_date(today), "city": text, "address": text, "source": text, "notes": text,
        "email": email, "wechat": wechat, "tags": tags,
        "vin": vin, "plate": plate, "brand": text, "model": text, "model_year": model_year(today),
        "colour": text, "mileage": mileage, "delivery_date": past_date(today),
        "insurance_expiry": date, "inspection_due": date,
    }
    return {k: guarded(v) for k, v in table.items()}


def visit_normalisers(today: dt.date) -> dict[str, Normaliser]:
    table: dict[str, Normaliser] = {
        "ro_number": text, "vin": vin, "plate": plate, "date_in": datetime_, "date_out": datetime_,
        "visit_type": text, "advisor": text, "mileage": mileage, "amount": amount, "items": text,
        "name": name, "mobile": phone,
    }
    return {k: guarded(v) for k, v in table.items()}


#: Chinese and English words for the visit types (the core stores the English key).
VISIT_TYPES = {
    "maintenance": "maintenance", "保养": "maintenance", "定保": "maintenance", "首保": "maintenance",
    "常规保养": "maintenance", "service": "maintenance",
    "repair": "repair", "维修": "repair", "一般维修": "repair", "机修": "repair", "电器": "repair",
    "warranty": "warranty", "索赔": "warranty", "保修": "warranty", "质保": "warranty",
    "bodypaint": "bodypaint", "钣喷": "bodypaint", "钣金": "bodypaint", "喷漆": "bodypaint",
    "事故车": "bodypaint", "钣金喷漆": "bodypaint", "body/paint": "bodypaint", "body & paint": "bodypaint",
    "pdi": "pdi", "新车pdi": "pdi", "pdi检查": "pdi",
}


def visit_type(value: str | None) -> str | None:
    if value is None:
        return None
    key = value.strip().lower()
    if key in VISIT_TYPES:
        return VISIT_TYPES[key]
    raise Invalid("not a visit type (保养, 维修, 索赔, 钣喷, PDI)")
