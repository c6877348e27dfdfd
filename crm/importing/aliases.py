"""Header aliases: the shared table of :mod:`crm.io.aliases` plus the few the importer adds."""

from __future__ import annotations

from crm.io.aliases import ALL

#: Headers of visit lists that the shared table does not cover.
EXTRA: dict[str, tuple[str, ...]] = {
    "items": ("维修项目", "项目", "维修内容", "工单项目", "items", "work items"),
}


def table() -> dict[str, tuple[str, ...]]:
    out = dict(ALL)
    for k, v in EXTRA.items():
        out.setdefault(k, v)
    return out


def first_alias(fieldname: str) -> str:
    """The first (most usual) header of a field."""
    names = table().get(fieldname) or ()
    return names[0] if names else fieldname
