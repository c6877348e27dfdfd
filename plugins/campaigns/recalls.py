"""Recalls and service campaigns from the manufacturer's portal (the ``campaigns`` stream).

Records arrive through ``on_portal_record``; each is stored once per ``(id, version)`` and
an older version never overwrites a newer one.  VINs are matched to their current owner
(core ``vehicles``) and each owner gets one outreach call task (``schedule_callback``).
A VIN is complete when a visit of that vehicle of a counting type (config
``recall_visit_types``, default warranty/repair/maintenance) closes within the campaign's
window; the completion is queued back to the portal with ``send_to_portal``.
"""

from __future__ import annotations

from crm.api import log_interaction
from crm.errors import BadInput, NotFound

from .common import parse_date, settings

OUTREACH_KINDS = ("recall", "service_campaign")
OUTCOMES = ("reached", "booked", "refused", "no_answer", "wrong_number")
REACHED = ("reached", "booked", "refused")


def _ref(campaign_id: str, vin: str, customer_id: int) -> str:
    return f"oem-campaign:{campaign_id}:{vin}:c{customer_id}"


def _date_text(value) -> str | None:
    if not value:
        return None
    try:
        return parse_date(value, "date").isoformat()
    except BadInput:
        return None


def on_campaign_record(tx, record: dict) -> str | None:
    if not isinstance(record, dict) or record.get("id") in (None, ""):
        return None
    cid = str(record["id"])
    try:
        version = int(record.get("version") or 0)
    except (TypeError, ValueError):
        version = 0
    stored = tx.store.query_one("SELECT * FROM campaigns_oem WHERE id = ?", (cid,))
    if stored is not None and stored["version"] >= version:
        return f"campaign {cid}: version {version} is not newer than {stored['version']}; ignored"
    if record.get("deleted"):
        if stored is None:
            tx.conn.execute("INSERT INTO campaigns_oem (id, version, kind, deleted, remote_updated_at, received_at,"
                            " updated_at) VALUES (?, ?, 'unknown', 1, ?, ?, ?)",
                            (cid, version, record.get("updated_at"), tx.now, tx.now))
        else:
            tx.conn.execute("UPDATE campaigns_oem SET version = ?, deleted = 1, remote_updated_at = ?, updated_at = ?"
                            " WHERE id = ?", (version, record.get("updated_at"), tx.now, cid))
            tx.conn.execute("UPDATE campaigns_oem_vins SET status = 'withdrawn', updated_at = ? WHERE campaign_id = ?"
                            " AND status IN ('open','unmatched')", (tx.now, cid))
        tx.audit("withdraw", "campaigns_oem", [cid])
        return f"campaign {cid}: withdrawn by the manufacturer"
    kind = str(record.get("kind") or "unknown")
    values = (version, kind, record.get("title"), record.get("description"), _date_text(record.get("starts_on")),
              _date_text(record.get("ends_on")), record.get("updated_at"), tx.now)
    if stored is None:
        tx.conn.execute("INSERT INTO campaigns_oem (version, kind, title, description, starts_on, ends_on,"
                        " remote_updated_at, updated_at, id, received_at, deleted)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)", (*values, cid, tx.now))
    else:
        tx.conn.execute("UPDATE campaigns_oem SET version = ?, kind = ?, title = ?, description = ?, starts_on = ?,"
                        " ends_on = ?, remote_updated_at = ?, updated_at = ?, deleted = 0 WHERE id = ?",
                        (*values, cid))
    tx.audit("receive", "campaigns_oem", [cid], detail={"version": version, "kind": kind})
    if kind in OUTREACH_KINDS:
        counts = _sync_vins(tx, cid, record.get("vins") or [])
        return (f"campaign {cid} v{version}: {counts['vins']} VINs, {counts['matched']} matched,"
                f" {counts['tasks']} outreach tasks")
    if kind == "marketing_event":
        return _sync_event(tx, cid, record)
    return f"campaign {cid} v{version}: stored ({kind})"


def _campaign(store, cid: str) -> dict:
    row = store.query_one("SELECT * FROM campaigns_oem WHERE id = ?", (cid,))
    if row is None:
        raise NotFound(f"no manufacturer campaign {cid!r}; see 'crm campaigns recall list'")
    return row


def _sync_vins(tx, cid: str, vins: list) -> dict:
    wanted = []
    for vin in vins:
        text = "".join(str(vin or "").split()).upper()
        if text and text not in wanted:
            wanted.append(text)
    known = {r["vin"]: r for r in tx.store.query("SELECT * FROM campaigns_oem_vins WHERE campaign_id = ?", (cid,))}
    for vin, row in known.items():
        if vin not in wanted and row["status"] in ("open", "unmatched"):
            tx.conn.execute("UPDATE campaigns_oem_vins SET status = 'withdrawn', updated_at = ? WHERE id = ?",
                            (tx.now, row["id"]))
    counts = {"vins": len(wanted), "matched": 0, "tasks": 0}
    for vin in wanted:
        row = known.get(vin)
        if row is None:
            tx.conn.execute("INSERT INTO campaigns_oem_vins (campaign_id, vin, status, updated_at)"
                            " VALUES (?, ?, 'unmatched', ?)", (cid, vin, tx.now))
        elif row["status"] == "withdrawn":
            tx.conn.execute("UPDATE campaigns_oem_vins SET status = 'unmatched', updated_at = ? WHERE id = ?",
                            (tx.now, row["id"]))
        vehicle = tx.store.query_one("SELECT * FROM vehicles WHERE vin = ?", (vin,))
        if vehicle is not None:
            counts["matched"] += 1
            counts["tasks"] += _match(tx, cid, vin, vehicle, vehicle["customer_id"])
    return counts


def _match(tx, cid: str, vin: str, vehicle: dict, owner_id: int | None) -> int:
    """Point the campaign VIN at its vehicle and owner; one outreach task per owner."""
    row = tx.store.query_one("SELECT * FROM campaigns_oem_vins WHERE campaign_id = ? AND vin = ?", (cid, vin))
    if row is None or row["status"] in ("completed", "withdrawn"):
        return 0
    new_owner = owner_id is not None and owner_id != row["customer_id"]
    tx.conn.execute("UPDATE campaigns_oem_vins SET vehicle_id = ?, customer_id = ?, status = ?, updated_at = ?"
                    " WHERE id = ?", (vehicle["id"], owner_id, "open" if owner_id else "unmatched", tx.now, row["id"]))
    if owner_id is None or (row["outreach_at"] and not new_owner):
        return 0
    return _outreach(tx, cid, vin, owner_id)


def _outreach(tx, cid: str, vin: str, customer_id: int) -> int:
    from crm.api import contact_facts

    from .common import contact_policy

    campaign = _campaign(tx.store, cid)
    # A safety recall is a legal duty to inform the owner: do-not-contact holds for
    # marketing, not for recalls (purpose "safety").  Service campaigns respect it.
    purpose = "safety" if campaign["kind"] == "recall" else "service"
    facts = contact_facts(tx.conn, [customer_id]).get(customer_id)
    if not contact_policy(tx.app).decide(facts, "phone", purpose, tx.app.today()):
        return 0
    due = tx.app.calendar.add_workdays(tx.app.today(), int(settings(tx.app)["recall_due_workdays"]))
    ref = _ref(cid, vin, customer_id)
    task = tx.ask("schedule_callback", request={
        "customer_id": customer_id, "reason": campaign["kind"], "due_on": due.isoformat(),
        "rule": "campaigns.recall", "ref": ref, "purpose": purpose,
        "note": f"{campaign['title'] or cid} VIN {vin}" + (f" (截止 {campaign['ends_on']})" if campaign["ends_on"] else "")})
    tx.conn.execute("UPDATE campaigns_oem_vins SET outreach_ref = ?, outreach_at = ?, updated_at = ?"
                    " WHERE campaign_id = ? AND vin = ?",
                    (None if task is None else str(task), tx.now, tx.now, cid, vin))
    return 1 if task is not None else 0


def _sync_event(tx, cid: str, record: dict) -> str:
    """A manufacturer's marketing event becomes a local event the department can invite to."""
    starts = _date_text(record.get("starts_on")) or tx.app.today().isoformat()
    ends = _date_text(record.get("ends_on")) or starts
    title = record.get("title") or f"厂家活动 {cid}"
    existing = tx.store.query_one("SELECT id FROM campaigns_events WHERE oem_ref = ?", (cid,))
    if existing:
        tx.conn.execute("UPDATE campaigns_events SET title = ?, starts_at = ?, ends_at = ?, description = ?,"
                        " updated_at = ? WHERE id = ?",
                        (title, f"{starts}T09:00+08:00", f"{ends}T18:00+08:00", record.get("description"), tx.now,
                         existing["id"]))
        return f"campaign {cid}: event {existing['id']} updated"
    from .events import create_event

    event = create_event(tx, title=title, start=f"{starts} 09:00", end=f"{ends} 18:00",
                         place=record.get("place") or "待定", capacity=None, kind="oem_marketing",
                         description=record.get("description"), oem_ref=cid)
    return f"campaign {cid}: event {event['id']} created"


def match_vehicle(tx, vehicle: dict, new_owner_id: int | None = None) -> None:
    """A vehicle arrived in (or changed owner in) the archive: match waiting campaign VINs."""
    vin = vehicle.get("vin")
    if not vin:
        return
    rows = tx.store.query("SELECT v.campaign_id FROM campaigns_oem_vins v JOIN campaigns_oem o ON o.id = v.campaign_id"
                          " WHERE v.vin = ? AND v.status IN ('open','unmatched') AND o.deleted = 0", (vin,))
    stored = tx.store.query_one("SELECT * FROM vehicles WHERE vin = ?", (vin,)) or vehicle
    owner = new_owner_id if new_owner_id is not None else stored.get("customer_id")
    for row in rows:
        _match(tx, row["campaign_id"], vin, stored, owner)


def visit_closed(tx, visit: dict) -> None:
    types = settings(tx.app)["recall_visit_types"]
    if visit.get("type") not in types or not visit.get("date_out"):
        return
    vin = visit.get("vin") or tx.store.scalar("SELECT vin FROM vehicles WHERE id = ?", (visit.get("vehicle_id"),))
    if not vin:
        return
    done_on = str(visit["date_out"])[:10]
    rows = tx.store.query(
        "SELECT v.*, o.starts_on, o.ends_on, o.title FROM campaigns_oem_vins v JOIN campaigns_oem o"
        " ON o.id = v.campaign_id WHERE v.vin = ? AND v.status IN ('open','unmatched') AND o.deleted = 0"
        " AND o.kind IN ('recall','service_campaign')", (vin,))
    for row in rows:
        if (row["starts_on"] and done_on < row["starts_on"]) or (row["ends_on"] and done_on > row["ends_on"]):
            continue
        queued = tx.ask("send_to_portal", item={"kind": "campaign_completion", "ref": row["campaign_id"],
                                                "payload": {"vin": vin, "completed_on": done_on}})
        tx.conn.execute("UPDATE campaigns_oem_vins SET status = 'completed', completed_on = ?, completed_ro = ?,"
                        " portal_ref = ?, customer_id = coalesce(customer_id, ?), updated_at = ? WHERE id = ?",
                        (done_on, visit.get("ro_number"), None if queued is None else str(queued),
                         visit.get("customer_id"), tx.now, row["id"]))
        owner = visit.get("customer_id") or row["customer_id"]
        if owner is not None:
            log_interaction(tx, {"customer_id": owner, "channel": "visit", "direction": "in",
                                 "kind": "recall_completed", "outcome": "completed",
                                 "summary": f"{row['title'] or row['campaign_id']}: 已完成 ({vin})",
                                 "ref": f"oem-campaign:{row['campaign_id']}:{vin}"}, audit=False)
        tx.audit("complete", "campaigns_oem_vin", [row["id"]],
                 detail={"campaign": row["campaign_id"], "queued": queued is not None})


def record_contact(tx, cid: str, vin: str, outcome: str, note: str | None = None) -> dict:
    if outcome not in OUTCOMES:
        raise BadInput(f"outcome {outcome!r} is not one of {', '.join(OUTCOMES)}")
    _campaign(tx.store, cid)
    row = tx.store.query_one("SELECT * FROM campaigns_oem_vins WHERE campaign_id = ? AND vin = ?",
                             (cid, vin.strip().upper()))
    if row is None:
        raise NotFound(f"VIN {vin} is not in campaign {cid}")
    if row["customer_id"] is None:
        raise BadInput(f"VIN {vin} has no known owner in the archive yet")
    tx.conn.execute("UPDATE campaigns_oem_vins SET contact_outcome = ?, contacted_at = ?, updated_at = ? WHERE id = ?",
                    (outcome, tx.now, tx.now, row["id"]))
    log_interaction(tx, {"customer_id": row["customer_id"], "channel": "phone", "kind": "recall_outreach",
                         "summary": f"召回/服务活动 {cid} 通知" + (f": {note}" if note else ""), "outcome": outcome,
                         "ref": _ref(cid, row["vin"], row["customer_id"])}, audit=False)
    tx.audit("contact", "campaigns_oem_vin", [row["id"]], detail={"outcome": outcome})
    return row


REACHED_SQL = (
    "(v.status = 'completed' OR coalesce(v.contact_outcome, '') IN ('reached','booked','refused') OR EXISTS ("
    " SELECT 1 FROM interactions i WHERE i.customer_id = v.customer_id AND i.direction = 'out'"
    " AND substr(i.ref, 1, length('oem-campaign:' || v.campaign_id || ':' || v.vin)) ="
    " 'oem-campaign:' || v.campaign_id || ':' || v.vin"
    " AND coalesce(i.outcome, '') IN ('reached','booked','refused','completed','satisfied','answered')))"
)


def report(store, cid: str | None = None) -> list[dict]:
    sql = (
        "SELECT o.id, o.kind, o.title, o.starts_on, o.ends_on, o.version, o.deleted,"
        " count(v.id) AS vins,"
        " sum(v.status != 'withdrawn') AS active,"
        " sum(v.customer_id IS NOT NULL AND v.status != 'withdrawn') AS matched,"
        " sum(v.status = 'unmatched') AS unmatched,"
        " sum(v.status = 'completed') AS completed,"
        " sum(v.status = 'withdrawn') AS withdrawn,"
        f" sum(v.status = 'open' AND v.customer_id IS NOT NULL AND NOT {REACHED_SQL}) AS not_reached"
        " FROM campaigns_oem o LEFT JOIN campaigns_oem_vins v ON v.campaign_id = o.id"
        " WHERE o.kind IN ('recall','service_campaign')"
    )
    params: tuple = ()
    if cid is not None:
        _campaign(store, cid)
        sql += " AND o.id = ?"
        params = (cid,)
    rows = store.query(sql + " GROUP BY o.id ORDER BY o.starts_on, o.id", params)
    for row in rows:
        for key in ("active", "matched", "unmatched", "completed", "withdrawn", "not_reached"):
            row[key] = row[key] or 0
        row["completion_rate"] = round(row["completed"] / row["active"], 3) if row["active"] else None
        row["deleted"] = bool(row["deleted"])
    return rows


def not_reached(store, cid: str) -> list[dict]:
    _campaign(store, cid)
    return store.query(
        "SELECT v.vin, v.customer_id, c.name, c.mobile, v.outreach_at, v.outreach_ref, v.contact_outcome,"
        " v.contacted_at FROM campaigns_oem_vins v LEFT JOIN customers c ON c.id = v.customer_id"
        f" WHERE v.campaign_id = ? AND v.status = 'open' AND v.customer_id IS NOT NULL AND NOT {REACHED_SQL}"
        " ORDER BY v.vin", (cid,))


def vins(store, cid: str, status: str | None = None) -> list[dict]:
    _campaign(store, cid)
    sql = ("SELECT v.vin, v.status, v.customer_id, c.name, c.mobile, ve.plate, ve.model, v.outreach_at,"
           " v.contact_outcome, v.completed_on, v.completed_ro, v.portal_ref FROM campaigns_oem_vins v"
           " LEFT JOIN customers c ON c.id = v.customer_id LEFT JOIN vehicles ve ON ve.id = v.vehicle_id"
           " WHERE v.campaign_id = ?")
    params: list = [cid]
    if status:
        sql += " AND v.status = ?"
        params.append(status)
    return store.query(sql + " ORDER BY v.vin", tuple(params))


def retry_outreach(tx) -> int:
    """Schedule outreach for matched open VINs that never got a task (e.g. callbacks was off)."""
    rows = tx.store.query("SELECT v.campaign_id, v.vin, v.customer_id FROM campaigns_oem_vins v JOIN campaigns_oem o"
                          " ON o.id = v.campaign_id WHERE v.status = 'open' AND v.customer_id IS NOT NULL"
                          " AND v.outreach_ref IS NULL AND o.deleted = 0")
    return sum(_outreach(tx, r["campaign_id"], r["vin"], r["customer_id"]) for r in rows)
