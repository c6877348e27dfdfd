"""Moving a ticket through its steps: validation, the event row, side effects.

Every change to a ticket goes through :func:`transition` (or :func:`open_ticket`), inside
the caller's write transaction: the state machine decides, the event is written, the
ticket's listing fields follow, the portal and the callbacks plugin are asked for their
services (clean no-ops when they are absent), and the audit log gets a line.
"""

from __future__ import annotations

import datetime as dt

from crm.api import Ref, log_interaction
from crm.errors import BadInput, NotFound

from . import facts, machine, store, timings, vocab
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


#: who does what on a ticket, as actions of the one permission table (plugin.register_permissions)
ACTIONS = {machine.HANDLER: "complaints.handle", machine.APPROVER: "complaints.approve",
           machine.OPENER: "complaints.open"}


def roles_map(app) -> dict:
    """``{"handler": roles, "approver": roles, "opener": roles}`` from the permission table."""
    return {who: app.permissions.roles(action) for who, action in ACTIONS.items()}


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


def _step_data(tx, ticket: dict, action: str, f: dict, settings: Settings,
               events: list[dict] = ()) -> tuple[dict, dict]:
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
            # 确定被投诉的责任部门: the routing table proposes it (complaints.routing)
            route = routing_of(settings, ticket["final_category"] or ticket["category"])
            dept = route["dept"]
            data["routed"] = True
            if route["person"]:  # who handles it there (交相关负责人处理), not who is at fault
                data["route_to"] = route["person"]
        if dept:
            upd["responsible_dept"] = data["dept"] = dept
        if f.get("person"):
            upd["responsible_person"] = data["person"] = f["person"]
        if f.get("findings"):
            data["findings"] = f["findings"]
    elif action == "propose":
        _require(f, ("solution",), action, tid)
        # each proposal is an option, numbered over the ticket's life (提出不同相关解决方案)
        data["option"] = 1 + sum(1 for e in events if e["action"] == "propose")
        data["solution"] = f["solution"]
        if f.get("compensation"):
            data["compensation"] = f["compensation"]
        if f.get("cost") not in (None, ""):
            data["cost"] = _money(f["cost"], "--cost")
    elif action == "approve":
        data.update(_chosen_option(tid, events, f.get("option")))
    elif action == "interim":
        _require(f, ("solution",), action, tid)
        told = vocab.code(f.get("told_via"), vocab.CONFIRM_VIA, "channel") or "phone"
        data.update(interim=f["solution"], told_via=told)
    elif action == "penalize":
        if not (f.get("penalty_person") or f.get("penalty_dept")):
            raise BadInput(f"the penalty (处罚) of complaint {tid} needs --person and/or --dept"
                           " (what the responsible person / department receives)")
        for key in ("penalty_person", "penalty_dept"):
            if f.get(key):
                data[key] = f[key]
    elif action == "decline":
        _require(f, ("note",), action, tid)
    elif action == "implement":
        _require(f, ("actions",), action, tid)
        data["actions"] = f["actions"]
        for key in ("penalty", "feedback", "penalty_person", "penalty_dept"):
            if f.get(key):
                data[key] = f[key]
        if f.get("confirmed_via") or f.get("confirmed_by") or f.get("signature"):
            data["confirmation"] = _confirmation(tx, ticket, f.get("confirmed_by"), f.get("confirmed_via"),
                                                 f.get("confirmed_at"), f.get("signature"), settings)
            upd["confirmed_at"] = data["confirmation"]["at"]
    elif action == "confirm":
        data["confirmation"] = _confirmation(tx, ticket, f.get("by"), f.get("via"), f.get("confirmed_at"),
                                             f.get("signature"), settings)
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
    elif action == "escalate" and f.get("manual"):
        data.update(manual_escalation(tx, tid, f.get("to"), f.get("contact"), settings))
    elif action in ("escalate", "oem_update"):  # system steps: crm supplies the data
        data.update({k: v for k, v in f.items() if k not in ("note", "updates")})
        upd.update(f.get("updates") or {})
    return data, upd


def routing_of(settings: Settings, category: str) -> dict:
    """The department (and person) a category is routed to (``complaints.routing``)."""
    return settings.routing.get(category) or {"dept": vocab.CATEGORY_DEPT.get(category, "other"), "person": None}


def _money(value, what: str) -> float:
    try:
        amount = float(str(value).replace(",", "").replace("元", "").strip())
    except ValueError:
        raise BadInput(f"{what} {value!r} is not an amount of money (e.g. 800 or 800.50)") from None
    if amount < 0 or amount != amount or amount in (float("inf"),):
        raise BadInput(f"{what} {value!r} must be 0 or more")
    return round(amount, 2)


def options_of(events: list[dict]) -> list[dict]:
    """The proposals of the current round (since the last decline or reopen), oldest first."""
    round_: list[dict] = []
    for ev in events:
        if ev["action"] == "propose":
            round_.append({"option": ev["data"].get("option"), "solution": ev["data"].get("solution"),
                           "compensation": ev["data"].get("compensation"), "cost": ev["data"].get("cost"),
                           "by": ev["actor"], "at": ev["at"]})
        elif ev["action"] in ("decline", "reopen"):
            round_ = []
    return round_


def _chosen_option(tid: int, events: list[dict], option) -> dict:
    """主管领导应对投诉处理方案一一过目,选择最佳解决方案: the manager picks one of the options."""
    round_ = options_of(events)
    numbers = [o["option"] for o in round_]
    if option in (None, ""):
        if len(round_) != 1:
            raise BadInput(f"complaint {tid} has {len(round_)} proposed options ({', '.join(map(str, numbers))}):"
                           f" choose one with --option N (see 'crm complaints show {tid}')")
        chosen = round_[0]
    else:
        try:
            number = int(str(option).lstrip("#"))
        except ValueError:
            raise BadInput(f"--option {option!r} is not a number") from None
        chosen = next((o for o in round_ if o["option"] == number), None)
        if chosen is None:
            raise BadInput(f"complaint {tid} has no proposed option {number} in this round;"
                           f" options: {', '.join(map(str, numbers)) or 'none'}")
    return {k: chosen[k] for k in ("option", "solution", "compensation", "cost") if chosen.get(k) is not None}


def manual_escalation(tx, tid: int, to, contact, settings: Settings) -> dict:
    """Escalate by hand to a named superior, with how to reach them (in the timeline)."""
    if not to or not str(to).strip():
        raise BadInput(f"escalating complaint {tid} by hand needs --to NAME (a staff code or a superior"
                       " from complaints.superiors)")
    to = str(to).strip()
    out = {"manual": True, "to": to}
    superior = settings.superiors.get(to)
    staff = tx.store.query_one("SELECT code, name, role FROM staff WHERE code = ? AND active = 1", (to,))
    if superior:
        out.update(name=superior["name"], title=superior["title"])
        contact = contact or superior["phone"] or superior["email"]
    elif staff:
        out.update(name=staff["name"], title=staff["role"])
    if not contact:
        known = ", ".join(settings.superiors) or "none configured"
        raise BadInput(f"escalating complaint {tid} to {to!r} needs --contact (phone or email), or a"
                       f" complaints.superiors entry with a phone (known: {known})")
    out["contact"] = str(contact).strip()
    return out


def store_signature(tx, tid: int, source) -> dict:
    """Copy the customer's signed confirmation (photo or scan) beside the database; sha256 it."""
    import hashlib
    from pathlib import Path

    from crm.api import atomic_write

    path = Path(str(source)).expanduser()
    if not path.is_file():
        raise BadInput(f"--signature {source}: no such file (a photo or scan of the signed confirmation)")
    content = path.read_bytes()
    if not content:
        raise BadInput(f"--signature {source}: the file is empty")
    if len(content) > 25 * 1024 * 1024:
        raise BadInput(f"--signature {source}: larger than 25 MB")
    digest = hashlib.sha256(content).hexdigest()
    db = Path(tx.app.db_path)
    folder = db.parent / f"{db.stem}-files" / "complaints" / str(tid)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    stored = folder / f"{digest[:16]}{path.suffix.lower()[:10]}"
    if not stored.exists():  # content-addressed: a retry after a failed transaction reuses it
        with atomic_write(stored, "wb") as f:
            f.write(content)
    rel = stored.relative_to(db.parent).as_posix()
    tx.conn.execute(
        "INSERT INTO complaints_files (ticket_id, kind, name, path, sha256, bytes, added_by, added_at)"
        " VALUES (?, 'signature', ?, ?, ?, ?, ?, ?)",
        (tid, path.name, rel, digest, len(content), tx.actor.code, tx.now))
    return {"file": rel, "sha256": digest, "bytes": len(content), "name": path.name}


def _confirmation(tx, ticket, by, via, at, signature=None, settings: Settings | None = None) -> dict:
    wants_signature = settings is not None and settings.confirmation == "signature"
    if signature or wants_signature:
        if not signature:
            raise BadInput(f"the customer's confirmation of complaint {ticket['id']} needs --signature FILE"
                           " (a photo or scan of the signed confirmation: complaints.confirmation = \"signature\")")
        via = via or "signature"
        if vocab.code(via, vocab.CONFIRM_VIA, "confirmation channel") != "signature":
            raise BadInput("--signature goes with --via signature (签字)")
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
    out = {"by": who, "via": via_code, "at": iso(moment)}
    if signature:
        out["signature"] = store_signature(tx, ticket["id"], signature)
    return out


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
    next_state = machine.check(tid, events, action, role=tx.actor.role, roles=roles_map(tx.app),
                               actor=tx.actor.code, system=system, penalty_required=settings.penalty_required)
    if action == "escalate" and not system:
        fields["manual"] = True
    data, upd = _step_data(tx, ticket, action, fields, settings, events)
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
    facts.refresh(tx, [tid])
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
        "rule": "complaint_followup", "ref": f"complaint:{ticket['id']}", "about": Ref("complaint", ticket["id"]),
        "note": f"投诉 #{ticket['id']} 结案回访 ({vocab.label(ticket['final_category'] or ticket['category'], vocab.CATEGORIES)})",
    })
    return {"due_on": due_on.isoformat(), "task": task}


INTERACTION_KINDS = {
    "invalid": ("out", "complaint_reply"),
    "interim": ("out", "complaint_interim"),
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
    channel = "phone"
    if confirmation:
        channel = vocab.LOG_CHANNELS.get(confirmation["via"], "other")
    elif action == "interim":
        channel = vocab.LOG_CHANNELS.get(data["told_via"], "other")
    outcome = data.get("result") or ("confirmed" if confirmation else None)
    summary = {"invalid": "投诉不成立,已婉转答复顾客", "follow_up": "投诉结案回访",
               "interim": "告知顾客临时方案"}.get(action, "顾客确认投诉处理方案")
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
        machine.check(0, [], "open", role=tx.actor.role, roles=roles_map(tx.app), actor=tx.actor.code)
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
    if handler is None and tx.app.permissions.allows(tx.actor.role, "complaints.handle"):
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
    facts.refresh(tx, [tid])
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
