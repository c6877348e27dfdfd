"""SQL for tickets and their events (no rules here)."""

from __future__ import annotations

import json

from crm.errors import BadInput, NotFound

TICKET_FIELDS = (
    "customer_id", "vehicle_id", "vin", "plate", "complainant", "contact_phone", "channel", "source",
    "source_ref", "portal_id", "portal_version", "oem_status", "category", "final_category", "severity",
    "priority", "description", "state", "responsible_dept", "responsible_person", "handler",
    "promised_at", "respond_due_oem", "resolve_due_oem", "paused_reason", "paused_since", "confirmed_at",
    "escalation_level", "repeat_of", "received_at", "closed_at", "created_at", "updated_at",
)


def ticket_id_of(value) -> int:
    text = str(value).strip().lstrip("#")
    try:
        return int(text)
    except ValueError:
        raise BadInput(f"complaint id {value!r} is not a number (see 'crm complaints list')") from None


def get_ticket(store, ticket_id) -> dict:
    key = ticket_id_of(ticket_id)
    row = store.query_one("SELECT * FROM complaints_tickets WHERE id = ?", (key,))
    if row is None:
        raise NotFound(f"no complaint with id {key}")
    return row


def events_of(store, ticket_id: int) -> list[dict]:
    rows = store.query("SELECT * FROM complaints_events WHERE ticket_id = ? ORDER BY seq", (ticket_id,))
    for row in rows:
        row["data"] = json.loads(row["data"]) if row["data"] else {}
    return rows


def events_of_many(store, ids: list[int]) -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = {i: [] for i in ids}
    if not ids:
        return out
    for chunk in range(0, len(ids), 500):
        part = ids[chunk:chunk + 500]
        rows = store.query(
            f"SELECT * FROM complaints_events WHERE ticket_id IN ({','.join('?' * len(part))})"
            " ORDER BY ticket_id, seq", tuple(part))
        for row in rows:
            row["data"] = json.loads(row["data"]) if row["data"] else {}
            out[row["ticket_id"]].append(row)
    return out


def insert_ticket(tx, fields: dict) -> int:
    unknown = set(fields) - set(TICKET_FIELDS)
    if unknown:
        raise ValueError(f"unknown ticket fields {sorted(unknown)}")
    cols = ", ".join(fields)
    cursor = tx.conn.execute(
        f"INSERT INTO complaints_tickets ({cols}) VALUES ({', '.join('?' * len(fields))})",
        tuple(fields.values()))
    return cursor.lastrowid


def update_ticket(tx, ticket_id: int, fields: dict) -> None:
    if not fields:
        return
    unknown = set(fields) - set(TICKET_FIELDS)
    if unknown:
        raise ValueError(f"unknown ticket fields {sorted(unknown)}")
    sets = ", ".join(f"{k} = ?" for k in fields)
    tx.conn.execute(f"UPDATE complaints_tickets SET {sets} WHERE id = ?", (*fields.values(), ticket_id))


def add_event(tx, ticket_id: int, *, action: str, from_state, to_state: str, at: str, note=None,
              data=None, actor=None, role=None) -> dict:
    seq = (tx.conn.execute("SELECT COALESCE(MAX(seq), 0) FROM complaints_events WHERE ticket_id = ?",
                           (ticket_id,)).fetchone()[0]) + 1
    data = {k: v for k, v in (data or {}).items() if v is not None}
    row = {
        "ticket_id": ticket_id, "seq": seq, "action": action, "from_state": from_state, "to_state": to_state,
        "actor": actor or tx.actor.code, "role": role if role is not None else tx.actor.role, "at": at,
        "recorded_at": tx.now, "note": note, "data": json.dumps(data, ensure_ascii=False, default=str) if data else None,
    }
    cursor = tx.conn.execute(
        f"INSERT INTO complaints_events ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
        tuple(row.values()))
    row["id"] = cursor.lastrowid
    row["data"] = data
    return row


def staff_codes(store, role_or_code: str) -> list[str]:
    """Active staff with that role, or the staff member with that code."""
    rows = store.query("SELECT code FROM staff WHERE active = 1 AND (role = ? OR code = ?) ORDER BY level DESC, code",
                       (role_or_code, role_or_code))
    return [r["code"] for r in rows]
