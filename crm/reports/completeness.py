"""Archive completeness (档案完善率): the weighted share of the facts an archive should hold.

The field list, weights and fact tests are those of ``crm customer completeness``
(:mod:`crm.archive.completeness`); see docs/reports.md#archive-completeness.
"""

from __future__ import annotations

from ..archive.completeness import WEIGHTS, has, weights  # one field list, one config table

__all__ = ["WEIGHTS", "weights", "has", "score_sql", "by_specialist"]


def score_sql(app) -> tuple[str, int]:
    """(SQL expression of a customer's points, the total points)."""
    w = weights(app)
    return " + ".join(f"({has(f)}) * {p}" for f, p in w.items()), sum(w.values())


def by_specialist(app, staff_id: int | None = None) -> dict:
    """{specialist_id or None: (customers, points)} over live archives.

    Read from ``archive_fact_counts`` (core migration m005): how many live customers of each
    specialist hold each combination of facts, kept exact by triggers on customers and
    vehicles, so this costs a few hundred rows whatever the archive's size.
    """
    from ..schema import FACTS, NO_SPECIALIST

    w = weights(app)
    total = sum(w.values())
    points = " + ".join(f"((mask >> {FACTS.index(f)}) & 1) * {p}" for f, p in w.items()) or "0"
    where, params = ("AND sid = ?", (staff_id,)) if staff_id else ("", ())
    rows = app.store.conn.execute(
        f"SELECT sid, sum(n), sum(n * ({points})) FROM archive_fact_counts WHERE n > 0 {where} GROUP BY sid",
        params).fetchall()
    return {(None if sid == NO_SPECIALIST else sid): (n, pts or 0) for sid, n, pts in rows}, total


def records(app, where: str, params: tuple, limit: int | None) -> list[dict]:
    """Each archive with its rate and missing facts (for --details)."""
    w = weights(app)
    total = sum(w.values())
    cols = ", ".join(f"{has(f)} AS has_{f}" for f in w)
    sql = (f"SELECT c.id, s.code AS specialist, {cols} FROM customers c LEFT JOIN staff s ON s.id = c.specialist_id"
           f" WHERE c.forgotten_at IS NULL {where} ORDER BY c.id")
    if limit:
        sql += f" LIMIT {int(limit)}"
    out = []
    for row in app.store.query(sql, params):
        got = sum(p for f, p in w.items() if row[f"has_{f}"])
        out.append({"customer_id": row["id"], "specialist": row["specialist"], "rate": round(100 * got / total, 1),
                    "missing": " ".join(f for f in w if not row[f"has_{f}"])})
    return out
