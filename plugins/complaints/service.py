"""Moving a ticket through its steps: validation, the event row, side effects.

Every change to a ticket goes through :func:`transition` (or :func:`open_ticket`), inside
the caller's write transaction: the state machine decides, the event is written, the
ticket's listing fields follow, the portal and the callbacks plugin are asked for their
services (clean no-ops when they are absent), and the audit log gets a line.
"""

from __future__ import annotations

import datetime as dt

from crm.api import log_interaction
from crm.errors import BadInput, NotFound

from . import machine, store, timings, vocab
from .settings import Settings, load

PORTAL_TYPES = {
    "accept": ("responded",),
    "invalid": ("responded", "resolved"),
    "investigate": ("investigating",),
    "propose": ("solution_proposed",),
    "confirm": ("customer_confirmed",),
    "close": ("resolved",),
    "follow_up": ("followed_up",),
}


def roles_map(settings: Settings) -> dict:
    return {machine.HANDLER: settings.handler_roles, machine.APPROVER: settings.approver_roles,
            machine.OPENER: settings.open_roles}


def parse_when(value, app, *, what: str = "--at") -> dt.datetime | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        moment = timings.parse_moment(value, app.tz)
    except ValueError:
        raise BadInput(f"{what} {value!r} is not a date-time like 2026-11-20T09:30 or 2026-11-20 09:30") from None
    return moment


def iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None


def _event_time(tx, events, at) -> str:
    app = tx.app
    if at is None:
        return tx.now
    moment = parse_when(at, app)
    now = app.now()
    if moment > now:
        raise BadInput(f"--at {at!r} is in the future")
    if events:
        last = timings.parse_moment(events[-1]["at"], app.tz)
        if moment < last:
            raise BadInput(f"--at {at!r} is before the ticket's last event ({events[-1]['at']})")
    return iso(moment)


def _require(fields: dict, names, action: str, ticket_id: int) -> None:
    for name in names:
        if fields.get(name) in (None, ""):
            flag = "--" + name.replace("_", "-")
            raise BadInput(f"step {action} of complaint {ticket_id} needs {flag}")


def _step_data(tx, ticket: dict, action: str, f: dict, settings: Settings) -> tuple[dict, dict]:
    """(event data, ticket updates) for ``action`` with the user's fields ``f``; validates."""
    tid = ticket["id"]
    data: dict = {}
    upd: dict = {}
    if action == "accept":
        if f.get("promised_at"):
            upd["promised_at"] = data["promised_at"] = iso(parse_when(f["promised_at"], tx.app, what="--promised"))
    elif action == "invalid":
        _require(f, ("reason", "reply"), action, tid)
        data.update(reason=f["reason"], reply=f["reply"])
    elif action == "investigate":
        dept = vocab.code(f.get("dept"), vocab.DEPARTMENTS, "department")
        if dept is None and not ticket["responsible_dept"]:
            suggestion = vocab.CATEGORY_DEPT.get(ticket["category"], "other")
            raise BadInput(f"step investigate of complaint {tid} needs --dept (the responsible department,"
                           f" e.g. {suggestion}; one of: {', '.join(vocab.DEPARTMENTS)})")
        if dept:
            upd["responsible_dept"] = data["dept"] = dept
        if f.get("person"):
            upd["responsible_person"] = data["person"] = f["person"]
        if f.get("findings"):
            data["findings"] = f["findings"]
    elif action == "propose":
        _require(f, ("solution",), action, tid)
        data["solution"] = f["solution"]
        if f.get("compensation"):
            data["compensation"] = f["compensation"]
    elif action == "decline":
        _require(f, ("note",), action, tid)
    elif action == "implement":
        _require(f, ("actions",), action, tid)
        data["actions"] = f["actions"]
        for key in ("penalty", "feedback"):
            if f.get(key):
                data[key] = f[key]
        if f.get("confirmed_via") or f.get("confirmed_by"):
            data["confirmation"] = _confirmation(tx, ticket, f.get("confirmed_by"), f.get("confirmed_via"),
                                                 f.get("confirmed_at"))
            upd["confirmed_at"] = data["confirmation"]["at"]
    elif action == "confirm":
        data["confirmation"] = _confirmation(tx, ticket, f.get("by"), f.get("via"), f.get("confirmed_at"))
        if f.get("feedback"):
            data["feedback"] = f["feedback"]
        upd["confirmed_at"] = data["confirmation"]["at"]
    elif action == "summarize":
        _require(f, ("root_cause", "lessons"), action, tid)
        final = vocab.code(f.get("category"), vocab.CATEGORIES, "category") or ticket["category"]
        data.update(root_cause=f["root_cause"], final_category=final, lessons=f["lessons"])
        upd["final_category"] = final
    elif action == "follow_up":
        result = vocab.code(f.get("result"), vocab.FOLLOWUP_RESULTS, "follow-up result")
        if result is None:
            raise BadInput(f"follow-up of complaint {tid} needs --result ({', '.join(vocab.FOLLOWUP_RESULTS)})")
        data["result"] = result
    elif action == "reopen":
        _require(f, ("note",), action, tid)
        upd.update(closed_at=None, confirmed_at=None, paused_reason=None, paused_since=None)
    elif action == "pause":
        reason = vocab.code(f.get("reason"), vocab.PAUSE_REASONS, "pause reason")
        if reason is None:
            raise BadInput(f"pausing complaint {tid} needs --reason ({', '.join(vocab.PAUSE_REASONS)})")
        data["reason"] = reason
        upd["paused_reason"] = reason
    elif action == "resume":
        upd.update(paused_reason=None, paused_since=None)
    elif action == "assign":
        code = f.get("to")
        if not code:
            raise BadInput(f"assigning complaint {tid} needs --to STAFF")
        if code == "me":
            code = tx.actor.code
        row = tx.store.query_one("SELECT code, active FROM staff WHERE code = ?", (code,))
        if row is None or not row["active"]:
            raise NotFound(f"no active staff member {code!r} (see 'crm staff list')")
        data["to"] = upd["handler"] = code
    elif action == "note":
        _require(f, ("note",), action, tid)
    elif action in ("escalate", "oem_update"):  # system steps: crm supplies the data
        data.update({k: v for k, v in f.items() if k not in ("note", "updates")})
        upd.update(f.get("updates") or {})
    return data, upd


def _confirmation(tx, ticket, by, via, at) -> dict:
    via_code = vocab.code(via, vocab.CONFIRM_VIA, "confirmation channel")
    if via_code is None:
        raise BadInput(f"the customer's confirmation of complaint {ticket['id']} needs --via"
                       f" ({', '.join(vocab.CONFIRM_VIA)}): how the customer confirmed")
    who = by or ticket["complainant"]
    if not who and ticket["customer_id"]:
        who = tx.store.scalar("SELECT name FROM customers WHERE id = ?", (ticket["customer_id"],))
    if not who:
        raise BadInput(f"the customer's confirmation of complaint {ticket['id']} needs --by (who confirmed)")
    moment = parse_when(at, tx.app, what="--confirmed-at") if at else tx.app.now()
    return {"by": who, "via": via_code, "at": iso(moment)}


def transition(tx, ticket_id, action: str, fields: dict | None = None, *, note: str | None = None,
               at: str | None = None, system: bool = False) -> dict:
    """Apply one step to a ticket; refuse (exit 2, nothing changed) when it is illegal."""
    app = tx.app
    settings = load(app)
    ticket = store.get_ticket(tx.store, ticket_id)
    tid = ticket["id"]
    events = store.events_of(tx.store, tid)
    fields = dict(fields or {})
    if note is not None:
        fields.setdefault("note", note)
    next_state = machine.check(tid, events, action, role=tx.actor.role, roles=roles_map(settings),
                               actor=tx.actor.code, system=system)
    data, upd = _step_data(tx, ticket, action, fields, settings)
    when = _event_time(tx, events, at)
    if action == "pause":
        upd["paused_since"] = when
    if action in timings.RESOLVE_ACTIONS:
        upd["closed_at"] = when
    upd.update(state=next_state, updated_at=tx.now)
    store.update_ticket(tx, tid, upd)
    ticket.update(upd)
    note_text = fields.get("note")
    # the portal hears about the steps its contract knows, for tickets it dispatched
    types = PORTAL_TYPES.get(action, ())
    if action == "implement" and data.get("confirmation"):
        types = ("customer_confirmed",)
    if action == "investigate" and ticket_prev_state(events) == "investigating":
        types = ()  # more findings: the portal already knows we investigate
    if ticket["portal_id"] and types:
        sent = []
        for kind in types:
            item_id = tx.ask("send_to_portal", item={
                "kind": "complaint_event", "ref": ticket["portal_id"], "customer_id": ticket["customer_id"],
                "payload": {"at": when, "type": kind, "note": portal_note(action, kind, data, note_text),
                            "responsible_dept": ticket["responsible_dept"]},
            })
            sent.append({"type": kind, "outbox": item_id})
        if sent:
            data["portal"] = sent
    if action == "close":
        data["followup"] = schedule_followup(tx, ticket, when, settings)
    event = store.add_event(tx, tid, action=action, from_state=ticket_prev_state(events), to_state=next_state,
                            at=when, note=note_text, data=data,
                            actor=tx.actor.code if not system else (tx.actor.code if tx.actor.is_staff else "crm"))
    log_ticket_interaction(tx, ticket, action, data, when)
    tx.audit(action, "complaint", [tid], detail={"from": event["from_state"], "to": next_state})
    return event


def ticket_prev_state(events: list[dict]) -> str | None:
    return events[-1]["to_state"] if events else None


def portal_note(action: str, kind: str, data: dict, note: str | None) -> str:
    parts = {
        "responded": "已受理" if action == "accept" else f"投诉不成立: {data.get('reason', '')}",
        "investigating": data.get("findings") or "调查中",
        "solution_proposed": data.get("solution", ""),
        "customer_confirmed": "顾客已确认({})".format(
            vocab.label((data.get("confirmation") or {}).get("via"), vocab.CONFIRM_VIA)),
        "resolved": "已结案" if action == "close" else f"无效投诉已答复: {data.get('reply', '')}",
        "followed_up": f"结案回访: {vocab.label(data.get('result'), vocab.FOLLOWUP_RESULTS)}",
    }
    base = parts.get(kind, "")
    return f"{base}; {note}" if note and note not in base else base


def schedule_followup(tx, ticket: dict, when: str, settings: Settings) -> dict:
    """Ask the callbacks plugin for the follow-up call; a clean no-op without it."""
    closed_on = timings.parse_moment(when, tx.app.tz).date()
    due_on = tx.app.calendar.add_workdays(closed_on, settings.followup_workdays)
    if not ticket["customer_id"]:
        return {"due_on": due_on.isoformat(), "task": None, "why": "no customer on the ticket"}
    task = tx.ask("schedule_callback", request={
        "customer_id": ticket["customer_id"], "reason": "投诉结案回访", "due_on": due_on.isoformat(),
        "rule": "complaint_followup", "ref": f"complaint:{ticket['id']}",
        "note": f"投诉 #{ticket['id']} 结案回访 ({vocab.label(ticket['final_category'] or ticket['category'], vocab.CATEGORIES)})",
    })
    return {"due_on": due_on.isoformat(), "task": task}


INTERACTION_KINDS = {
    "invalid": ("out", "complaint_reply"),
    "confirm": ("in", "complaint_confirmation"),
    "follow_up": ("out", "complaint_followup"),
}


def log_ticket_interaction(tx, ticket: dict, action: str, data: dict, when: str) -> None:
    """The customer's interaction log gets the calls and replies this plugin records."""
    if not ticket["customer_id"]:
        return
    kind = INTERACTION_KINDS.get(action)
    confirmation = data.get("confirmation")
    if kind is None and not (action == "implement" and confirmation):
        return
    direction, name = kind or ("in", "complaint_confirmation")
    channel = vocab.LOG_CHANNELS.get(confirmation["via"], "other") if confirmation else "phone"
    outcome = data.get("result") or ("confirmed" if confirmation else None)
    summary = {"invalid": "投诉不成立,已婉转答复顾客", "follow_up": "投诉结案回访"}.get(action, "顾客确认投诉处理方案")
    log_interaction(tx, {"customer_id": ticket["customer_id"], "at": when, "channel": channel, "direction": direction,
                         "kind": name, "summary": f"{summary} (投诉 #{ticket['id']})", "outcome": outcome,
                         "ref": f"complaint:{ticket['id']}"}, audit=False)


# --------------------------------------------------------------------------- opening
def open_ticket(tx, req: dict, *, source: str = "cli", system: bool = False) -> int:
    """Register a complaint (受理); returns the ticket id.

    ``req`` keys: customer_id, vehicle_id, vin, plate, complainant, contact_phone, channel,
    category, severity, description, received_at, promised_at, respond_due_oem,
    resolve_due_oem, source_ref, portal_id, portal_version, oem_status, handler, note.
    """
    app = tx.app
    settings = load(app)
    if not system:
        machine.check(0, [], "open", role=tx.actor.role, roles=roles_map(settings), actor=tx.actor.code)
    channel = vocab.code(req.get("channel"), vocab.CHANNELS, "channel", default="other", strict=not system)
    category = vocab.code(req.get("category"), vocab.CATEGORIES, "category", default="other", strict=not system)
    severity = vocab.code(req.get("severity"), vocab.SEVERITIES, "severity", default="normal", strict=not system)
    description = (req.get("description") or "").strip() or None
    if not description and not system:
        raise BadInput("a complaint needs a --description of what happened")
    now = app.now()
    received = parse_when(req.get("received_at"), app, what="--at") if req.get("received_at") else now
    if received > now + dt.timedelta(minutes=5) and not system:
        raise BadInput("the complaint cannot be received in the future (--at)")
    received_iso = iso(received)
    oem_respond = iso(parse_when(req.get("respond_due_oem"), app, what="respond_due"))
    oem_resolve = iso(parse_when(req.get("resolve_due_oem"), app, what="resolve_due"))
    promised = iso(parse_when(req.get("promised_at"), app, what="--promised")) if req.get("promised_at") else None
    handler = req.get("handler")
    if handler is None and tx.actor.role in settings.handler_roles:
        handler = tx.actor.code
    priority = vocab.SEVERITY_PRIORITY[severity]
    oem_status = req.get("oem_status")
    if oem_status in OEM_RAISING:
        priority = max(priority - 1, 0)
    repeat_of = find_repeat(tx.store, req.get("customer_id"), req.get("vehicle_id"), req.get("vin"), received,
                            settings)
    fields = {
        "customer_id": req.get("customer_id"), "vehicle_id": req.get("vehicle_id"), "vin": req.get("vin"),
        "plate": req.get("plate"), "complainant": req.get("complainant"), "contact_phone": req.get("contact_phone"),
        "channel": channel, "source": source, "source_ref": req.get("source_ref"),
        "portal_id": req.get("portal_id"), "portal_version": req.get("portal_version"), "oem_status": oem_status,
        "category": category, "severity": severity, "priority": priority, "description": description,
        "state": "registered", "handler": handler, "promised_at": promised,
        "respond_due_oem": oem_respond, "resolve_due_oem": oem_resolve, "repeat_of": repeat_of,
        "received_at": received_iso, "created_at": tx.now, "updated_at": tx.now,
    }
    tid = store.insert_ticket(tx, fields)
    data = {
        "received_at": received_iso, "source": source, "source_ref": req.get("source_ref"),
        "repeat_of": repeat_of, "oem_status": oem_status,
        "set": {"severity": severity, "category": category, "channel": channel,
                "respond_due_oem": oem_respond, "resolve_due_oem": oem_resolve},
    }
    data["set"] = {k: v for k, v in data["set"].items() if v is not None}
    event = store.add_event(tx, tid, action="open", from_state=None, to_state="registered", at=received_iso,
                            note=req.get("note"), data=data,
                            actor=tx.actor.code if tx.actor.is_staff or not system else source)
    if promised is None:  # what the customer is told: the resolve deadline, unless given
        t = timings.compute([event], settings, app.now(), app.tz, app.calendar)
        promised = iso(t["resolve_due"])
        store.update_ticket(tx, tid, {"promised_at": promised})
    if req.get("customer_id"):
        log_interaction(tx, {"customer_id": req["customer_id"], "at": received_iso,
                             "channel": vocab.LOG_CHANNELS.get(channel, "other"), "direction": "in", "kind": "complaint",
                             "summary": f"投诉受理: {vocab.label(category, vocab.CATEGORIES)} (投诉 #{tid})",
                             "ref": f"complaint:{tid}"}, audit=False)
    tx.audit("open", "complaint", [tid], detail={"source": source, "channel": channel, "severity": severity,
                                                  "repeat_of": repeat_of})
    return tid


OEM_RAISING = ("escalated", "customer_called_again", "reopened")


def find_repeat(st, customer_id, vehicle_id, vin, received: dt.datetime, settings: Settings) -> int | None:
    """The latest earlier complaint by the same customer or about the same vehicle in the window."""
    if not (customer_id or vehicle_id or vin) or settings.repeat_window_days <= 0:
        return None
    since = iso(received - dt.timedelta(days=settings.repeat_window_days))
    conds, params = [], []
    if customer_id:
        conds.append("customer_id = ?")
        params.append(customer_id)
    if vehicle_id:
        conds.append("vehicle_id = ?")
        params.append(vehicle_id)
    if vin:
        conds.append("vin = ?")
        params.append(vin)
    return st.scalar(
        f"SELECT id FROM complaints_tickets WHERE ({' OR '.join(conds)}) AND received_at >= ? AND received_at <= ?"
        " ORDER BY received_at DESC, id DESC LIMIT 1", (*params, since, iso(received)))
