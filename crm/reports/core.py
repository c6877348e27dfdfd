"""The figures the core owns, straight from its tables with indexed date-range queries.

Every query takes ``lo`` (first day) and ``hi`` (the day after the last) as ISO dates and
compares them with the text columns, which all start with the dealer's local date.
"""

from __future__ import annotations

import datetime as dt

from . import completeness

ONE = dt.timedelta(days=1)


def bounds(start: dt.date, end: dt.date) -> tuple[str, str]:
    return start.isoformat(), (end + ONE).isoformat()


def _rate(part, whole):
    return round(100.0 * part / whole, 1) if whole else None


class Scope:
    """Who a figure is computed for: the whole department, or one staff member."""

    def __init__(self, app, staff: str | None):
        self.app = app
        self.staff = staff
        self.staff_id = None
        if staff:
            self.staff_id = app.store.scalar("SELECT id FROM staff WHERE code = ?", (staff,))


# ------------------------------------------------------------------ appointments
def appointment_counts(app, lo: str, hi: str, now: str, staff: str | None = None, group: bool = False) -> dict:
    """{staff or None: {booked_passed, upcoming, arrived, no_show, cancelled}}."""
    sql = ("SELECT {g}, status, at < ? AS passed, count(*) FROM appointments WHERE at >= ? AND at < ?"
           " {w} GROUP BY 1, 2, 3").format(g="staff" if group else "NULL", w="AND staff = ?" if staff else "")
    params = [now, lo, hi] + ([staff] if staff else [])
    out: dict = {}
    for who, status, passed, n in app.store.conn.execute(sql, params):
        c = out.setdefault(who, {"arrived": 0, "no_show": 0, "cancelled": 0, "pending": 0, "upcoming": 0})
        if status == "booked":
            c["pending" if passed else "upcoming"] += n
        else:
            c[status] += n
    return out


def appointment_figures(c: dict | None) -> dict:
    c = c or {"arrived": 0, "no_show": 0, "cancelled": 0, "pending": 0, "upcoming": 0}
    decided = c["arrived"] + c["no_show"] + c["pending"]
    return {
        "appointments": c["arrived"] + c["no_show"] + c["pending"] + c["upcoming"],
        "appointments_arrived": c["arrived"],
        "appointment_success_rate": _rate(c["arrived"], decided),
        "no_shows": c["no_show"],
        "no_show_rate": _rate(c["no_show"], decided),
        "appointments_cancelled": c["cancelled"],
    }


# ------------------------------------------------------------------ customers
def new_customers(app, lo: str, hi: str, staff_id: int | None = None, group: bool = False) -> dict:
    """{specialist_id or None: (count, points of the live ones, live count)}; forgotten archives still count."""
    score, total = completeness.score_sql(app)
    sql = (f"SELECT {'c.specialist_id' if group else 'NULL'}, count(*),"
           f" sum(CASE WHEN c.forgotten_at IS NULL THEN {score} END), sum(c.forgotten_at IS NULL)"
           " FROM customers c WHERE c.created_at >= ? AND c.created_at < ?"
           + (" AND c.specialist_id = ?" if staff_id else "") + " GROUP BY 1")
    params = [lo, hi] + ([staff_id] if staff_id else [])
    return {k: (n, pts or 0, live or 0, total) for k, n, pts, live in app.store.conn.execute(sql, params)}


def new_customer_figures(entry) -> dict:
    if not entry:
        return {"new_customers": 0, "new_archive_completeness": None}
    n, pts, live, total = entry
    return {"new_customers": n, "new_archive_completeness": round(100.0 * pts / (live * total), 1) if live else None}


def archive_completeness(app, staff_id: int | None = None) -> dict:
    """{specialist_id: rate} and the department's rate under key 'all' (a snapshot of today)."""
    groups, total = completeness.by_specialist(app, staff_id)
    out = {sid: round(100.0 * pts / (n * total), 1) for sid, (n, pts) in groups.items() if n}
    n = sum(v[0] for v in groups.values())
    pts = sum(v[1] for v in groups.values())
    out["all"] = round(100.0 * pts / (n * total), 1) if n else None
    out["customers"] = {sid: v[0] for sid, v in groups.items()}
    return out


# ------------------------------------------------------------------ visits
def visits_by_type(app, lo: str, hi: str, staff_id: int | None = None) -> dict:
    if staff_id:
        sql = ("SELECT v.type, count(*) FROM customers c JOIN visits v ON v.customer_id = c.id"
               " AND v.date_in >= ? AND v.date_in < ? WHERE c.specialist_id = ? GROUP BY 1")
        params = (lo, hi, staff_id)
    else:
        sql = "SELECT type, count(*) FROM visits WHERE date_in >= ? AND date_in < ? GROUP BY 1"
        params = (lo, hi)
    return dict(app.store.conn.execute(sql, params).fetchall())


# ------------------------------------------------------------------ interactions
def contact_counts(app, lo: str, hi: str, staff: str | None = None, group: bool = False) -> dict:
    """{staff or None: {"calls", "contacts", "customers", "outcomes": {outcome: n}}} (outgoing only).

    One pass over the covering index ``interactions_at_cover``, counted here: on a month of a
    large archive this is several times faster than SQLite's two GROUP BYs (a sorter each,
    one of them for ``count(DISTINCT customer_id)``). Groups are visited in the order those
    GROUP BYs gave (NULL staff first, then by text), so the outcomes keep their order.
    """
    g = "staff" if group else "NULL"
    w = "AND staff = ?" if staff else ""
    params = [lo, hi] + ([staff] if staff else [])
    counts: dict = {}
    customers: dict = {}
    for who, channel, outcome, cid in app.store.conn.execute(
            f"SELECT {g}, channel, coalesce(outcome, ''), customer_id FROM interactions"
            f" WHERE at >= ? AND at < ? AND direction = 'out' {w}", params):
        key = (who, channel, outcome)
        counts[key] = counts.get(key, 0) + 1
        seen = customers.setdefault(who, set())
        if cid is not None:
            seen.add(cid)
    out: dict = {}
    for (who, channel, outcome), n in sorted(counts.items(), key=lambda kv: _sql_order(kv[0])):
        c = out.setdefault(who, {"calls": 0, "contacts": 0, "customers": 0, "outcomes": {}})
        c["contacts"] += n
        if channel == "phone":
            c["calls"] += n
            c["outcomes"][outcome or "—"] = c["outcomes"].get(outcome or "—", 0) + n
    for who, seen in customers.items():
        out[who]["customers"] = len(seen)
    return out


def _sql_order(values: tuple) -> tuple:
    """Sort key giving SQLite's order of text/NULL values (NULL first, then by code point)."""
    return tuple((v is not None, "" if v is None else str(v)) for v in values)


def contact_figures(c: dict | None) -> dict:
    c = c or {"calls": 0, "contacts": 0, "customers": 0}
    return {"calls_made": c["calls"], "contacts": c["contacts"], "customers_contacted": c["customers"]}


# ------------------------------------------------------------------ all of it
def figures(app, start: dt.date, end: dt.date, scope: Scope, now: str) -> dict:
    """The period figures of ``scope`` (archive completeness is a snapshot; see figures_snapshot)."""
    lo, hi = bounds(start, end)
    appts = appointment_counts(app, lo, hi, now, scope.staff)
    news = new_customers(app, lo, hi, scope.staff_id)
    contacts = contact_counts(app, lo, hi, scope.staff)
    out = {}
    out.update(appointment_figures(appts.get(None)))
    out.update(new_customer_figures(news.get(None)))
    out["visits"] = sum(visits_by_type(app, lo, hi, scope.staff_id).values())
    out.update(contact_figures(contacts.get(None)))
    return out


def daily_series(app, start: dt.date, end: dt.date, scope: Scope, now: str) -> list[dict]:
    """One row a day: appointments due / arrived, calls, new customers, visits."""
    lo, hi = bounds(start, end)
    days = {}
    d = start
    while d <= end:
        days[d.isoformat()] = {"day": d.isoformat(), "appointments": 0, "arrived": 0, "calls": 0,
                               "new_customers": 0, "visits": 0}
        d += ONE
    conn = app.store.conn
    sw = "AND staff = ?" if scope.staff else ""
    sp = [scope.staff] if scope.staff else []
    for day, n, arrived in conn.execute(
            f"SELECT substr(at, 1, 10), sum(status != 'cancelled'), sum(status = 'arrived') FROM appointments"
            f" WHERE at >= ? AND at < ? {sw} GROUP BY 1", [lo, hi] + sp):
        if day in days:
            days[day]["appointments"], days[day]["arrived"] = n, arrived
    for day, n in conn.execute(
            f"SELECT substr(at, 1, 10), count(*) FROM interactions WHERE at >= ? AND at < ? AND direction = 'out'"
            f" AND channel = 'phone' {sw} GROUP BY 1", [lo, hi] + sp):
        if day in days:
            days[day]["calls"] = n
    cw, cp = ("AND specialist_id = ?", [scope.staff_id]) if scope.staff_id else ("", [])
    for day, n in conn.execute(
            f"SELECT substr(created_at, 1, 10), count(*) FROM customers WHERE created_at >= ? AND created_at < ?"
            f" {cw} GROUP BY 1", [lo, hi] + cp):
        if day in days:
            days[day]["new_customers"] = n
    if scope.staff_id:
        q = ("SELECT substr(v.date_in, 1, 10), count(*) FROM customers c JOIN visits v ON v.customer_id = c.id"
             " AND v.date_in >= ? AND v.date_in < ? WHERE c.specialist_id = ? GROUP BY 1")
        params = [lo, hi, scope.staff_id]
    else:
        q = "SELECT substr(date_in, 1, 10), count(*) FROM visits WHERE date_in >= ? AND date_in < ? GROUP BY 1"
        params = [lo, hi]
    for day, n in conn.execute(q, params):
        if day in days:
            days[day]["visits"] = n
    return list(days.values())


def per_specialist(app, start: dt.date, end: dt.date, now: str, staff: str | None = None,
                   comp: dict | None = None) -> list[dict]:
    """One row per active staff member (except IT): the figures each one is assessed on."""
    lo, hi = bounds(start, end)
    people = app.store.query(
        "SELECT id, code, name, role FROM staff WHERE active = 1 AND role NOT IN ('it', 'manager')"
        + (" AND code = ?" if staff else "") + " ORDER BY code", (staff,) if staff else ())
    appts = appointment_counts(app, lo, hi, now, staff, group=True)
    news = new_customers(app, lo, hi, None, group=True)
    contacts = contact_counts(app, lo, hi, staff, group=True)
    comp = comp if comp is not None else archive_completeness(app)
    rows = []
    for p in people:
        a = appointment_figures(appts.get(p["code"]))
        n = new_customer_figures(news.get(p["id"]))
        c = contact_figures(contacts.get(p["code"]))
        rows.append({"staff": p["code"], "name": p["name"], "role": p["role"], "calls": c["calls_made"],
                     "contacts": c["contacts"], "appointments": a["appointments"],
                     "arrived": a["appointments_arrived"], "no_show": a["no_shows"],
                     "success_rate": a["appointment_success_rate"], "new_customers": n["new_customers"],
                     "customers": comp["customers"].get(p["id"], 0), "completeness": comp.get(p["id"])})
    return rows
