"""Profile completeness (档案完整率), a department KPI.

A customer's rate is the weighted share of these facts that the archive holds (weights in
points, 100 in all; override with ``[archive.completeness_weights]`` in the config):

==================  ======  ===================================================
fact                points  why
==================  ======  ===================================================
mobile              20      the one way to reach the customer
name                10      (always there; weights the rate towards reachability)
gender              5       salutation in calls (先生/女士)
birthday            10      birthday care (生日关怀)
wechat              10      the channel most customers answer
email               5
city                5       segments, events
address             5       gifts, invitations by post
source              5       where the customer came from (KPI by source)
preferred_channel   5       how to reach them (联系偏好)
best_time           5       when to call (最佳联系时间)
vehicle             5       at least one vehicle on record
plate               5       a plate on (one of) their vehicles
specialist          5       a responsible specialist
==================  ======  ===================================================

Forgotten customers are left out. ``--by specialist`` averages per specialist (an
unassigned row collects customers without one), ``overall`` over everyone.
"""

from __future__ import annotations

from ..errors import BadInput

WEIGHTS: dict[str, int] = {
    "mobile": 20, "name": 10, "gender": 5, "birthday": 10, "wechat": 10, "email": 5, "city": 5, "address": 5,
    "source": 5, "preferred_channel": 5, "best_time": 5, "vehicle": 5, "plate": 5, "specialist": 5,
}

_EXPR = {
    "vehicle": "EXISTS (SELECT 1 FROM vehicles ve WHERE ve.customer_id = c.id)",
    "plate": "EXISTS (SELECT 1 FROM vehicles ve WHERE ve.customer_id = c.id AND ve.plate IS NOT NULL"
             " AND ve.plate <> '')",
    "specialist": "c.specialist_id IS NOT NULL",
}


def weights(app) -> dict[str, int]:
    custom = app.config.get("archive.completeness_weights")
    if not custom:
        return dict(WEIGHTS)
    unknown = set(custom) - set(WEIGHTS)
    if unknown:
        raise BadInput(f"archive.completeness_weights: unknown facts {', '.join(sorted(unknown))}"
                       f" (known: {', '.join(WEIGHTS)})")
    return {k: int(v) for k, v in {**WEIGHTS, **custom}.items() if int(v) > 0}


def has(fact: str) -> str:
    return _EXPR.get(fact, f"(c.{fact} IS NOT NULL AND c.{fact} <> '')")


def per_customer(app, *, specialist: str | None = None, below: float | None = None,
                 limit: int | None = 1000) -> list[dict]:
    w = weights(app)
    total = sum(w.values())
    cols = ", ".join(f"{has(f)} AS has_{f}" for f in w)
    sql = (f"SELECT c.id, c.name, s.code AS specialist, {cols} FROM customers c"
           " LEFT JOIN staff s ON s.id = c.specialist_id WHERE c.forgotten_at IS NULL")
    params: list = []
    if specialist:
        if specialist == "none":
            sql += " AND c.specialist_id IS NULL"
        else:
            sql += " AND s.code = ?"
            params.append(specialist)
    out = []
    for row in app.store.query(sql + " ORDER BY c.id", tuple(params)):
        got = sum(points for f, points in w.items() if row[f"has_{f}"])
        rate = round(100 * got / total, 1)
        if below is not None and rate >= below:
            continue
        out.append({"id": row["id"], "name": row["name"], "specialist": row["specialist"], "rate": rate,
                    "missing": [f for f in w if not row[f"has_{f}"]]})
        if limit and len(out) >= limit:
            break
    return out


def summary(app, *, by_specialist: bool = False) -> list[dict]:
    """Average rate (and how often each fact is missing) overall or per specialist."""
    w = weights(app)
    total = sum(w.values())
    score = " + ".join(f"({has(f)}) * {points}" for f, points in w.items())
    group = "s.code" if by_specialist else "'all'"
    missing = ", ".join(f"sum(NOT ({has(f)})) AS miss_{f}" for f in w)
    rows = app.store.query(
        f"SELECT {group} AS specialist, count(*) AS customers, avg({score}) AS points,"
        f" sum(({score}) = {total}) AS complete, {missing}"
        " FROM customers c LEFT JOIN staff s ON s.id = c.specialist_id WHERE c.forgotten_at IS NULL"
        f" GROUP BY {group} ORDER BY {group}")
    out = []
    for row in rows:
        misses = sorted(((row[f"miss_{f}"], f) for f in w), reverse=True)
        out.append({
            "specialist": row["specialist"] if by_specialist else "overall",
            "customers": row["customers"],
            "rate": round(100 * (row["points"] or 0) / total, 1),
            "complete": row["complete"],
            "most_missing": ", ".join(f"{f} ({n})" for n, f in misses[:3] if n),
        })
    return out
