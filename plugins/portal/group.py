"""The portal's report figure (hooks.py ``report``), counted per store for the dealer group.

线索首次联系及时率: of the leads the manufacturer dispatched in the period (by the day of their
``created_at`` in the dealer's time zone), the share first contacted by their ``contact_due``.
Counts: ``leads`` and ``on_time``; the rate is :func:`rate` of them in the store and in the
group (all stores' leads summed).  The portal's times are RFC 3339 with an offset, so the SQL
compares them as ``TIMESTAMPTZ`` and takes the day in the report's time zone (the spans'
``zone``: ``timezone`` of the group machine's config — a group's stores share one, as their
reports' "today" does).
"""

from __future__ import annotations

import re

from crm.api import GroupFigure, group_span_case, group_store_filter

KEY = "portal_leads.lead_first_contact_on_time"
FIGURES = [GroupFigure(KEY, "线索首次联系及时率", "%", "up")]


def rate(met: int, total: int) -> float | None:
    return round(100.0 * met / total, 1) if total else None


def compute(counts) -> dict:
    c = counts or {}
    return {KEY: rate(c.get("on_time", 0), c.get("leads", 0))}


def _zone(spans) -> str:
    name = spans[0].zone if spans else "Asia/Shanghai"
    if not re.fullmatch(r"[A-Za-z0-9_+/-]+", name):
        raise ValueError(f"time zone {name!r}")
    return name


def count(warehouse, spans, now: str, store: str | None) -> dict:
    if "portal_leads" not in warehouse.tables() or not {
            "created_at", "contact_due", "first_contact_at"} <= set(warehouse.columns("portal_leads")):
        return {}
    day = f"CAST(timezone('{_zone(spans)}', CAST(created_at AS TIMESTAMPTZ)) AS VARCHAR)"
    case, cp, where, wp = group_span_case(day, spans)
    sf, sp = group_store_filter(store)
    rows = warehouse.execute(
        f"SELECT _store, {case}, count(*), sum(CASE WHEN first_contact_at IS NOT NULL"
        " AND CAST(first_contact_at AS TIMESTAMPTZ) <= CAST(contact_due AS TIMESTAMPTZ) THEN 1 ELSE 0 END)"
        f" FROM portal_leads WHERE created_at IS NOT NULL AND {where}{sf} GROUP BY 1, 2", cp + wp + sp)
    return {(s, span): {"leads": int(n), "on_time": int(met or 0)} for s, span, n, met in rows if span}
