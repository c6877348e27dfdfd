"""The complaints figures of the report, counted per store for the dealer group's report.

The store's report (reports.py) and the group's share :func:`compute`: both turn the same
summable counts into the six figures.  The store counts them from each ticket's timings
(:func:`counts_of`, ``timings.compute`` on its events); the warehouse counts them with SQL
(:func:`count`) over the exported ``complaints_tickets`` and ``complaints_timings``, the facts
the store wrote from that same ``timings.compute`` (facts.py), so working hours, pauses and
the calendar are the store's own.  The only thing that depends on the report's moment —
whether an open ticket is overdue — is its stored deadline compared with ``now``.

Counts (all sums): ``complaints``, ``invalid``, ``repeat``; ``responded`` and
``respond_centihours`` (the working hours of each, rounded to 0.01 h as the store shows them,
in hundredths so that sums are exact); ``resolved`` and ``resolve_centihours`` (closed
tickets); ``decided`` (tickets with a result: resolved, overdue, or responded late) and
``on_time`` (of those, responded and resolved by their deadlines).
"""

from __future__ import annotations

from crm.api import GroupFigure, group_span_case, group_store_filter

#: ``better`` ranks the stores (``crm group rank``): fewer complaints, quicker answers rank first
FIGURES = [
    GroupFigure("complaints.complaints", "投诉数", "", "down"),
    GroupFigure("complaints.invalid_rate", "无效投诉率", "%", "down"),
    GroupFigure("complaints.on_time_rate", "投诉按时处理率", "%", "up"),
    GroupFigure("complaints.avg_respond_hours", "平均响应时间", "h", "down"),
    GroupFigure("complaints.avg_resolve_hours", "平均解决时间", "h", "down"),
    GroupFigure("complaints.repeat_rate", "重复投诉率", "%", "down"),
]
NAMES = ("complaints", "invalid", "responded", "respond_centihours", "resolved", "resolve_centihours",
         "decided", "on_time", "repeat")


def ratio(part, whole) -> float | None:
    """A rate as the statistics table keeps it (a fraction, 4 places)."""
    return round(part / whole, 4) if whole else None


def percent(part, whole) -> float | None:
    """A rate as the report shows it: the statistics' fraction in percent, 1 place."""
    r = ratio(part, whole)
    return None if r is None else round(r * 100, 1)


def centihours(hours: float) -> int:
    return int(round(hours * 100))


def average_hours(centi: int, n: int) -> float | None:
    return round(centi / n / 100, 2) if n else None


def compute(counts) -> dict:
    c = counts or {}
    n = c.get("complaints", 0)
    return {
        "complaints.complaints": n,
        "complaints.invalid_rate": percent(c.get("invalid", 0), n),
        "complaints.on_time_rate": percent(c.get("on_time", 0), c.get("decided", 0)),
        "complaints.avg_respond_hours": average_hours(c.get("respond_centihours", 0), c.get("responded", 0)),
        "complaints.avg_resolve_hours": average_hours(c.get("resolve_centihours", 0), c.get("resolved", 0)),
        "complaints.repeat_rate": percent(c.get("repeat", 0), n),
    }


def decided(t: dict) -> bool:
    """A ticket with a result (the on-time rate's denominator): resolved, overdue, or responded late."""
    return bool(t["resolved_at"] is not None or t["overdue"]
                or (t["responded_at"] and t["respond_on_time"] is False))


def counts_of(pairs) -> dict:
    """The counts of (ticket, timings) pairs, in the store."""
    responded = [t["respond_hours"] for _, t in pairs if t["responded_at"] is not None]
    resolved = [t["resolve_hours"] for k, t in pairs if k["state"] == "closed" and t["resolved_at"] is not None]
    results = [(k, t) for k, t in pairs if decided(t)]
    return {
        "complaints": len(pairs),
        "invalid": sum(1 for k, _ in pairs if k["state"] == "invalid"),
        "responded": len(responded), "respond_centihours": sum(centihours(h) for h in responded),
        "resolved": len(resolved), "resolve_centihours": sum(centihours(h) for h in resolved),
        "decided": len(results),
        "on_time": sum(1 for _, t in results if t["respond_on_time"] is not False and t["resolve_on_time"] is True),
        "repeat": sum(1 for k, _ in pairs if k["repeat_of"]),
    }


def count(warehouse, spans, now: str, store: str | None) -> dict:
    """The counts per (store, span) in the warehouse; tickets by the day they were received."""
    tables = warehouse.tables()
    if "complaints_tickets" not in tables:
        return {}
    have = set(warehouse.columns("complaints_tickets"))
    if not {"id", "state", "received_at"} <= have:
        return {}
    types = {"responded_at": "VARCHAR", "respond_due": "VARCHAR", "respond_hours": "FLOAT8",
             "respond_on_time": "BIGINT", "resolved_at": "VARCHAR", "resolve_due": "VARCHAR",
             "resolve_hours": "FLOAT8", "resolve_on_time": "BIGINT"}
    # a store that has not sent its timing facts yet: its tickets count, their timings do not
    joined = ("complaints_timings" in tables
              and {"ticket_id", *types} <= set(warehouse.columns("complaints_timings")))
    f = {c: (f"f.{c}" if joined else f"CAST(NULL AS {ty})") for c, ty in types.items()}
    repeat = "t.repeat_of" if "repeat_of" in have else "CAST(NULL AS BIGINT)"
    overdue = (f"(({f['responded_at']} IS NULL AND {f['respond_due']} IS NOT NULL AND {f['respond_due']} < ?)"
               f" OR ({f['resolved_at']} IS NULL AND {f['resolve_due']} IS NOT NULL AND {f['resolve_due']} < ?))")
    result = (f"({f['resolved_at']} IS NOT NULL OR {overdue}"
              f" OR ({f['responded_at']} IS NOT NULL AND {f['respond_on_time']} = 0))")
    closed = f"t.state = 'closed' AND {f['resolved_at']} IS NOT NULL"
    case, cp, where, wp = group_span_case("t.received_at", spans)
    sf, sp = group_store_filter(store, "t.")
    join = " LEFT JOIN complaints_timings f ON f._store = t._store AND f.ticket_id = t.id" if joined else ""

    def n(cond: str) -> str:
        return f"sum(CASE WHEN {cond} THEN 1 ELSE 0 END)"

    hours = "sum(CASE WHEN {} THEN CAST(round({} * 100) AS BIGINT) ELSE 0 END)"
    on_time = f"{result} AND coalesce({f['respond_on_time']}, 1) <> 0 AND {f['resolve_on_time']} = 1"
    sums = [n("t.state = 'invalid'"), n(f"{f['responded_at']} IS NOT NULL"),
            hours.format(f"{f['responded_at']} IS NOT NULL", f["respond_hours"]),
            n(closed), hours.format(closed, f["resolve_hours"]),
            n(result), n(on_time), n(f"{repeat} IS NOT NULL")]
    sql = (f"SELECT t._store, {case}, count(*), {', '.join(sums)}"
           f" FROM complaints_tickets t{join} WHERE {where}{sf} GROUP BY 1, 2")
    rows = warehouse.execute(sql, cp + [now, now] + [now, now] + wp + sp)
    return {(s, span): dict(zip(NAMES, (int(v or 0) for v in values))) for s, span, *values in rows if span}
