"""Recording a call's result (``crm callbacks record`` and the XLSX import share this).

Every call writes a ``callback_calls`` row and an ``interactions`` row, moves the task on
(done, retry at another time of day, unreachable after the last attempt), asks the
complaints plugin for a ticket when the customer is dissatisfied, can book an
appointment, and queues the result for the manufacturer's portal — all in the caller's
transaction.
"""

from __future__ import annotations

import datetime as dt
import json

from crm.errors import BadInput, PermissionDenied
from crm.api import QuietHours, book_appointment, log_interaction, parse_hhmm

from .settings import ASPECTS, RESULT_TITLES, RESULTS
from .store import reason_text

RESULT_WORDS = {**{r: r for r in RESULTS}, **{v: k for k, v in RESULT_TITLES.items()}, "一般般": "neutral",
                "无人接听": "unreachable"}
ASPECT_WORDS = {**{k: k for k in ASPECTS}, **{v: k for k, v in ASPECTS.items()}}
APPOINTMENT_TYPES = ("maintenance", "repair", "warranty", "bodypaint", "pdi")


def parse_result(value) -> str:
    text = str(value or "").strip()
    key = RESULT_WORDS.get(text) or RESULT_WORDS.get(text.lower())
    if key is None:
        raise BadInput(f"result {value!r} is not one of {', '.join(RESULTS)} (满意/一般/不满意/未接通)")
    return key


def parse_score(value) -> int | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        raise BadInput(f"score {value!r} is not a number from 0 to 10") from None
    if number != int(number) or not 0 <= number <= 10:
        raise BadInput(f"score {value!r} must be a whole number from 0 to 10")
    return int(number)


def parse_aspects(values) -> list[str]:
    out: list[str] = []
    for value in values or []:
        for part in str(value).replace("，", ",").replace("、", ",").split(","):
            part = part.strip()
            if not part:
                continue
            key = ASPECT_WORDS.get(part) or ASPECT_WORDS.get(part.lower())
            if key is None:
                raise BadInput(f"aspect {part!r} is not one of {', '.join(ASPECTS)} "
                               f"({'/'.join(ASPECTS.values())})")
            if key not in out:
                out.append(key)
    return out


def parse_moment(value, tz) -> dt.datetime:
    """What a person typed (``2026/12/4 15:20``, ``2026年12月4日 15:20`` …): crm.values.dates."""
    from crm.api import Invalid, parse_moment as parse

    try:
        return parse(value, tz)
    except Invalid as exc:
        raise BadInput(f"time {value!r} is not a date and time like 2026-11-20 10:30 ({exc})") from None


def next_attempt(called_at: dt.datetime, tried: list[dt.datetime], slots: list[str], quiet: QuietHours,
                 calendar) -> dt.datetime:
    """The next try, at a time of day not tried yet (morning / afternoon / evening …)."""
    times = sorted(parse_hhmm(s) for s in slots) or [dt.time(10, 0)]

    def part(moment: dt.datetime) -> int:
        idx = 0
        for i, t in enumerate(times):
            if moment.time() >= t:
                idx = i
        return idx

    used = {part(m) for m in tried}
    untried = [i for i in range(len(times)) if i not in used] or list(range(len(times)))
    day = called_at.date()
    for i in untried:  # later today, if a fresh part of the day is still ahead
        at = dt.datetime.combine(day, times[i], called_at.tzinfo)
        if at > called_at and calendar.is_workday(day) and quiet.allows(at):
            return at
    day = calendar.add_workdays(day + dt.timedelta(days=1), 0)
    for i in untried:
        at = dt.datetime.combine(day, times[i], called_at.tzinfo)
        if quiet.allows(at):
            return at
    return quiet.next_allowed(dt.datetime.combine(day, times[untried[0]], called_at.tzinfo))


def record_result(tx, task: dict, *, result: str, score: int | None = None, aspects: list[str] | None = None,
                  note: str | None = None, suggestion: str | None = None, called_at: dt.datetime,
                  staff: str, settings: dict, appointment: dict | None = None, source: str = "cli",
                  import_key: str | None = None) -> dict:
    """Store one call and everything it causes; returns a summary dict."""
    app = tx.app
    if task["status"] != "open":
        raise BadInput(f"callback task {task['id']} is {task['status']}; only an open task takes a result")
    if staff and staff in task["avoid_staff"]:
        raise PermissionDenied(f"{staff} served this customer on the visit; another specialist must make "
                               f"callback {task['id']}")
    if result == "unreachable" and (score is not None or aspects):
        raise BadInput("an unreachable call has no score or aspects")
    aspects = aspects or []
    if result == "satisfied" and aspects:
        raise BadInput("aspects are asked only when the customer is neutral or dissatisfied")
    conn = tx.conn
    attempt = task["attempts"] + 1
    called = called_at.isoformat(timespec="seconds")
    customer = conn.execute(
        "SELECT id, name, coalesce(mobile, mobile2, landline) FROM customers WHERE id = ?",
        (task["customer_id"],)).fetchone()
    vehicle = conn.execute("SELECT id, vin FROM vehicles WHERE id = ?", (task["vehicle_id"],)).fetchone() \
        if task["vehicle_id"] else None
    visit = conn.execute("SELECT ro_number, date_out, date_in FROM visits WHERE id = ?",
                         (task["visit_id"],)).fetchone() if task["visit_id"] else None

    # the appointment, if one was booked on the call
    appointment_id = None
    if appointment:
        at = appointment["at"]
        atype = appointment.get("type") or "maintenance"
        if atype not in APPOINTMENT_TYPES:
            raise BadInput(f"appointment type {atype!r} is not one of {', '.join(APPOINTMENT_TYPES)}")
        if at <= called_at:
            raise BadInput(f"appointment {at.isoformat(timespec='minutes')} is not after the call")
        if result == "unreachable":
            raise BadInput("an unreachable customer cannot book an appointment")
        booked = book_appointment(tx, customer_id=task["customer_id"], at=at.isoformat(timespec="minutes"),
                                  vehicle=task["vehicle_id"], type=atype, staff=staff or None,
                                  note=f"回访预约 callback {task['id']}", source="callback")
        appointment_id = booked["id"]

    cursor = conn.execute(
        "INSERT INTO callback_calls (task_id, customer_id, staff, called_at, attempt, result, score, aspects, note,"
        " suggestion, appointment_id, source, import_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (task["id"], task["customer_id"], staff, called, attempt, result, score,
         json.dumps(aspects) if aspects else None, note, suggestion, appointment_id, source, import_key, tx.now))
    call_id = cursor.lastrowid

    summary = f"回访: {reason_text(task['reasons'])}"
    if aspects:
        summary += " | 不满意方面: " + "、".join(ASPECTS[a] for a in aspects)
    log_interaction(tx, {"customer_id": task["customer_id"], "at": called, "staff": staff, "channel": "phone",
                         "direction": "out", "kind": "callback", "summary": summary, "outcome": result,
                         "ref": f"callback:{task['id']}"}, audit=False)

    # the task moves on
    max_attempts = int(settings["max_attempts"])
    status, next_at = "done", None
    if result == "unreachable":
        if attempt >= max_attempts:
            status = "unreachable"
        else:
            tried = [dt.datetime.fromisoformat(r[0]) for r in conn.execute(
                "SELECT called_at FROM callback_calls WHERE task_id = ?", (task["id"],))]
            tried = [t if t.tzinfo else t.replace(tzinfo=called_at.tzinfo) for t in tried]
            nxt = next_attempt(called_at, tried, settings["retry_slots"], QuietHours.from_config(app.config),
                               app.calendar)
            if nxt.date().isoformat() > task["last_on"]:
                status = "unreachable"
            else:
                status, next_at = "open", nxt
    if status == "open":
        conn.execute(
            "UPDATE callback_tasks SET attempts = ?, next_attempt_at = ?, scheduled_on = max(scheduled_on, ?),"
            " updated_at = ? WHERE id = ?",
            (attempt, next_at.isoformat(timespec="seconds"), next_at.date().isoformat(), tx.now, task["id"]))
    else:
        conn.execute(
            "UPDATE callback_tasks SET status = ?, attempts = ?, next_attempt_at = NULL, result = ?, score = ?,"
            " closed_at = ?, updated_at = ? WHERE id = ?",
            (status, attempt, result, score, called, tx.now, task["id"]))

    # a dissatisfied customer: a complaint ticket, through whoever provides the service
    complaint = None
    if result == "dissatisfied":
        complaint = tx.ask("open_complaint", request={
            "customer_id": task["customer_id"], "vehicle_id": task["vehicle_id"], "channel": "phone",
            "source": "callback", "source_ref": f"callback:{task['id']}:{call_id}",
            "category": aspects[0] if aspects else "service",
            "severity": "urgent" if score is not None and score <= 3 else "normal",
            "description": "; ".join(x for x in (
                "回访不满意", "、".join(ASPECTS[a] for a in aspects) if aspects else None, note) if x),
            "respond_due": None, "resolve_due": None,
            "visit_ro": visit[0] if visit else None, "staff": staff,
        })
    # the manufacturer's portal (POST /callbacks), in this same transaction: only calls about a
    # service visit are the OEM's business (its contract requires vin and visit_on); care calls
    # (birthdays, insurance, inspection) stay the dealer's own
    portal = None
    if visit and vehicle:
        portal = tx.ask("send_to_portal", item={"kind": "callback", "ref": None, "customer_id": task["customer_id"],
                                                "payload": {
            "vin": vehicle[1], "phone": customer[2] if customer else None,
            "visit_on": (visit[1] or visit[2])[:10], "called_at": called,
            "result": result, "score": score, "note": note,
        }})
    conn.execute("UPDATE callback_calls SET complaint_ref = ?, portal_ref = ? WHERE id = ?",
                 (None if complaint is None else str(complaint), None if portal is None else str(portal), call_id))
    tx.audit("record", "callback_task", [task["id"]],
             detail={"call": call_id, "result": result, "score": score, "attempt": attempt, "source": source})
    return {"task_id": task["id"], "call_id": call_id, "result": result, "score": score, "attempt": attempt,
            "status": status, "next_attempt": next_at.isoformat(timespec="minutes") if next_at else None,
            "complaint": complaint, "appointment_id": appointment_id, "portal": portal}
