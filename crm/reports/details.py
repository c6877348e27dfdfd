"""``--details FIGURE``: the records behind a figure, so a manager can check any number."""

from __future__ import annotations

from ..errors import BadInput
from . import completeness, core, periods
from .build import CORE_SECTIONS

APPOINTMENT_FILTERS = {
    "appointments": "status != 'cancelled'",
    "appointments_arrived": "status = 'arrived'",
    "appointment_success_rate": "status != 'cancelled'",
    "no_shows": "status = 'no_show'",
    "no_show_rate": "status != 'cancelled'",
    "appointments_cancelled": "status = 'cancelled'",
}


def find(report: dict, name: str) -> dict:
    wanted = name.strip().lower()
    figs = report["figures"]
    for f in figs:
        if wanted in (f["key"].lower(), str(f["name"]).lower(), str(f["name_zh"]).lower()):
            return f
    hits = [f for f in figs if f["key"].lower().endswith("." + wanted) or wanted in f["key"].lower()]
    if len(hits) == 1:
        return hits[0]
    known = ", ".join(f["key"] for f in figs)
    raise BadInput(f"--details {name!r}: no such figure{' (ambiguous)' if hits else ''}; figures: {known}")


def records(app, report: dict, figure: dict, limit: int | None) -> tuple[list[dict], list[str]]:
    """(rows, columns) behind ``figure`` of ``report``."""
    if figure["source"] == "plugin":
        section = next((s for s in report["sections"] if s["key"] == figure["section"]), None)
        rows = section["rows"] if section else []
        return rows, (section or {}).get("columns") or []
    key = figure["key"]
    p = report["period"]
    lo, hi = core.bounds(p["start"], p["end"])
    staff = report["staff"]
    scope = core.Scope(app, staff)
    now = app.now().strftime("%Y-%m-%dT%H:%M:%S")
    lim = f" LIMIT {int(limit)}" if limit else ""
    st = app.store
    if key in APPOINTMENT_FILTERS:
        rows = st.query(
            f"SELECT id, at, customer_id, staff, type, status, at < ? AS passed FROM appointments"
            f" WHERE at >= ? AND at < ? AND {APPOINTMENT_FILTERS[key]}" + (" AND staff = ?" if staff else "")
            + f" ORDER BY at, id{lim}", (now, lo, hi) + ((staff,) if staff else ()))
        for r in rows:
            r["counts_as"] = _appointment_role(r)
            r["passed"] = bool(r["passed"])
        return rows, ["id", "at", "customer_id", "staff", "type", "status", "passed", "counts_as"]
    if key in ("new_customers", "new_archive_completeness"):
        where = "AND c.created_at >= ? AND c.created_at < ?" + (" AND c.specialist_id = ?" if scope.staff_id else "")
        params = (lo, hi) + ((scope.staff_id,) if scope.staff_id else ())
        rows = completeness.records(app, where, params, limit)
        forgotten = st.query("SELECT id FROM customers c WHERE c.forgotten_at IS NOT NULL " + where, params)
        rows += [{"customer_id": r["id"], "specialist": None, "rate": None, "missing": "(forgotten)"} for r in forgotten]
        return rows, ["customer_id", "specialist", "rate", "missing"]
    if key == "archive_completeness":
        where, params = ("AND c.specialist_id = ?", (scope.staff_id,)) if scope.staff_id else ("", ())
        return completeness.records(app, where, params, limit), ["customer_id", "specialist", "rate", "missing"]
    if key == "visits":
        sql = ("SELECT v.id, v.ro_number, v.date_in, v.date_out, v.type, v.advisor, v.customer_id FROM visits v"
               + (" JOIN customers c ON c.id = v.customer_id AND c.specialist_id = ?" if scope.staff_id else "")
               + f" WHERE v.date_in >= ? AND v.date_in < ? ORDER BY v.date_in, v.id{lim}")
        params = ((scope.staff_id,) if scope.staff_id else ()) + (lo, hi)
        return st.query(sql, params), ["id", "ro_number", "date_in", "date_out", "type", "advisor", "customer_id"]
    if key in ("calls_made", "contacts", "customers_contacted"):
        channel = " AND channel = 'phone'" if key == "calls_made" else ""
        rows = st.query(
            f"SELECT id, at, staff, customer_id, channel, kind, outcome, ref FROM interactions WHERE at >= ? AND at < ?"
            f" AND direction = 'out'{channel}" + (" AND staff = ?" if staff else "") + f" ORDER BY at, id{lim}",
            (lo, hi) + ((staff,) if staff else ()))
        return rows, ["id", "at", "staff", "customer_id", "channel", "kind", "outcome", "ref"]
    raise BadInput(f"--details {key}: no record listing for this figure")


def _appointment_role(r: dict) -> str:
    if r["status"] == "cancelled":
        return "excluded (cancelled)"
    if r["status"] == "arrived":
        return "success"
    if r["status"] == "no_show":
        return "failure (no-show)"
    return "failure (passed, still booked)" if r["passed"] else "not counted yet (upcoming)"


__all__ = ["find", "records", "CORE_SECTIONS", "periods"]
