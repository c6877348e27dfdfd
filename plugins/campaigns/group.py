"""The campaigns figures of the report (sections.py), counted per store for the dealer group.

Each figure but the NPS is a count over one exported table, with the same conditions as the
store's SQL in sections.py (``_period_figures``; a date's first ten characters in the period
is the same as ``lo <= value < hi`` for ISO text).  The NPS comes from summable counts —
``nps_responses``, ``promoters`` (9–10) and ``detractors`` (0–6) of the NPS questions'
answers — through the store's own formula (surveys.py ``net_promoter``), so the group's NPS
is computed again from all stores' answers, not averaged.
"""

from __future__ import annotations

from crm.api import GroupFigure, group_span_case, group_store_filter

from .sections import DOCS, NAMES

KEYS = ("events_held", "invitations", "attended", "care_greetings", "gifts_given", "recall_completions",
        "survey_responses", "nps")
FIGURES = [GroupFigure(f"campaigns.{k}", NAMES[k][0], DOCS[k][0]) for k in KEYS]

#: count name: (table, the date column, the other condition and its column)
COUNTS = {
    "events_held": ("campaigns_events", "starts_at", ("status = 'planned'", "status")),
    "invitations": ("campaigns_invitations", "invited_at", ("channel <> 'walk_in'", "channel")),
    "attended": ("campaigns_invitations", "checked_in_at", None),
    "care_greetings": ("campaigns_care_sends", "created_at", None),
    "gifts_given": ("campaigns_gifts", "given_on", ("status = 'given'", "status")),
    "recall_completions": ("campaigns_oem_vins", "completed_on", ("status = 'completed'", "status")),
    "survey_responses": ("campaigns_survey_responses", "answered_at", ("deleted = 0", "deleted")),
}
#: the NPS's tables and the columns it reads
NPS_TABLES = {"campaigns_survey_answers": {"response_id", "question_id", "value_num"},
              "campaigns_survey_questions": {"id", "nps"},
              "campaigns_survey_responses": {"id", "deleted", "answered_at"}}


def compute(counts) -> dict:
    from .surveys import net_promoter

    c = counts or {}
    out = {f"campaigns.{k}": c.get(k, 0) for k in KEYS if k != "nps"}
    out["campaigns.nps"] = net_promoter(c.get("promoters", 0), c.get("detractors", 0), c.get("nps_responses", 0))
    return out


def count(warehouse, spans, now: str, store: str | None) -> dict:
    tables = set(warehouse.tables())
    out: dict = {}
    parts, params = [], []
    columns = {t: set(warehouse.columns(t)) for t in {*(c[0] for c in COUNTS.values()), *NPS_TABLES} if t in tables}
    for name, (table, column, cond) in COUNTS.items():  # one query: a part a count
        if not {column, *(cond[1:] if cond else ())} <= columns.get(table, set()):
            continue  # not loaded (yet): nothing to count
        case, cp, where, wp = group_span_case(column, spans)
        sf, sp = group_store_filter(store)
        extra = f" AND {cond[0]}" if cond else ""
        parts.append(f"SELECT '{name}' AS name, _store, {case} AS span, count(*) AS n FROM {table}"
                     f" WHERE {where}{extra}{sf} GROUP BY 2, 3")
        params += cp + wp + sp
    if parts:
        for name, s, span, n in warehouse.execute(" UNION ALL ".join(parts), params):
            if span:
                out.setdefault((s, span), {})[name] = int(n)
    if all(need <= columns.get(t, set()) for t, need in NPS_TABLES.items()):
        case, cp, where, wp = group_span_case("r.answered_at", spans)
        sf, sp = group_store_filter(store, "r.")
        rows = warehouse.execute(
            f"SELECT r._store, {case}, count(*), sum(CASE WHEN a.value_num >= 9 THEN 1 ELSE 0 END),"
            " sum(CASE WHEN a.value_num <= 6 THEN 1 ELSE 0 END)"
            " FROM campaigns_survey_answers a"
            " JOIN campaigns_survey_questions q ON q._store = a._store AND q.id = a.question_id"
            " JOIN campaigns_survey_responses r ON r._store = a._store AND r.id = a.response_id"
            f" WHERE q.nps = 1 AND r.deleted = 0 AND a.value_num IS NOT NULL AND {where}{sf} GROUP BY 1, 2",
            cp + wp + sp)
        for s, span, n, promoters, detractors in rows:
            if span:
                out.setdefault((s, span), {}).update(
                    nps_responses=int(n), promoters=int(promoters or 0), detractors=int(detractors or 0))
    return out
