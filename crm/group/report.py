"""The group's reports and cross-store views, computed in the warehouse (DuckDB or PostgreSQL).

The figures are the core's (crm/reports/definitions.py) with the store's own definitions:
the SQL below counts exactly what :mod:`crm.reports.core` counts in a store's SQLite file
(the same filters, the same text comparisons of ISO dates), grouped by store, and the
figures are made from those counts by the store's own functions
(``core.appointment_figures``, ``core.new_customer_figures``, ``core.contact_figures``).
tests/group/test_group_end_to_end.py checks, on both engines, that every store's figures
equal its own ``crm report``.

The group total sums the counts (numerators and denominators) of the stores and computes
each rate again from the sums; it is not an average of the stores' rates.
``customers_contacted`` of the group is the sum of the stores' (a person contacted by two
stores counts twice: the archives are the stores').

Each query reads its table once for the three periods a report compares (this month, the
previous one, the same month last year): a CASE names the period of each row.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from ..reports import core, periods
from ..reports.build import CORE_SECTIONS
from ..reports.definitions import FIGURES
from .engine import q
from .common import LOADS
from .figures import FigureSet, GroupFigure, Span, collect, span_case, store_filter, summed

#: complaints_tickets.state values of a finished complaint (crm_complaints.machine.DONE_STATES;
#: the core never imports a plugin)
DONE_STATES = ("closed", "invalid")
KEYS = [k for keys in CORE_SECTIONS.values() for k in keys]
GROUP = "集团合计"
_ZERO_APPTS = {"arrived": 0, "no_show": 0, "cancelled": 0, "pending": 0, "upcoming": 0}


def spans(month: str | None, today: dt.date, zone: str = "Asia/Shanghai") -> tuple[periods.Period, list[Span]]:
    """The report's month (default: this month, to date) and the three spans it compares."""
    from ..errors import BadInput

    try:
        p = periods.parse(month, "monthly", today)
    except BadInput as e:
        raise BadInput(str(e).replace("--period", "--month", 1)) from None
    if p.grain != "month":
        raise BadInput(f"--month {month!r}: give a month, YYYY-MM")
    out = []
    for label, x in (("value", p), ("previous", periods.previous(p)), ("last_year", periods.last_year(p))):
        lo, hi = core.bounds(x.start, x.end)
        out.append(Span(label, lo, hi, x.start, x.end, zone))
    return p, out


class Counts:
    """The counts behind the figures, per (store, span)."""

    def __init__(self):
        self.appts: dict = {}
        self.news: dict = {}
        self.visits: dict = {}
        self.contacts: dict = {}
        self.snapshot: dict = {}

    def figures(self, store, span: str, total: int) -> dict:
        k = (store, span)
        out = core.appointment_figures(self.appts.get(k))
        n = self.news.get(k)
        out.update(core.new_customer_figures((n[0], n[1], n[2], total) if n else None))
        n, pts = self.snapshot.get(store, (0, 0)) if span == "value" else (0, 0)
        out["archive_completeness"] = round(100.0 * pts / (n * total), 1) if n else None
        out["visits"] = self.visits.get(k, 0)
        out.update(core.contact_figures(self.contacts.get(k)))
        return out

    def summed(self, stores: list[str]) -> "Counts":
        """The group: every count summed over ``stores`` (under the store key None)."""
        g = Counts()
        for attr in ("appts", "news", "visits", "contacts"):
            src, dst = getattr(self, attr), getattr(g, attr)
            for (store, span), v in src.items():
                if store not in stores:
                    continue
                key = (None, span)
                if isinstance(v, dict):
                    d = dst.setdefault(key, {})
                    for name, x in v.items():
                        d[name] = d.get(name, 0) + x
                elif isinstance(v, tuple):
                    old = dst.get(key, (0,) * len(v))
                    dst[key] = tuple(a + b for a, b in zip(old, v))
                else:
                    dst[key] = dst.get(key, 0) + v
        n = sum(self.snapshot.get(s, (0, 0))[0] for s in stores)
        pts = sum(self.snapshot.get(s, (0, 0))[1] for s in stores)
        g.snapshot[None] = (n, pts)
        return g


def _has(fact: str, cols: dict, alias: str = "c") -> str:
    """SQL: the archive holds ``fact`` (crm.archive.completeness.has, on the exported columns)."""
    if fact == "specialist":
        return f"{alias}.specialist_id IS NOT NULL" if "specialist_id" in cols else "1 = 0"
    if fact in ("vehicle", "plate"):
        return f"coalesce(vf.has_{fact}, 0) = 1"
    if fact not in cols and f"{fact}_hash" not in cols and f"has_{fact}" in cols:
        return f"CAST({alias}.{q('has_' + fact)} AS INTEGER) = 1"  # a presence flag: the value stayed home
    col = fact if fact in cols else f"{fact}_hash" if f"{fact}_hash" in cols else None
    if col is None:
        return "1 = 0"
    return f"({alias}.{q(col)} IS NOT NULL AND CAST({alias}.{q(col)} AS VARCHAR) <> '')"


def _vehicle_facts(wh) -> str:
    if "vehicles" not in wh.tables():
        return ("SELECT CAST(NULL AS VARCHAR) AS _store, CAST(NULL AS BIGINT) AS customer_id,"
                " 0 AS has_vehicle, 0 AS has_plate WHERE 1 = 0")
    cols = wh.columns("vehicles")
    plate = "plate" if "plate" in cols else "plate_hash" if "plate_hash" in cols else None
    has_plate = (f"max(CASE WHEN {q(plate)} IS NOT NULL AND CAST({q(plate)} AS VARCHAR) <> '' THEN 1 ELSE 0 END)"
                 if plate else "0")
    return (f"SELECT _store, customer_id, 1 AS has_vehicle, {has_plate} AS has_plate FROM vehicles"
            " WHERE customer_id IS NOT NULL GROUP BY _store, customer_id")


def counts(wh, weights: dict[str, int], spans_: list[Span], now: str, store: str | None = None) -> Counts:
    """Every count of the report, a query a table (each reads its table once)."""
    out = Counts()
    tables = wh.tables()
    if "appointments" in tables:
        case, cp, where, wp = span_case('"at"', spans_)
        sf, sp = store_filter(store)
        for st, span, status, passed, n in wh.execute(
                f"SELECT _store, {case}, status, CASE WHEN \"at\" < ? THEN 1 ELSE 0 END, count(*) FROM appointments"
                f" WHERE {where}{sf} GROUP BY 1, 2, 3, 4", cp + [now] + wp + sp):
            if span is None:
                continue
            c = out.appts.setdefault((st, span), dict(_ZERO_APPTS))
            if status == "booked":
                c["pending" if passed else "upcoming"] += n
            elif status in c:
                c[status] += n
    if "customers" in tables:
        # one pass for the new archives of each span AND today's snapshot of the live ones
        cols = wh.columns("customers")
        score = " + ".join(f"(CASE WHEN {_has(f, cols)} THEN {p} ELSE 0 END)" for f, p in weights.items()) or "0"
        live = "c.forgotten_at IS NULL" if "forgotten_at" in cols else "1 = 1"
        case, cp, _, _ = span_case("c.created_at", spans_)
        sf, sp = store_filter(store, "c.")
        for st, span, n, pts, alive in wh.execute(
                f"WITH vf AS ({_vehicle_facts(wh)}) SELECT c._store, {case}, count(*),"
                f" sum(CASE WHEN {live} THEN {score} ELSE 0 END), sum(CASE WHEN {live} THEN 1 ELSE 0 END)"
                f" FROM customers c LEFT JOIN vf ON vf._store = c._store AND vf.customer_id = c.id"
                f" WHERE 1 = 1{sf} GROUP BY 1, 2", cp + sp):
            n, pts, alive = int(n), int(pts or 0), int(alive or 0)
            if span is not None:
                out.news[(st, span)] = (n, pts, alive)
            had = out.snapshot.get(st, (0, 0))
            out.snapshot[st] = (had[0] + alive, had[1] + pts)
    if "visits" in tables:
        case, cp, where, wp = span_case("date_in", spans_)
        sf, sp = store_filter(store)
        for st, span, n in wh.execute(f"SELECT _store, {case}, count(*) FROM visits WHERE {where}{sf} GROUP BY 1, 2",
                                      cp + wp + sp):
            if span is not None:
                out.visits[(st, span)] = int(n)
    if "interactions" in tables:
        case, cp, where, wp = span_case('"at"', spans_)
        sf, sp = store_filter(store)
        for st, span, contacts, calls, people in wh.execute(
                f"SELECT _store, {case}, count(*), sum(CASE WHEN channel = 'phone' THEN 1 ELSE 0 END),"
                f" count(DISTINCT customer_id) FROM interactions WHERE {where} AND direction = 'out'{sf}"
                " GROUP BY 1, 2", cp + wp + sp):
            if span is not None:
                out.contacts[(st, span)] = {"contacts": int(contacts), "calls": int(calls or 0),
                                            "customers": int(people)}
    return out


def stores(wh) -> list[str]:
    if LOADS not in wh.tables():
        return []
    return [r[0] for r in wh.execute(f"SELECT DISTINCT store FROM {LOADS} ORDER BY store")]


@dataclasses.dataclass
class GroupFigures:
    period: periods.Period
    stores: list[str]
    #: {store or None (the group): {"value"|"previous"|"last_year": {figure key: value}}}
    figures: dict
    #: every figure of the report, in the store report's order: the core's, then the plugins'
    meta: dict[str, GroupFigure] = dataclasses.field(default_factory=dict)

    @property
    def keys(self) -> list[str]:
        return list(self.meta)


def core_meta() -> dict[str, GroupFigure]:
    return {k: GroupFigure(k, FIGURES[k].zh, FIGURES[k].unit, FIGURES[k].better) for k in KEYS}


def figure_meta(sets: list[FigureSet]) -> dict[str, GroupFigure]:
    """The core's figures, then each plugin's (a key the core or an earlier plugin has is skipped)."""
    meta = core_meta()
    for fs in sets:
        for f in fs.figures:
            meta.setdefault(f.key, f)
    return meta


def plugin_figures(wh, sets: list[FigureSet], spans_: list[Span], now: str, store: str | None,
                   chosen: list[str], figs: dict) -> None:
    """Add each plugin's figures to ``figs`` (per store, and the group's from the summed counts)."""
    for fs in sets:
        counts = fs.count(wh, spans_, now, store)
        for s in chosen:
            for sp in spans_:
                figs[s][sp.label].update(fs.compute(counts.get((s, sp.label))))
        if None in figs:
            total = summed(counts, chosen)
            for sp in spans_:
                figs[None][sp.label].update(fs.compute(total.get(sp.label)))


def compute(wh, app, month: str | None, store: str | None = None) -> GroupFigures:
    from ..archive.completeness import weights
    from ..errors import BadInput

    wh = wh.cached()  # the catalogue is read once per report, not once per query

    period, spans_ = spans(month, app.today(), getattr(app.tz, "key", None) or "Asia/Shanghai")
    known = stores(wh)
    if store and store not in known:
        raise BadInput(f"--store {store}: not in the warehouse (it holds {', '.join(known) or 'no store yet'})")
    chosen = [store] if store else known
    w = weights(app)
    total = sum(w.values())
    now = app.now().strftime("%Y-%m-%dT%H:%M:%S")
    c = counts(wh, w, spans_, now, store)
    figs = {s: {sp.label: c.figures(s, sp.label, total) for sp in spans_} for s in chosen}
    if not store:
        g = c.summed(chosen)
        figs[None] = {sp.label: g.figures(None, sp.label, total) for sp in spans_}
    sets = collect(app)
    plugin_figures(wh, sets, spans_, now, store, chosen, figs)
    return GroupFigures(period, chosen, figs, figure_meta(sets))


def kpi_rows(gf: GroupFigures) -> list[dict]:
    """One row a store (and the group's): every core figure of the month."""
    rows = []
    for s, f in gf.figures.items():
        rows.append({"store": s, "scope": "store" if s is not None else "group",
                     "month": gf.period.label, **{k: f["value"].get(k) for k in gf.keys}})
    return rows


def unit_zh(unit: str) -> str:
    """A unit for the Chinese table: hours as 小时, Chinese units as they are; a rate shows its % in
    the value, and an English word (a plugin's ``events``) says nothing a Chinese reader needs."""
    if unit == "h":
        return "小时"
    return unit if any("\u4e00" <= ch <= "\u9fff" for ch in unit) else ""


def kpi_table(gf: GroupFigures) -> tuple[list[dict], list[str]]:
    """The KPI table for a terminal: a figure a row (指标, 单位), a store a column, the group last."""
    names = [s if s is not None else GROUP for s in gf.figures]
    rows = []
    for k, fig in gf.meta.items():
        row = {"指标": fig.zh, "单位": unit_zh(fig.unit)}
        for s, name in zip(gf.figures, names):
            row[name] = shown(gf.figures[s]["value"].get(k), fig)
        rows.append(row)
    return rows, ["指标", "单位", *names]


def shown(value, fig: GroupFigure):
    """A figure's value for a table, as the store's scorecard shows it: a rate as ``40.0%``, none as —."""
    return "—" if value is None else f"{value:.1f}%" if fig.unit == "%" else value


def monthly_rows(gf: GroupFigures) -> list[dict]:
    """One row a (store, figure): this month, the previous one, the same month last year."""
    rows = []
    for s, f in gf.figures.items():
        for k, fig in gf.meta.items():
            rows.append({"store": s, "scope": "store" if s is not None else "group",
                         "month": gf.period.label, "key": k, "figure": fig.zh, "unit": fig.unit,
                         "value": f["value"].get(k), "previous": f["previous"].get(k),
                         "last_year": f["last_year"].get(k)})
    return rows


def rank_rows(gf: GroupFigures, key: str) -> list[dict]:
    """The stores ordered best first by ``key`` (a figure without a value last)."""
    fig = gf.meta[key]
    better = fig.better
    vals = [(s, f["value"].get(key)) for s, f in gf.figures.items() if s is not None]
    sign = 1 if better == "down" else -1
    vals.sort(key=lambda sv: (sv[1] is None, sign * (sv[1] or 0), sv[0]))
    out, last, place = [], object(), 0
    for i, (s, v) in enumerate(vals, 1):
        if v != last:
            place, last = i, v
        out.append({"rank": place if v is not None else None, "store": s, "key": key, "figure": fig.zh,
                    "value": v, "unit": fig.unit, "month": gf.period.label})
    return out


# ------------------------------------------------------------------ one person across stores
def person(wh, phone_hash: str) -> list[dict]:
    """Every store's archive of the person whose mobile hashes to ``phone_hash``: visits, open complaints."""
    tables = wh.tables()
    if "customer_phones" not in tables:
        return []
    pcols = wh.columns("customer_phones")
    col = "phone_hash" if "phone_hash" in pcols else "phone"
    found = wh.execute(f"SELECT DISTINCT _store, customer_id FROM customer_phones WHERE {q(col)} = ?"
                       " ORDER BY 1, 2", (phone_hash,))
    rows = []
    for st, cid in found:
        cust = wh.query("SELECT * FROM customers WHERE _store = ? AND id = ?", (st, cid)) if "customers" in tables else []
        c = cust[0] if cust else {}
        visits = wh.query("SELECT date_in, type, customer_id FROM visits WHERE _store = ? AND customer_id = ?"
                          " ORDER BY date_in DESC", (st, cid)) if "visits" in tables else []
        complaints = []
        if "complaints_tickets" in tables:
            marks = ", ".join("?" for _ in DONE_STATES)
            complaints = wh.query(
                f"SELECT id, category, severity, state, created_at FROM complaints_tickets"
                f" WHERE _store = ? AND customer_id = ? AND state NOT IN ({marks}) ORDER BY id",
                (st, cid, *DONE_STATES)) if {"category", "severity", "created_at"} <= set(
                    wh.columns("complaints_tickets")) else wh.query(
                f"SELECT id, state FROM complaints_tickets WHERE _store = ? AND customer_id = ?"
                f" AND state NOT IN ({marks}) ORDER BY id", (st, cid, *DONE_STATES))
        rows.append({"store": st, "customer_id": cid, "city": c.get("city"), "created_at": c.get("created_at"),
                     "visits": len(visits), "last_visit": visits[0]["date_in"] if visits else None,
                     "open_complaints": len(complaints),
                     "visit_list": [{"date_in": v["date_in"], "type": v["type"]} for v in visits],
                     "complaint_list": complaints})
    return rows
