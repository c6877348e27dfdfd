"""Repair progress of an appointment's visit (维修进度的跟进和信息反馈).

A car that came for its appointment moves through the workshop's states, each with its time:
接车 (received) → 维修中 (in repair) ⇄ 待料 (waiting for parts) → 质检 (inspection) → 可交车
(ready).  The first state is always 接车 (it records the arrival when the appointment was still
booked); afterwards any other state may follow (a failed inspection goes back to 维修中), never
the current one again, and nothing follows 可交车 except 维修中 (rework).

Each change can tell the customer through the ``send_message`` service (an SMS/WeChat sender
plugin; a clean no-op without one) and shows on the agenda of the appointment specialist who
booked the appointment.  ``appointments.notify_progress`` (default true) sets whether a change
notifies unless the command says ``--notify/--no-notify``.
"""

from __future__ import annotations

from ..errors import BadInput

STATES = {"received": "接车", "in_repair": "维修中", "waiting_parts": "待料", "inspection": "质检", "ready": "可交车"}
ALIASES = {label: code for code, label in STATES.items()} | {"waiting": "waiting_parts", "parts": "waiting_parts",
                                                            "repair": "in_repair", "qc": "inspection"}
MESSAGES = {
    "received": "您好,您的爱车{plate}已接车,我们将尽快为您维修保养。",
    "in_repair": "您好,您的爱车{plate}正在维修中。",
    "waiting_parts": "您好,您的爱车{plate}正在等待配件,到货后我们会立即继续维修并通知您。",
    "inspection": "您好,您的爱车{plate}已完成维修,正在质检。",
    "ready": "您好,您的爱车{plate}已可交车,欢迎您前来取车。",
}


def state_code(value: str) -> str:
    text = str(value or "").strip()
    code = ALIASES.get(text, text.lower().replace("-", "_"))
    if code not in STATES:
        raise BadInput(f"progress state {value!r}: use one of "
                       + ", ".join(f"{c} ({label})" for c, label in STATES.items()))
    return code


def history(store, appointment_id: int) -> list[dict]:
    return store.query("SELECT state, at, staff, note, message_ref FROM appointment_progress"
                       " WHERE appointment_id = ? ORDER BY id", (appointment_id,))


def advance(tx, appointment_id, state: str, *, note: str | None = None, notify: bool | None = None) -> dict:
    """Record a progress state (now), optionally telling the customer; returns the new row."""
    from .appointments import get_appointment

    row = get_appointment(tx.store, appointment_id)
    code = state_code(state)
    past = history(tx.store, row["id"])
    current = past[-1]["state"] if past else None
    if current is None and code != "received":
        raise BadInput(f"appointment {row['id']}: the car must be received first (接车: 'received')")
    if code == current:
        raise BadInput(f"appointment {row['id']} is already {code} ({STATES[code]})")
    if current == "ready" and code != "in_repair":
        raise BadInput(f"appointment {row['id']} is ready (可交车): only in_repair (rework) may follow")
    if row["status"] in ("cancelled", "no_show"):
        raise BadInput(f"appointment {row['id']} is {row['status']}: no repair progress")
    if row["at"][:10] > tx.now[:10]:
        raise BadInput(f"appointment {row['id']} is on {row['at'][:10]}: the car cannot be in the workshop yet")
    if row["status"] == "booked":  # 接车 is the arrival
        tx.conn.execute("UPDATE appointments SET status = 'arrived', updated_at = ? WHERE id = ?", (tx.now, row["id"]))
        tx.audit("arrived", "appointment", [row["id"]])
    if notify is None:
        notify = bool((tx.app.config.section("appointments") or {}).get("notify_progress", True))
    ref = None
    if notify:
        ref = _tell(tx, row, code)
    at = tx.now[:19]
    tx.conn.execute(
        "INSERT INTO appointment_progress (appointment_id, state, at, staff, note, message_ref, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (row["id"], code, at, tx.actor.code if tx.actor.is_staff else None, note,
         None if ref is None else str(ref), tx.now))
    tx.conn.execute("UPDATE appointments SET progress = ?, updated_at = ? WHERE id = ?", (code, tx.now, row["id"]))
    tx.audit("progress", "appointment", [row["id"]], detail={"state": code, "notified": ref is not None})
    return {"appointment_id": row["id"], "state": code, "label": STATES[code], "at": at, "message_ref": ref,
            "notified": ref is not None}


def _tell(tx, appointment: dict, code: str):
    """The repair notice through ``send_message`` when the contact policy allows it (SMS for the
    ``service`` purpose: no consent needed unless the dealer says so; never to a customer who
    asked not to be contacted or was forgotten).  Returns the delivery reference or None."""
    from .contact import ContactPolicy, address, contact_facts, may_contact

    facts = contact_facts(tx.conn, [appointment["customer_id"]], channels=("sms",)).get(appointment["customer_id"])
    if not may_contact(facts, "sms", "service", policy=ContactPolicy.from_config(tx.app.config)):
        return None
    plate = ""
    if appointment["vehicle_id"]:
        plate = tx.store.scalar("SELECT plate FROM vehicles WHERE id = ?", (appointment["vehicle_id"],)) or ""
    return tx.ask("send_message", message={
        "customer_id": appointment["customer_id"], "channel": "sms", "to": address(facts, "sms"),
        "text": MESSAGES[code].format(plate=plate), "campaign": None, "ref": f"appointment:{appointment['id']}",
    })


def agenda_items(store, day, staff: str | None) -> list[dict]:
    """Cars in the workshop today (the latest state of each), for the specialist who booked them."""
    sql = ("SELECT a.id, a.customer_id, a.staff, c.name, v.plate, p.state, p.at FROM appointments a"
           " JOIN customers c ON c.id = a.customer_id LEFT JOIN vehicles v ON v.id = a.vehicle_id"
           " JOIN appointment_progress p ON p.id = (SELECT max(id) FROM appointment_progress q"
           " WHERE q.appointment_id = a.id)"
           " WHERE a.progress IS NOT NULL AND (a.progress != 'ready' OR substr(p.at, 1, 10) = ?)"
           + (" AND a.staff = ?" if staff else "") + " ORDER BY p.at")
    items = []
    for aid, cid, _staff, name, plate, state, at in store.conn.execute(sql, (day.isoformat(),) + ((staff,) if staff else ())):
        items.append({"kind": "repair_progress", "priority": 2 if state != "ready" else 1, "due": at,
                      "customer_id": cid, "ref": f"appointment:{aid}",
                      "title": f"维修进度: {name or ''} {plate or ''} {STATES[state]} ({at[5:16].replace('T', ' ')})"
                               + (" 通知顾客取车" if state == "ready" else "")})
    return items
