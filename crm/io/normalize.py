"""Normalize a whole row read by :func:`crm.io.readers.read_table`.

One normalizer per field of :mod:`crm.io.aliases`; empty cells become None,
invalid ones are reported as ``(field, reason)`` and left out of the result,
so an importer can store the good fields, or reject the row, and name the
row and the reason either way.

    >>> values, problems = normalize_row({
    ...     "name": " 张 三 ", "mobile": "138 1234 5678 / 010-12345678", "gender": "先生",
    ...     "plate": "京a·12345", "delivery_date": "2025年3月5日", "mileage": "1.2万公里",
    ...     "birthday": "2025-02-30", "notes": "—"})
    >>> values["name"], values["mobile"], values["mobile_others"], values["plate"]
    ('张三', '13812345678', ['010-12345678'], '京A12345')
    >>> values["delivery_date"], values["mileage"], values["gender"], values["notes"]
    (datetime.date(2025, 3, 5), 12000, 'M', None)
    >>> problems
    [('birthday', '2025-02-30 does not exist (day is out of range for month)')]
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from crm.values import Invalid
from crm.values.dates import parse_date, parse_datetime
from crm.values.email import normalize_email, normalize_wechat
from crm.values.idcard import id_birthday, id_gender, normalize_id_number
from crm.values.names import gender_from_name, normalize_gender, normalize_name
from crm.values.numbers import parse_amount, parse_mileage
from crm.values.phone import split_phones
from crm.values.plate import normalize_plate
from crm.values.text import clean
from crm.values.vin import normalize_vin

__all__ = ["Options", "normalize_row", "split_tags", "FIELD_KINDS"]

_TAG_SPLIT = re.compile(r"[,，;；、/|\s]+")


@dataclass(frozen=True)
class Options:
    """Per-dealer settings for normalization.

    ``default_area``: area code for landlines without one (``"0755"``);
    ``default_province``: province for plates without one (``"粤"``);
    ``dayfirst``: how to read ``3/5/2025`` (None = reject as ambiguous);
    ``strict_vin``: reject wrong check digits outside North America/China.
    """

    default_area: str | None = None
    default_province: str | None = None
    dayfirst: bool | None = None
    strict_vin: bool = False


def split_tags(value: Any) -> list[str]:
    """Tags from one cell: separated by commas, semicolons, 、, / or spaces.

    >>> split_tags("VIP，老客户 、 转介绍")
    ['VIP', '老客户', '转介绍']
    """
    s = clean(value)
    if s is None:
        return []
    out: list[str] = []
    for t in _TAG_SPLIT.split(s):
        if t and t not in out:
            out.append(t)
    return out


def _text(value: Any, o: Options) -> str | None:
    return clean(value)


#: field → kind of value (for documentation and for callers that add fields).
FIELD_KINDS: dict[str, str] = {
    "name": "name",
    "mobile": "phones",
    "phone2": "phones",
    "gender": "gender",
    "birthday": "date",
    "delivery_date": "date",
    "insurance_expiry": "date",
    "inspection_due": "date",
    "date_in": "datetime",
    "date_out": "datetime",
    "email": "email",
    "wechat": "wechat",
    "id_number": "id_number",
    "plate": "plate",
    "vin": "vin",
    "mileage": "mileage",
    "amount": "amount",
    "tags": "tags",
}

_NORMALIZERS: dict[str, Callable[[Any, Options], Any]] = {
    "name": lambda v, o: normalize_name(v),
    "gender": lambda v, o: normalize_gender(v),
    "date": lambda v, o: parse_date(v, dayfirst=o.dayfirst),
    "datetime": lambda v, o: parse_datetime(v, dayfirst=o.dayfirst),
    "email": lambda v, o: normalize_email(v),
    "id_number": lambda v, o: normalize_id_number(v),
    "wechat": lambda v, o: normalize_wechat(v),
    "plate": lambda v, o: normalize_plate(v, default_province=o.default_province),
    "vin": lambda v, o: normalize_vin(v, strict=o.strict_vin),
    "mileage": lambda v, o: parse_mileage(v),
    "amount": lambda v, o: parse_amount(v),
    "tags": lambda v, o: split_tags(v),
    "text": _text,
}


def normalize_row(
    row: Any, options: Options | None = None
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Normalize the fields of a :class:`~crm.io.readers.Row` (or a plain
    ``{field: raw value}`` mapping).

    Returns ``(values, problems)``: ``values`` has every field that is empty
    (None) or valid; ``problems`` lists ``(field, reason)`` for the others.

    * Phone fields may hold several numbers: the first is stored under the
      field, the rest under ``<field>_others`` (a list, only when present).
    * When the gender cell is missing or empty, ``gender`` comes from the ID
      number, else from the honorific in the name (张先生 → M); a missing
      ``birthday`` comes from the ID number.
    * Unknown fields and ``city``, ``address``, ``model`` … are cleaned text.
    """
    o = options or Options()
    raw: Mapping[str, Any] = row.values if hasattr(row, "values") and not isinstance(row, Mapping) else row
    values: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for field, value in raw.items():
        kind = FIELD_KINDS.get(field, "text")
        try:
            if kind == "phones":
                phones = split_phones(value, default_area=o.default_area)
                values[field] = phones[0] if phones else None
                if len(phones) > 1:
                    values[f"{field}_others"] = phones[1:]
                continue
            if kind not in ("text", "tags") and clean(value) is None:
                values[field] = None
                continue
            values[field] = _NORMALIZERS[kind](value, o)
        except Invalid as exc:
            problems.append((field, exc.reason))
    bad = {f for f, _ in problems}
    idn = values.get("id_number")
    if idn and values.get("birthday") is None and "birthday" not in bad:
        values["birthday"] = id_birthday(idn)
    if values.get("gender") is None and "gender" not in bad:
        implied = id_gender(idn) if idn else None
        if implied is None and values.get("name"):
            implied = gender_from_name(values["name"])
        if implied:
            values["gender"] = implied
    return values, problems
