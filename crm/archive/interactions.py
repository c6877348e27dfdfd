"""The interaction log (联系记录): every call, SMS, visit, complaint, gift."""

from __future__ import annotations

from ..errors import BadInput
from .customers import get_customer
from .validate import Problem, clean_interaction, raise_problems


#: Logged contacts that count as the first contact of a newly assigned specialist: the
#: core's kinds and the plugins' calls and talks with the customer (a callback, a lead's
#: follow-up, a complaint's reply or follow-up, an event reply or check-in, a referral).
FIRST_CONTACT_KINDS = ("call", "sms", "wechat", "visit", "email", "meeting", "introduction",
                       "callback", "lead_followup", "complaint", "complaint_reply", "complaint_confirmation",
                       "complaint_followup", "event_reply", "event_checkin", "referral")
#: Outcomes that say nobody was reached (an unanswered call, a call only put on a queue).
NOT_REACHED = ("unreachable", "no_answer", "task", "planned")


def log_interaction(tx, fields: dict, *, audit: bool = True) -> dict:
    """Write one entry of the log: the one writer of ``interactions`` (plugins too).

    ``fields``: ``customer_id`` (None for a contact with someone who is not a customer yet,
    e.g. a portal lead: then ``ref`` names them), ``channel`` (:data:`crm.archive.validate.LOG_CHANNELS`),
    ``kind``, and optionally ``at`` (default now), ``staff`` (default the acting staff
    member; else none), ``direction`` (default ``out``), ``summary``, ``outcome``, ``ref``.
    Validated like ``crm log add``; bad values raise :class:`BadInput`.  A first contact
    (:data:`FIRST_CONTACT_KINDS`, not :data:`NOT_REACHED`) clears the customer's
    ``first_contact_due``.  ``audit=False`` for a caller that audits its own action (a
    plugin recording a call, a campaign sending thousands of messages).
    """
    fields = dict(fields)
    fields.setdefault("direction", "out")
    prospect = "customer_id" in fields and fields["customer_id"] is None
    clean, problems = clean_interaction({k: v for k, v in fields.items() if not (prospect and k == "customer_id")},
                                        partial=prospect)
    if prospect:  # not a customer (yet): a portal lead; the entry names it in ref
        problems += [Problem(k, None, "required") for k in ("channel", "kind", "ref") if not clean.get(k)]
    raise_problems(problems, "log")
    customer = {"id": None, "first_contact_due": None} if prospect else get_customer(tx.store, clean["customer_id"])
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
    if customer["first_contact_due"] and row["kind"] in FIRST_CONTACT_KINDS and row["outcome"] not in NOT_REACHED:
        tx.conn.execute("UPDATE customers SET first_contact_due = NULL, updated_at = ? WHERE id = ?",
                        (tx.now, customer["id"]))
    if audit:
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
