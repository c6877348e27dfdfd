"""Complaints dispatched by the manufacturer's portal (stream ``complaints``).

Applied idempotently by (portal id, version): an older or equal version changes nothing.
The customer is matched through the archive (phone, then the VIN's owner) or created; the
OEM owns identity, deadlines and ``oem_status``; the dealer owns the handling.
"""

from __future__ import annotations

from crm.errors import BadInput

from . import service, store, vocab
from .machine import DONE_STATES

RAISING = service.OEM_RAISING


def _phone(value) -> str | None:
    from crm.api import normalize_mobile

    try:
        return normalize_mobile(value)
    except BadInput:
        return None


def _match_customer(tx, name, phone, vin) -> tuple[int | None, int | None, bool]:
    """(customer_id, vehicle_id, created)."""
    vehicle = tx.store.query_one("SELECT id, customer_id FROM vehicles WHERE vin = ?", (vin,)) if vin else None
    customer_id = None
    if phone:
        customer_id = tx.store.scalar(
            "SELECT p.customer_id FROM customer_phones p JOIN customers c ON c.id = p.customer_id"
            " WHERE p.phone = ? AND c.forgotten_at IS NULL ORDER BY p.customer_id LIMIT 1", (phone,))
    if customer_id is None and vehicle and vehicle["customer_id"]:
        customer_id = vehicle["customer_id"]
    created = False
    if customer_id is None and (name or phone):
        from crm.api import add_customer

        fields = {"name": name or f"厂家投诉客户{(phone or '')[-4:]}", "source": "oem_complaint"}
        if phone:
            fields["mobile"] = phone
        customer_id = add_customer(tx, fields)["id"]
        created = True
    return customer_id, (vehicle["id"] if vehicle else None), created


def on_record(tx, record: dict) -> str | None:
    pid = record.get("id")
    if pid in (None, ""):
        return None
    pid = str(pid)
    try:
        version = int(record.get("version") or 0)
    except (TypeError, ValueError):
        version = 0
    existing = tx.store.query_one("SELECT * FROM complaints_tickets WHERE portal_id = ?", (pid,))
    if existing and (existing["portal_version"] or 0) >= version:
        return None  # seen already (same or newer version stored)
    if record.get("deleted"):
        if not existing:
            return None
        service.transition(tx, existing["id"], "oem_update",
                           {"version": version, "withdrawn": True, "updates": {"portal_version": version}},
                           note="the manufacturer withdrew this complaint (tombstone)", system=True)
        return f"complaint #{existing['id']}: withdrawn at the portal"
    if existing is None:
        return _create(tx, pid, version, record)
    return _update(tx, existing, version, record)


def _create(tx, pid: str, version: int, record: dict) -> str:
    person = record.get("customer") or {}
    name = (person.get("name") or "").strip() or None
    phone = _phone(person.get("phone"))
    vin = (record.get("vin") or "").strip().upper() or None
    customer_id, vehicle_id, created = _match_customer(tx, name, phone, vin)
    tid = service.open_ticket(tx, {
        "customer_id": customer_id, "vehicle_id": vehicle_id, "vin": vin, "plate": record.get("plate"),
        "complainant": name, "contact_phone": phone,
        "channel": record.get("channel") or "hotline_400", "category": record.get("category"),
        "severity": record.get("severity"), "description": record.get("description"),
        "received_at": record.get("dispatched_at") or record.get("updated_at"),
        "respond_due_oem": record.get("respond_due"), "resolve_due_oem": record.get("resolve_due"),
        "source_ref": pid, "portal_id": pid, "portal_version": version, "oem_status": record.get("oem_status"),
        "note": f"厂家派发投诉 {pid}" + ("; 新建客户档案" if created else ""),
    }, source="portal", system=True)
    return f"complaint #{tid} opened from portal {pid}"


def _update(tx, ticket: dict, version: int, record: dict) -> str:
    changes: dict = {}
    updates: dict = {"portal_version": version}
    app = tx.app
    for key, column in (("respond_due", "respond_due_oem"), ("resolve_due", "resolve_due_oem")):
        if key in record:
            value = service.iso(service.parse_when(record.get(key), app, what=key))
            if value != ticket[column]:
                changes[column] = value
                updates[column] = value
    severity = vocab.code(record.get("severity"), vocab.SEVERITIES, "severity", default=None, strict=False)
    if severity and severity != ticket["severity"]:
        changes["severity"] = updates["severity"] = severity
    bumps = vocab.SEVERITY_PRIORITY[ticket["severity"]] - ticket["priority"]
    status = record.get("oem_status")
    status_change = None
    if status and status != ticket["oem_status"]:
        status_change = {"from": ticket["oem_status"], "to": status}
        updates["oem_status"] = status
        if status in RAISING:
            bumps += 1
    new_priority = max(vocab.SEVERITY_PRIORITY[updates.get("severity", ticket["severity"])] - bumps, 0)
    if new_priority != ticket["priority"]:
        updates["priority"] = new_priority
    # OEM text fields: applied while the dealer has not judged the ticket yet, else kept in the event
    text = {}
    for key in ("description", "category", "plate"):
        if key in record and record[key] and record[key] != ticket[key]:
            text[key] = record[key]
    if ticket["state"] == "registered":
        if "category" in text:
            cat = vocab.code(text["category"], vocab.CATEGORIES, "category", default=None, strict=False)
            if cat:
                updates["category"] = cat
        for key in ("description", "plate"):
            if key in text:
                updates[key] = text[key]
    if not (changes or status_change or text or "priority" in updates):
        store.update_ticket(tx, ticket["id"], {"portal_version": version})
        return f"complaint #{ticket['id']}: portal version {version} (no change)"
    note_parts = []
    if status_change:
        note_parts.append(f"厂家状态 {status_change['from']} → {status_change['to']}")
    if "priority" in updates:
        note_parts.append(f"优先级 P{ticket['priority']} → P{updates['priority']}")
    if changes:
        note_parts.append("厂家更新: " + ", ".join(sorted(changes)))
    service.transition(tx, ticket["id"], "oem_update", {
        "version": version, "set": changes or None, "oem_status": status_change,
        "priority": {"from": ticket["priority"], "to": updates["priority"]} if "priority" in updates else None,
        "oem_text": text or None, "updates": updates,
    }, note="; ".join(note_parts) or "厂家更新", system=True)
    if status == "reopened" and ticket["state"] in DONE_STATES:
        service.transition(tx, ticket["id"], "reopen", {"note": "厂家重开投诉 (oem_status reopened)"}, system=True)
    return f"complaint #{ticket['id']} updated from portal ({', '.join(note_parts) or 'details'})"
