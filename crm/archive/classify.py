"""Customer classification (客户分级 VIP/A/B/C) from rules on spend, visits and recency.

Facts per customer, over the last ``window_days`` (default 730): ``spend`` (sum of visit
amounts), ``visits`` (number of visits), and ``recency`` (days since the last visit; no
visit = never). Rules are tried in order; the first whose every condition holds gives the
class; otherwise the ``fallback`` (C). Defaults (override under ``[archive.classification]``)::

    window_days = 730
    fallback = "C"
    [[archive.classification.rules]]
    class = "VIP"; min_spend = 20000; min_visits = 4; max_recency_days = 180
    [[archive.classification.rules]]
    class = "A";   min_spend = 8000;  min_visits = 2; max_recency_days = 365
    [[archive.classification.rules]]
    class = "B";   min_visits = 1; max_recency_days = 365

So C is a lapsed customer (no visit for a year) or one who never came.
"""

from __future__ import annotations

import datetime as dt

from ..errors import BadInput
from .validate import CLASSES

DEFAULT_RULES = [
    {"class": "VIP", "min_spend": 20000, "min_visits": 4, "max_recency_days": 180},
    {"class": "A", "min_spend": 8000, "min_visits": 2, "max_recency_days": 365},
    {"class": "B", "min_visits": 1, "max_recency_days": 365},
]
CONDITIONS = ("min_spend", "min_visits", "max_recency_days")


def settings(app) -> tuple[list[dict], int, str]:
    section = app.config.get("archive.classification") or {}
    rules = section.get("rules") or DEFAULT_RULES
    for rule in rules:
        if rule.get("class") not in CLASSES:
            raise BadInput(f"archive.classification.rules: class {rule.get('class')!r} is not one of {CLASSES}")
        unknown = set(rule) - {"class", *CONDITIONS}
        if unknown:
            raise BadInput(f"archive.classification.rules: unknown condition {', '.join(sorted(unknown))}")
    fallback = section.get("fallback", "C")
    if fallback not in CLASSES:
        raise BadInput(f"archive.classification.fallback {fallback!r} is not one of {CLASSES}")
    return rules, int(section.get("window_days", 730)), fallback


def classify_one(facts: dict, rules: list[dict], fallback: str) -> str:
    for rule in rules:
        if facts["spend"] < rule.get("min_spend", 0):
            continue
        if facts["visits"] < rule.get("min_visits", 0):
            continue
        limit = rule.get("max_recency_days")
        if limit is not None and (facts["recency"] is None or facts["recency"] > limit):
            continue
        return rule["class"]
    return fallback


def facts(app, *, ids=None) -> list[dict]:
    rules, window, fallback = settings(app)
    today = app.today()
    start = (today - dt.timedelta(days=window)).isoformat()
    sql = ("SELECT c.id, c.classification AS old, coalesce(sum(v.amount), 0) AS spend, count(v.id) AS visits,"
           " (SELECT max(date_in) FROM visits x WHERE x.customer_id = c.id) AS last_visit"
           " FROM customers c LEFT JOIN visits v ON v.customer_id = c.id AND v.date_in >= ?"
           " WHERE c.forgotten_at IS NULL")
    params: list = [start]
    if ids:
        sql += f" AND c.id IN ({', '.join('?' * len(ids))})"
        params += [int(i) for i in ids]
    rows = app.store.query(sql + " GROUP BY c.id ORDER BY c.id", tuple(params))
    for row in rows:
        row["recency"] = (today - dt.date.fromisoformat(row["last_visit"][:10])).days if row["last_visit"] else None
        row["new"] = classify_one(row, rules, fallback)
    return rows


def classify(tx, *, ids=None) -> list[dict]:
    """Recompute classifications; write and announce (``on_customer_updated``) the changes."""
    changed = [r for r in facts(tx.app, ids=ids) if r["new"] != r["old"]]
    for row in changed:
        tx.conn.execute("UPDATE customers SET classification = ?, updated_at = ? WHERE id = ?",
                        (row["new"], tx.now, row["id"]))
        customer = tx.store.query_one("SELECT * FROM customers WHERE id = ?", (row["id"],))
        tx.fire("on_customer_updated", customer=customer, changes={"classification": (row["old"], row["new"])})
    if changed:
        tx.audit("classify", "customer", [r["id"] for r in changed], count=len(changed))
    return changed
