"""Archive events and contributions: merges, forgetting, the customer page, the agenda, reports."""

from __future__ import annotations

import datetime as dt

from .records import parse_instant


def customers_merged(tx, kept_id: int, merged_id: int) -> None:
    for sql in ("UPDATE portal_leads SET customer_id = ? WHERE customer_id = ?",
                "UPDATE portal_records SET customer_id = ? WHERE customer_id = ?",
                "UPDATE portal_outbox SET customer_id = ? WHERE customer_id = ?",
                "UPDATE portal_conflicts SET entity_id = ? WHERE entity = 'customer' AND entity_id = ?"):
        tx.conn.execute(sql, (kept_id, merged_id))


def customer_forgotten(tx, customer_id: int, erased: dict | None = None) -> None:
    """Erase the names, phones and free text we hold for the person (PIPL).

    Outbox items about them that are not sent yet are cancelled (payload erased): by the
    customer id, by their leads, or by one of their VINs or phones in the payload.
    """
    vins = list((erased or {}).get("vins") or [])
    phones = list((erased or {}).get("phones") or [])
    marks = lambda values: ", ".join("?" * len(values)) or "NULL"  # noqa: E731
    tx.conn.execute(
        "UPDATE portal_outbox SET status = 'cancelled', payload = '{}', last_error = 'customer forgotten'"
        " WHERE status IN ('queued', 'parked') AND (customer_id = ?"
        " OR (kind = 'lead_followup' AND ref IN (SELECT id FROM portal_leads WHERE customer_id = ?))"
        f" OR json_extract(payload, '$.vin') IN ({marks(vins)}) OR json_extract(payload, '$.phone') IN ({marks(phones)}))",
        (customer_id, customer_id, *vins, *phones))
    tx.conn.execute("UPDATE portal_leads SET name = NULL, phone = NULL, comments = NULL, adf = NULL, city = NULL"
                    " WHERE customer_id = ?", (customer_id,))
    tx.conn.execute("UPDATE portal_records SET raw = NULL WHERE customer_id = ?", (customer_id,))
    tx.conn.execute("UPDATE portal_conflicts SET base = NULL, local = NULL, portal = NULL, status = 'resolved',"
                    " resolution = 'forgotten', resolved_at = ? WHERE entity = 'customer' AND entity_id = ?",
                    (tx.now, customer_id))
    tx.conn.execute("UPDATE portal_outbox SET payload = '{}' WHERE customer_id = ? AND status IN ('sent', 'cancelled')",
                    (customer_id,))


def _local(app, value: str | None) -> str | None:
    if not value:
        return None
    try:
        return parse_instant(value).astimezone(app.tz).isoformat(timespec="minutes")
    except ValueError:
        return value


def sections(app, customer: dict) -> list[dict] | None:
    cid = customer["id"]
    leads = app.store.query("SELECT id, source, model_interest, contact_due, first_contact_at, last_outcome"
                            " FROM portal_leads WHERE customer_id = ? ORDER BY created_at DESC LIMIT 5", (cid,))
    conflicts = app.store.query("SELECT id, field, local, portal FROM portal_conflicts WHERE status = 'open'"
                                " AND entity = 'customer' AND entity_id = ? ORDER BY id", (cid,))
    out = []
    if leads:
        for row in leads:
            row["contact_due"] = _local(app, row["contact_due"])
        out.append({"title": "Portal leads", "rows": leads})
    if conflicts:
        out.append({"title": "Portal conflicts (crm sync resolve)", "rows": [app.mask(r) for r in conflicts]})
    return out or None


#: who works the manufacturer's leads and the sync's conflicts (a specialist's own agenda)
LEAD_ROLES = ("appointment", "manager")
CONFLICT_ROLES = ("archive", "manager", "it")


def _role_of(app, staff: str | None) -> str | None:
    if not staff:
        return None
    return app.store.scalar("SELECT role FROM staff WHERE code = ?", (staff,))


def agenda(app, agenda: dict) -> list[dict] | None:
    day: dt.date = agenda["day"]
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=app.tz)
    items = []
    role = _role_of(app, agenda.get("staff"))  # None: the department's view shows everything
    leads = [] if agenda.get("staff") and role not in LEAD_ROLES else app.store.query(
        "SELECT id, name, customer_id, contact_due, source FROM portal_leads"
        " WHERE first_contact_at IS NULL ORDER BY contact_due, id")
    for row in leads:
        try:
            due = parse_instant(row["contact_due"])
        except ValueError:
            continue
        if due >= end:
            continue
        overdue = due < agenda.get("now", app.now())
        items.append({"kind": "portal_lead", "priority": 0 if overdue else 1,
                      "due": due.astimezone(app.tz).isoformat(timespec="minutes"), "customer_id": row["customer_id"],
                      "title": f"{'OVERDUE ' if overdue else ''}first contact with lead {row['name'] or ''} "
                               f"({row['source']})".strip(),
                      "ref": row["id"]})
    waiting = 0 if agenda.get("staff") and role not in CONFLICT_ROLES else (
        app.store.scalar("SELECT count(*) FROM portal_conflicts WHERE status = 'open'") or 0)
    if waiting:
        items.append({"kind": "portal_conflict", "priority": 2, "due": None, "customer_id": None,
                      "title": f"{waiting} portal conflict(s) to resolve (crm sync conflicts)", "ref": None})
    return items or None


def _on_time(app, start: dt.date, end: dt.date) -> tuple[int, int]:
    """Leads created in [start, end] (China dates): how many, how many contacted by contact_due."""
    total = met = 0
    for row in app.store.query("SELECT created_at, contact_due, first_contact_at FROM portal_leads"):
        try:
            created = parse_instant(row["created_at"]).astimezone(app.tz).date()
        except ValueError:
            continue
        if not start <= created <= end:
            continue
        total += 1
        if row["first_contact_at"]:
            try:
                if dt.datetime.fromisoformat(row["first_contact_at"]) <= parse_instant(row["contact_due"]):
                    met += 1
            except ValueError:
                pass
    return total, met


def report(app, report: dict) -> list[dict] | None:
    total, met = _on_time(app, report["start"], report["end"])
    previous = report.get("previous")
    prev_total, prev_met = _on_time(app, *previous) if previous else (0, 0)

    from .group import rate  # the dealer group's report computes it alike

    return [{
        "key": "portal_leads", "title": {"zh_CN": "厂家线索首次联系及时率", "en": "OEM leads: first contact on time"},
        "rows": [{"leads": total, "contacted_on_time": met, "rate_percent": rate(met, total)}] if total else [],
        "columns": ["leads", "contacted_on_time", "rate_percent"], "percent": ["rate_percent"],
        "labels": {"leads": {"zh_CN": "线索数", "en": "leads"},
                   "contacted_on_time": {"zh_CN": "按时联系", "en": "contacted on time"},
                   "rate_percent": {"zh_CN": "及时率", "en": "on-time rate"}},
        "empty": {"zh_CN": "本期厂家未下发线索", "en": "No leads from the OEM in this period"},
        "figures": [{"key": "lead first contact on time",
                     "name": {"zh_CN": "线索首次联系及时率", "en": "lead first contact on time"},
                     "value": rate(met, total), "previous": rate(prev_met, prev_total), "unit": "%",
                     "doc": {"zh_CN": "本期厂家下发的线索中,在规定联系时限(contact_due)前首次联系的比例。",
                             "en": "leads dispatched by the OEM in the period, contacted before contact_due"}}],
    }]
