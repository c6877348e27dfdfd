"""Masking of personal data for roles that may not see it."""

from __future__ import annotations

import re

_DIGITS = re.compile(r"\d")


def mask_phone(phone: str | None) -> str | None:
    """``13812345678`` → ``138****5678``; a landline keeps its area code and last 4 digits."""
    if not phone:
        return phone
    if "-" in phone and not phone.startswith("+"):
        area, _, rest = phone.partition("-")
        return f"{area}-{'*' * max(len(rest) - 4, 0)}{rest[-4:]}"
    if len(phone) <= 7:
        return "*" * (len(phone) - 2) + phone[-2:]
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_text(value: str | None, keep: int = 1) -> str | None:
    """Keep the first ``keep`` characters: ``北京市朝阳区…`` → ``北****``."""
    if not value:
        return value
    return value[:keep] + "*" * min(max(len(value) - keep, 1), 8)


def mask_email(value: str | None) -> str | None:
    if not value or "@" not in value:
        return mask_text(value)
    user, _, domain = value.partition("@")
    return f"{user[:1]}***@{domain}"


def mask_id_number(value: str | None) -> str | None:
    """An ID card number: first 3 and last 4 kept."""
    if not value:
        return value
    return value[:3] + "*" * max(len(value) - 7, 1) + value[-4:]


#: Which fields of a row are personal, and how to mask each.
MASKERS = {
    "mobile": mask_phone,
    "mobile2": mask_phone,
    "landline": mask_phone,
    "phone": mask_phone,
    "email": mask_email,
    "wechat": mask_text,
    "address": lambda v: mask_text(v, keep=3),
    "id_number": mask_id_number,
}


def mask_row(row: dict, fields: dict | None = None) -> dict:
    """A copy of ``row`` with its personal fields masked."""
    maskers = fields or MASKERS
    return {k: (maskers[k](v) if k in maskers and isinstance(v, str) else v) for k, v in row.items()}
