"""The interaction log (联系记录): every call, SMS, visit, complaint, gift."""

from __future__ import annotations

from ..errors import BadInput
from .customers import get_customer
from .validate import clean_interaction, raise_problems


#: Logged contacts that count as the first contact of a newly assigned specialist.
FIRST_CONTACT_KINDS = ("call", "sms", "wechat", "visit", "email", "meeting", "introduction")


def log_interaction(tx, fields: dict) -> dict:
    """Write one entry; ``staff`` defaults to the acting staff member, ``at`` to now."""
    fields = dict(fields)
    fields.setdefault("direction", "out")
    clean, problems = clean_interaction(fields)
    raise_problems(problems, "log")
    customer = get_customer(tx.store, clean["customer_id"])
    staff = fields.get("staff") or (tx.actor.code if tx.actor.is_staff else None)
    if staff and not tx.conn.execute("SELECT 1 FROM staff WHERE code = ?", (staff,)).fetchone():
        raise BadInput(f"no staff member with code '{staff}'")
    row = {"customer_id": customer["id"], "at": clean.get("at") or tx.now[:19], "staff": staff,
           "channel": clean["channel"], "direction": clean.get("direction") or "out", "kind": clean["kind"],
           "summary": clean.get("summary"), "outcome": clean.get("outcome"), "ref": clean.get("ref"),
           "created_at": tx.now}
    cursor = tx.conn.execute(f"INSERT INTO interactions ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                             tuple(row.values()))
    row["id"] = cursor.lastrowid
    if customer["first_contact_due"] and row["kind"] in FIRST_CONTACT_KINDS:
        tx.conn.execute("UPDATE customers SET first_contact_due = NULL, updated_at = ? WHERE id = ?",
                        (tx.now, customer["id"]))
    tx.audit("log", "interaction", [row["id"]], detail={"customer": customer["id"], "kind": row["kind"]})
    return row


def list_interactions(store, *, customer_id=None, staff=None, kind=None, channel=None, since=None, until=None,
                      limit=100) -> list[dict]:
    sql = ("SELECT i.id, i.at, i.customer_id, c.name, i.staff, i.channel, i.direction, i.kind, i.summary,"
           " i.outcome, i.ref FROM interactions i LEFT JOIN customers c ON c.id = i.customer_id")
    where, params = [], []
    for clause, value in (("i.customer_id = ?", customer_id), ("i.staff = ?", staff), ("i.kind = ?", kind),
                          ("i.channel = ?", channel), ("i.at >= ?", since), ("i.at < ?", until)):
        if value is not None:
            where.append(clause)
            params.append(value)
    if where:
        sql += " WHERE " + " AND ".join(where)
    return store.query(sql + " ORDER BY i.at DESC, i.id DESC LIMIT ?", (*params, limit))
