"""``crm callbacks due``: today's calls — overdue first, then members, then by due date."""

from __future__ import annotations

import datetime as dt
import json

from crm.api import QuietHours

from .store import reason_text

QUEUE_SQL = """
SELECT t.id, t.customer_id, c.name AS customer, coalesce(c.mobile, c.mobile2, c.landline) AS phone,
       ve.plate, ve.model, vi.ro_number AS ro, substr(vi.date_out, 1, 10) AS visit_out, vi.type AS visit_type,
       t.reasons, t.rules, t.start_on, t.due_on, t.last_on, t.scheduled_on, t.member, t.assigned_to,
       t.attempts, t.next_attempt_at
FROM callback_tasks t
JOIN customers c ON c.id = t.customer_id
LEFT JOIN vehicles ve ON ve.id = t.vehicle_id
LEFT JOIN visits vi ON vi.id = t.visit_id
WHERE t.status = 'open' AND t.scheduled_on <= :day {staff}
ORDER BY t.due_on < :day DESC, t.member DESC, t.due_on, t.id
"""

# One specialist's queue in the same order, as four index range scans (callback_tasks_agenda:
# status, assigned_to, member, due_on) read one after the other: overdue members, overdue
# others, then members and others due from today.  Each part stops at the limit, so a long
# backlog is never read and sorted whole (the planner writes member as 0 or 1).
PARTS = [("t.due_on < :day", 1), ("t.due_on < :day", 0), ("t.due_on >= :day", 1), ("t.due_on >= :day", 0)]
PART_SQL = QUEUE_SQL.split("WHERE")[0] + """WHERE t.status = 'open' AND t.assigned_to = :staff AND t.member = {member}
  AND {due} AND t.scheduled_on <= :day
ORDER BY t.due_on, t.id"""

COLUMNS = ["id", "customer", "phone", "car", "visit", "why", "due_on", "overdue", "member", "assigned_to",
           "attempts", "next_attempt"]


def due_rows(app, day: dt.date, *, staff: str | None = None, now: dt.datetime | None = None,
             limit: int | None = None) -> list[dict]:
    """Open tasks to call on ``day``; retries not yet due at ``now`` are held back."""
    params = {"day": day.isoformat(), "staff": staff}
    if staff:
        found: list = []
        for due, member in PARTS:
            if limit and len(found) >= limit:
                break
            sql = PART_SQL.format(member=member, due=due)
            if limit:
                sql += f" LIMIT {int(limit) - len(found)}"
            found.extend(app.store.query(sql, params))
    else:
        sql = QUEUE_SQL.format(staff="")
        if limit:
            sql += f" LIMIT {int(limit)}"
        found = app.store.query(sql, params)
    rows = []
    for r in found:
        if now is not None and r["next_attempt_at"] and r["next_attempt_at"] > now.isoformat(timespec="seconds"):
            continue
        reasons = json.loads(r["reasons"])
        rows.append({
            "id": r["id"], "customer_id": r["customer_id"], "customer": r["customer"], "phone": r["phone"],
            "car": " ".join(x for x in (r["plate"], r["model"]) if x) or None,
            "visit": " ".join(x for x in (r["ro"], r["visit_out"]) if x) or None,
            "why": reason_text(reasons), "rules": r["rules"], "due_on": r["due_on"],
            "overdue": r["due_on"] < day.isoformat(), "member": bool(r["member"]),
            "assigned_to": r["assigned_to"], "attempts": r["attempts"],
            "next_attempt": (r["next_attempt_at"] or "")[:16].replace("T", " ") or None,
        })
    return rows


def quiet_now(app) -> tuple[bool, dt.datetime]:
    """(True, when calls may start) if now is inside the quiet hours."""
    quiet = QuietHours.from_config(app.config)
    now = app.now()
    if quiet.allows(now):
        return False, now
    return True, quiet.next_allowed(now)
