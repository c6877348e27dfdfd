"""The callbacks figures in the dealer group's report (``register_group_figures``).

One definition of each figure for the store and the group: :func:`compute` makes every
figure from summable counts; the store's summary (reports.py) counts its rows in SQLite and
calls it, :func:`count` counts the same in the group's warehouse (DuckDB or PostgreSQL) from
the exported ``callback_calls``, ``callback_tasks`` and ``callback_skips`` (members the plan
could not reach on any channel), so a store's figures in ``crm group report`` equal its own
``crm report``.  The group's figures are :func:`compute` of the stores' counts summed: a rate
from the summed numerator and denominator, the average score from the summed score total
and count.  Members are counted per store (distinct customers of one archive), so the group
counts a member of two stores twice, as the archives do.

The definitions (reports.py ``summary``/``member_coverage``): calls of the span by
``called_at``; tasks by ``due_on`` (first to last day), cancelled tasks left out; a task done
on time was closed on or before its due day; overdue = missed, or still open with its due day
before today (the report's today, also for the previous and last year's spans).
"""

from __future__ import annotations

from typing import Mapping

from crm.api import GroupFigure, group_span_case, group_store_filter

#: (section, name, unit, better) in the store report's order; the key is ``section.name``
FIGURES = (
    ("callbacks", "回访次数", "次", "up"),
    ("callbacks", "接通次数", "次", "up"),
    ("callbacks", "接通率", "%", "up"),
    ("callbacks", "应回访任务", "个", None),
    ("callbacks", "已回访", "个", "up"),
    ("callbacks", "按时回访率", "%", "up"),
    ("callbacks", "未接通结案", "个", "down"),
    ("callbacks", "逾期未回访", "个", "down"),
    ("callbacks", "待回访", "个", None),
    ("callbacks_members", "应回访会员", "人", None),
    ("callbacks_members", "已回访会员", "人", "up"),
    ("callbacks_members", "会员覆盖率", "%", "up"),
    ("callbacks_members", "其他渠道回访会员", "人", None),
    ("callbacks_satisfaction", "平均评分", "分", "up"),
    ("callbacks_overdue", "逾期任务", "个", "down"),
)

#: the counts behind them (each a sum over stores)
COUNTS = ("calls", "reached", "scored", "score_total", "tasks", "done", "on_time", "unreachable", "missed",
          "open", "overdue", "members_due", "members_reached", "members_other")

#: a call that reached the customer but gave no verdict: asked to be called back later
CALL_BACK = "call_back"


def pct(part, whole) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def compute(counts: Mapping[str, int] | None) -> dict:
    """Every callbacks figure ``{"section.name": value}`` from one store's (or the group's) counts."""
    c = {name: (counts or {}).get(name) or 0 for name in COUNTS}
    values = {
        "回访次数": c["calls"], "接通次数": c["reached"], "接通率": pct(c["reached"], c["calls"]),
        "应回访任务": c["tasks"], "已回访": c["done"], "按时回访率": pct(c["on_time"], c["tasks"]),
        "未接通结案": c["unreachable"], "逾期未回访": c["missed"], "待回访": c["open"],
        "应回访会员": c["members_due"], "已回访会员": c["members_reached"],
        "会员覆盖率": pct(c["members_reached"], c["members_due"]), "其他渠道回访会员": c["members_other"],
        "平均评分": round(c["score_total"] / c["scored"], 2) if c["scored"] else None,
        "逾期任务": c["overdue"],
    }
    return {f"{section}.{name}": values[name] for section, name, _, _ in FIGURES}


def figures() -> list[GroupFigure]:
    return [GroupFigure(f"{section}.{name}", name, unit, better) for section, name, unit, better in FIGURES]


# ----------------------------------------------------------------- the warehouse
def _day_case(column: str, spans) -> tuple[str, list, str, list]:
    """Like ``group_span_case`` for a day column (``due_on``) with both ends inclusive, as the
    store's ``due_on >= start AND due_on <= end``."""
    bounds = [(s.start.isoformat(), s.end.isoformat()) if s.start and s.end else None for s in spans]
    if None in bounds:  # a span without its days: its text bounds (lo <= day < hi) say the same
        return group_span_case(column, spans)
    whens, params = [], []
    for s, (lo, hi) in zip(spans, bounds):
        whens.append(f"WHEN {column} >= ? AND {column} <= ? THEN '{s.label}'")
        params += [lo, hi]
    where = "(" + " OR ".join(f"({column} >= ? AND {column} <= ?)" for _ in spans) + ")"
    return f"CASE {' '.join(whens)} END", params, where, list(params)


def _n(value) -> int:
    return int(value or 0)  # PostgreSQL's sum() of integers is a Decimal


def count(warehouse, spans, now: str, store: str | None) -> dict:
    """``{(store, span label): {count: n}}`` from the exported callbacks tables."""
    tables = warehouse.tables()
    out: dict = {}

    def into(st, span) -> dict:
        return out.setdefault((st, span), {})

    sf, sp = group_store_filter(store)
    if "callback_calls" in tables:
        case, cp, where, wp = group_span_case("called_at", spans)
        verdict = f"result NOT IN ('unreachable', '{CALL_BACK}') AND score IS NOT NULL"
        for st, span, calls, reached, scored, total in warehouse.execute(
                f"SELECT _store, {case}, count(*), sum(CASE WHEN result <> 'unreachable' THEN 1 ELSE 0 END),"
                f" sum(CASE WHEN {verdict} THEN 1 ELSE 0 END),"
                f" sum(CASE WHEN {verdict} THEN CAST(score AS BIGINT) ELSE 0 END)"
                f" FROM callback_calls WHERE {where}{sf} GROUP BY 1, 2", cp + wp + sp):
            if span is not None:
                into(st, span).update(calls=_n(calls), reached=_n(reached), scored=_n(scored),
                                      score_total=_n(total))
    if "callback_tasks" not in tables:
        return out
    # one pass over the tasks of the spans (cancelled ones left out) and the occasions the plan
    # skipped (members no channel reaches: due, never reached); members are distinct customers
    case, cp, where, wp = _day_case("due_on", spans)
    rows = (f"SELECT _store, {case} AS span, 1 AS task, CASE WHEN CAST(member AS INTEGER) <> 0 THEN 1 ELSE 0 END"
            f" AS member, customer_id, status, channel, due_on, closed_at FROM callback_tasks"
            f" WHERE {where} AND status <> 'cancelled'{sf}")
    params = cp + wp + sp
    if "callback_skips" in tables:
        rows += (f" UNION ALL SELECT _store, {case} AS span, 0, 1, customer_id, CAST(NULL AS VARCHAR),"
                 f" CAST(NULL AS VARCHAR), due_on, CAST(NULL AS VARCHAR) FROM callback_skips"
                 f" WHERE {where} AND CAST(member AS INTEGER) = 1{sf}")
        params += cp + wp + sp
    done = "status = 'done'"
    for st, span, *n in warehouse.execute(
            f"SELECT _store, span, sum(task), sum(CASE WHEN {done} THEN 1 ELSE 0 END),"
            f" sum(CASE WHEN {done} AND substr(coalesce(closed_at, ''), 1, 10) <= due_on THEN 1 ELSE 0 END),"
            " sum(CASE WHEN status = 'unreachable' THEN 1 ELSE 0 END),"
            " sum(CASE WHEN status = 'missed' THEN 1 ELSE 0 END),"
            " sum(CASE WHEN status = 'open' THEN 1 ELSE 0 END),"
            " sum(CASE WHEN status = 'missed' OR (status = 'open' AND due_on < ?) THEN 1 ELSE 0 END),"
            " count(DISTINCT CASE WHEN member = 1 THEN customer_id END),"
            f" count(DISTINCT CASE WHEN member = 1 AND {done} THEN customer_id END),"
            f" count(DISTINCT CASE WHEN member = 1 AND {done} AND coalesce(channel, '') <> 'phone'"
            " THEN customer_id END)"
            f" FROM ({rows}) x WHERE span IS NOT NULL GROUP BY 1, 2", [now[:10]] + params):
        into(st, span).update(zip(("tasks", "done", "on_time", "unreachable", "missed", "open", "overdue",
                                   "members_due", "members_reached", "members_other"), map(_n, n)))
    return out
