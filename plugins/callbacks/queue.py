"""``crm callbacks due``: today's calls — overdue first, then members, then by due date."""

from __future__ import annotations

import datetime as dt
import json
import re

from crm.api import QuietHours

from .store import reason_text

QUEUE_SQL = """
SELECT t.id, t.customer_id, c.name AS customer, coalesce(c.mobile, c.mobile2, c.landline) AS phone, c.best_time,
       ve.plate, ve.model, vi.ro_number AS ro, substr(vi.date_out, 1, 10) AS visit_out, vi.type AS visit_type,
       t.reasons, t.rules, t.start_on, t.due_on, t.last_on, t.scheduled_on, t.member, t.assigned_to,
       t.attempts, t.next_attempt_at, t.channel, t.message
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

COLUMNS = ["id", "customer", "phone", "best_time", "car", "visit", "why", "due_on", "overdue", "member", "channel",
           "assigned_to", "attempts", "next_attempt"]

#: parts of the day a customer names as their best time to call (客户方便联系时间)
DAY_PARTS = {"上午": ("09:00", "12:00"), "中午": ("12:00", "14:00"), "下午": ("14:00", "18:00"),
             "晚上": ("18:00", "21:00"), "傍晚": ("17:00", "19:00"), "morning": ("09:00", "12:00"),
             "noon": ("12:00", "14:00"), "afternoon": ("14:00", "18:00"), "evening": ("18:00", "21:00")}
_SPAN = re.compile(r"(\d{1,2})[:：](\d{2})\s*[-–~至到]\s*(\d{1,2})[:：](\d{2})")


def best_time_rank(best_time: str | None, now: dt.datetime, workday: bool) -> int:
    """0: now is the customer's best time; 1: they named none (or it cannot be read); 2: not now.

    ``best_time`` is the archive's free text (``--best-time``): parts of the day (上午, 下午,
    晚上 …), spans (``19:00-21:00``), optionally 工作日 / 周末 (workdays / days off only).
    """
    text = (best_time or "").strip().lower()
    if not text:
        return 1
    spans = [(int(a) * 60 + int(b), int(c) * 60 + int(d)) for a, b, c, d in _SPAN.findall(text)]
    spans += [tuple(int(x[:2]) * 60 + int(x[3:]) for x in span) for word, span in DAY_PARTS.items() if word in text]
    if not spans:
        return 1
    if ("工作日" in text and not workday) or (("周末" in text or "休息日" in text) and workday):
        return 2
    minute = now.hour * 60 + now.minute
    return 0 if any(lo <= minute < hi for lo, hi in spans) else 2


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
    today = day.isoformat()
    held = now.isoformat(timespec="seconds") if now is not None else None  # retries due after this wait
    for r in found:
        next_attempt = r["next_attempt_at"]
        if held is not None and next_attempt and next_attempt > held:
            continue
        rows.append({
            "id": r["id"], "customer_id": r["customer_id"], "customer": r["customer"], "phone": r["phone"],
            "car": _joined(r["plate"], r["model"]), "visit": _joined(r["ro"], r["visit_out"]),
            "why": reason_text(json.loads(r["reasons"])), "rules": r["rules"], "due_on": r["due_on"],
            "overdue": r["due_on"] < today, "member": bool(r["member"]),
            "assigned_to": r["assigned_to"], "attempts": r["attempts"],
            "next_attempt": (next_attempt or "")[:16].replace("T", " ") or None,
            "channel": r["channel"], "message": r["message"],  # not phone: the text to send (no sender answered)
            "best_time": r["best_time"],
        })
    if now is not None:  # today's queue: whoever it suits to be called now first (a stable sort)
        workday = app.calendar.is_workday(now.date())
        rows.sort(key=lambda row: best_time_rank(row["best_time"], now, workday))
    return rows


def _joined(first: str | None, second: str | None) -> str | None:
    """``first second``, or the one given, or None (a car's plate and model, a visit's RO and day)."""
    if first and second:
        return f"{first} {second}"
    return first or second or None


def quiet_now(app) -> tuple[bool, dt.datetime]:
    """(True, when calls may start) if now is inside the quiet hours."""
    quiet = QuietHours.from_config(app.config)
    now = app.now()
    if quiet.allows(now):
        return False, now
    return True, quiet.next_allowed(now)
