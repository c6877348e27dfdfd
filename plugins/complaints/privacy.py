"""Erasing a customer's personal data from complaint tickets (PIPL right to deletion).

Kept: codes, states, times and deadlines (the anonymous counts of the statistics).
Erased: the complainant's name and phone, the vehicle's VIN and plate, the description,
every note, and every free-text field of the events (reasons, replies, findings,
solutions, actions, feedback, who confirmed, summaries).
"""

from __future__ import annotations

import json

ERASED = "[erased]"
FREE_TEXT = ("reason", "reply", "findings", "solution", "compensation", "actions", "penalty", "feedback",
             "root_cause", "lessons", "person", "oem_text", "promised_at_note")
CODES_FOR_REASON = ("pause",)  # a pause's reason is a code (customer/parts), kept


def forget(tx, customer_id: int) -> None:
    ids = [r[0] for r in tx.conn.execute("SELECT id FROM complaints_tickets WHERE customer_id = ?", (customer_id,))]
    if not ids:
        return
    marks = ",".join("?" * len(ids))
    tx.conn.execute(
        f"UPDATE complaints_tickets SET complainant = NULL, contact_phone = NULL, vin = NULL, plate = NULL,"
        f" description = ?, responsible_person = NULL WHERE id IN ({marks})", (ERASED, *ids))
    rows = tx.conn.execute(f"SELECT id, action, data, note FROM complaints_events WHERE ticket_id IN ({marks})", ids)
    for event_id, action, data, note in rows.fetchall():
        d = json.loads(data) if data else {}
        for key in FREE_TEXT:
            if key in d and not (key == "reason" and action in CODES_FOR_REASON):
                d[key] = ERASED
        if isinstance(d.get("confirmation"), dict):
            d["confirmation"]["by"] = ERASED
            if isinstance(d["confirmation"].get("signature"), dict):
                d["confirmation"]["signature"]["name"] = ERASED
        tx.conn.execute("UPDATE complaints_events SET data = ?, note = ? WHERE id = ?",
                        (json.dumps(d, ensure_ascii=False) if d else None, ERASED if note else None, event_id))
    _erase_files(tx, ids, marks)


def _erase_files(tx, ids: list[int], marks: str) -> None:
    """The signed confirmations are the customer's signature: the files go, their sha256 stays."""
    from pathlib import Path

    base = Path(tx.app.db_path).parent
    for (path,) in tx.conn.execute(f"SELECT path FROM complaints_files WHERE ticket_id IN ({marks})", ids).fetchall():
        (base / path).unlink(missing_ok=True)
    tx.conn.execute(f"UPDATE complaints_files SET name = ?, path = ? WHERE ticket_id IN ({marks})", (ERASED, ERASED, *ids))
