"""Rows for ``list``, ``overdue``, ``show`` and the contributions (read-only)."""

from __future__ import annotations

import datetime as dt

from crm.api import Where
from crm.errors import BadInput

from . import machine, store, timings, vocab
from .settings import load

LIST_COLUMNS = ["id", "received", "customer", "plate", "channel", "category", "severity", "priority",
                "state", "handler", "next_due", "overdue", "flags"]


def _short(moment) -> str | None:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else None


def flags_of(ticket: dict, t: dict | None = None) -> list[str]:
    out = []
    if ticket["repeat_of"]:
        out.append(f"repeat of #{ticket['repeat_of']}")
    if ticket["oem_status"] in ("escalated", "customer_called_again", "reopened"):
        out.append(f"OEM {ticket['oem_status']}")
    if ticket["escalation_level"]:
        out.append(f"escalated L{ticket['escalation_level']}")
    if ticket["paused_reason"]:
        out.append(f"paused ({ticket['paused_reason']})")
    if ticket["portal_id"]:
        out.append(f"portal {ticket['portal_id']}")
    if t is not None and t.get("approve_overdue"):
        out.append(f"approval overdue +{t['approve_overdue_hours']:g}h")
    return out


def query_tickets(st, *, states=None, include_done=False, severity=None, channel=None, category=None,
                  dept=None, customer=None, handler=None, since=None, until=None, ids=None) -> list[dict]:
    w = Where()
    if states:
        bad = [s for s in states if s not in machine.STATES]
        if bad:
            raise BadInput(f"unknown state {bad[0]!r}; states: {', '.join(machine.STATES)}")
        w.among("t.state", states)
    elif not include_done:
        w.among("t.state", machine.OPEN_STATES)
    for column, value, vocab_, what in (("severity", severity, vocab.SEVERITIES, "severity"),
                                        ("channel", channel, vocab.CHANNELS, "channel"),
                                        ("responsible_dept", dept, vocab.DEPARTMENTS, "department")):
        w.equal(f"t.{column}", vocab.code(value, vocab_, what) if value else None)
    w.equal("COALESCE(t.final_category, t.category)",
            vocab.code(category, vocab.CATEGORIES, "category") if category else None)
    w.equal("t.customer_id", customer).equal("t.handler", handler)
    if since:
        w.add("t.received_at >= ?", since)
    if until:
        w.add("t.received_at < ?", until)
    if ids is not None:
        w.among("t.id", ids)
    sql = ("SELECT t.*, c.name AS customer_name FROM complaints_tickets t"
           " LEFT JOIN customers c ON c.id = t.customer_id")
    return st.query(sql + w.sql() + " ORDER BY t.id", tuple(w.params))


def with_timings(app, tickets: list[dict], st=None) -> list[tuple[dict, dict]]:
    settings = load(app)
    evs = store.events_of_many(st or app.store, [t["id"] for t in tickets])
    now = app.now()
    return [(t, timings.compute(evs[t["id"]], settings, now, app.tz, app.calendar)) for t in tickets]


def list_row(ticket: dict, t: dict) -> dict:
    overdue = None
    if t["overdue"]:
        overdue = f"{t['overdue']} +{t['overdue_hours']:g}h"
    return {
        "id": ticket["id"], "received": _short(t["received_at"]),
        "customer": ticket.get("customer_name") or ticket["complainant"], "plate": ticket["plate"],
        "channel": ticket["channel"], "category": ticket["final_category"] or ticket["category"],
        "severity": ticket["severity"], "priority": f"P{ticket['priority']}", "state": ticket["state"],
        "handler": ticket["handler"], "next_due": _short(t["next_due"]), "overdue": overdue,
        "flags": ", ".join(flags_of(ticket, t)) or None,
    }


def rows_for_list(app, *, overdue_only=False, **filters) -> list[dict]:
    pairs = with_timings(app, query_tickets(app.store, **filters))
    if overdue_only:
        pairs = [(k, t) for k, t in pairs if t["overdue"]]
        pairs.sort(key=lambda p: (-p[1]["overdue_hours"], p[0]["priority"], p[0]["id"]))
    else:
        pairs.sort(key=lambda p: (p[0]["state"] in machine.DONE_STATES, p[0]["priority"],
                                  p[1]["next_due"] or dt.datetime.max.replace(tzinfo=app.tz), p[0]["id"]))
    return [list_row(k, t) for k, t in pairs]


def _lv(code_, vocab_) -> str | None:
    return f"{code_} ({vocab.label(code_, vocab_)})" if code_ else None


def describe_data(action: str, data: dict) -> str:
    """The event's data as one readable line for the timeline."""
    d = dict(data)
    bits = []
    if action == "open":
        s = d.get("set", {})
        bits.append(f"{vocab.label(s.get('channel'), vocab.CHANNELS)} · {vocab.label(s.get('category'), vocab.CATEGORIES)}"
                    f" · {vocab.label(s.get('severity'), vocab.SEVERITIES)}")
        if d.get("repeat_of"):
            bits.append(f"重复投诉 (前次 #{d['repeat_of']})")
        if s.get("respond_due_oem") or s.get("resolve_due_oem"):
            bits.append(f"厂家期限 响应 {s.get('respond_due_oem') or '—'} 解决 {s.get('resolve_due_oem') or '—'}")
    labels = {"reason": "原因", "reply": "答复", "dept": "责任部门", "person": "责任人", "findings": "调查结果",
              "solution": "方案", "compensation": "补偿", "actions": "措施", "penalty": "处罚", "feedback": "反馈",
              "root_cause": "根本原因", "final_category": "最终分类", "lessons": "经验教训", "result": "回访结果",
              "to": "给", "level": "级别", "promised_at": "承诺解决时间", "option": "方案",
              "cost": "费用(元)", "interim": "临时方案", "told_via": "告知方式", "penalty_person": "处罚(责任人)",
              "penalty_dept": "处罚(部门主管)", "name": "姓名", "title": "职务", "contact": "联系方式",
              "route_to": "交由"}
    for key, name in labels.items():
        if key in d and action != "open":
            value = d[key]
            if key == "dept":
                value = vocab.label(value, vocab.DEPARTMENTS)
            elif key == "final_category":
                value = vocab.label(value, vocab.CATEGORIES)
            elif key == "result":
                value = vocab.label(value, vocab.FOLLOWUP_RESULTS)
            elif key == "reason" and action == "pause":
                value = vocab.label(value, vocab.PAUSE_REASONS)
            elif key == "told_via":
                value = vocab.label(value, vocab.CONFIRM_VIA)
            elif key == "option":
                value = f"#{value}"
            elif isinstance(value, list):
                value = ", ".join(map(str, value))
            bits.append(f"{name}: {value}")
    if d.get("confirmation"):
        c = d["confirmation"]
        bits.append(f"顾客确认: {c.get('by')} / {vocab.label(c.get('via'), vocab.CONFIRM_VIA)} / {str(c.get('at'))[:16].replace('T', ' ')}")
        if c.get("signature"):
            bits.append(f"签字文件: {c['signature']['file']} sha256 {c['signature']['sha256'][:16]}…")
    if d.get("routed"):
        bits.append("按分类派至责任部门 (complaints.routing)")
    if d.get("followup"):
        f = d["followup"]
        bits.append(f"回访安排 {f.get('due_on')}" + (f" (task {f['task']})" if f.get("task") else " (no callbacks plugin: record with follow-up)"))
    if d.get("portal"):
        bits.append("→ 厂家: " + ", ".join(p["type"] for p in d["portal"]))
    if d.get("oem_text"):
        bits.append("厂家内容变更: " + ", ".join(sorted(d["oem_text"])))
    return " · ".join(bits)


def timeline(events: list[dict]) -> list[dict]:
    rows = []
    for ev in events:
        change = ev["to_state"] if ev["from_state"] in (None, ev["to_state"]) else \
            f"{ev['from_state']} → {ev['to_state']}"
        rows.append({"seq": ev["seq"], "at": ev["at"].replace("T", " ")[:16], "step": ev["action"],
                     "步骤": machine.ACTIONS.get(ev["action"], ev["action"]), "state": change,
                     "actor": ev["actor"], "note": ev["note"], "details": describe_data(ev["action"], ev["data"])})
    return rows


def ticket_record(app, ticket: dict, t: dict) -> dict:
    customer = None
    if ticket["customer_id"]:
        customer = app.store.query_one("SELECT id, name, mobile FROM customers WHERE id = ?", (ticket["customer_id"],))
    phone = ticket["contact_phone"] or (customer or {}).get("mobile")
    masked = app.mask({"phone": phone})["phone"] if phone else None
    rec = {
        "id": ticket["id"], "state": f"{ticket['state']} ({machine.STATES[ticket['state']]})",
        "customer": f"{customer['name']} (#{customer['id']})" if customer else None,
        "complainant": ticket["complainant"], "phone": masked,
        "vehicle": " ".join(x for x in (ticket["plate"], ticket["vin"]) if x) or None,
        "channel": _lv(ticket["channel"], vocab.CHANNELS), "source": ticket["source"]
        + (f" {ticket['source_ref']}" if ticket["source_ref"] else ""),
        "category": _lv(ticket["category"], vocab.CATEGORIES),
        "final_category": _lv(ticket["final_category"], vocab.CATEGORIES),
        "severity": _lv(ticket["severity"], vocab.SEVERITIES), "priority": f"P{ticket['priority']}",
        "oem_status": ticket["oem_status"], "description": ticket["description"],
        "responsible_dept": _lv(ticket["responsible_dept"], vocab.DEPARTMENTS),
        "responsible_person": ticket["responsible_person"], "handler": ticket["handler"],
        "received_at": _short(t["received_at"]), "promised_at": (ticket["promised_at"] or "").replace("T", " ")[:16] or None,
        "respond_due": f"{_short(t['respond_due']) or 'paused'} ({t['respond_due_source']})",
        "responded_at": _short(t["responded_at"]), "respond_hours": t["respond_hours"],
        "resolve_due": f"{_short(t['resolve_due']) or 'paused'} ({t['resolve_due_source']})",
        "resolved_at": _short(t["resolved_at"]), "resolve_hours": t["resolve_hours"],
        "paused_hours": t["paused_hours"],
        "approve_due": (f"{_short(t['approve_due'])}" + (f" ({t['approve_decision']}d {_short(t['approved_at'])})"
                        if t.get("approved_at") else " (waiting)")) if t.get("approve_due") else None,
        "overdue": f"{t['overdue']} by {t['overdue_hours']:g} working hours" if t["overdue"] else None,
        "escalation_level": ticket["escalation_level"], "flags": ", ".join(flags_of(ticket, t)) or None,
        "next": ", ".join(machine.allowed(ticket["state"], bool(ticket["paused_reason"]))) or None,
    }
    return rec


OPTION_COLUMNS = ["option", "solution", "compensation", "cost", "by", "at", "status"]


def options_rows(events: list[dict]) -> list[dict]:
    """Every proposal with what became of it: approved, declined, pending, or not chosen."""
    rows: list[dict] = []
    current: list[dict] = []
    for ev in events:
        d = ev["data"] or {}
        if ev["action"] == "propose":
            row = {"option": d.get("option"), "solution": d.get("solution"), "compensation": d.get("compensation"),
                   "cost": d.get("cost"), "by": ev["actor"], "at": ev["at"].replace("T", " ")[:16], "status": "pending"}
            rows.append(row)
            current.append(row)
        elif ev["action"] == "approve":
            for row in current:
                row["status"] = "approved" if row["option"] == d.get("option") or len(current) == 1 else "not chosen"
            current = []
        elif ev["action"] in ("decline", "reopen"):
            for row in current:
                row["status"] = "declined" if ev["action"] == "decline" else "withdrawn"
            current = []
    return rows


def files_of(st, ticket_id: int) -> list[dict]:
    return st.query("SELECT kind, name, path, sha256, bytes, added_by, added_at FROM complaints_files"
                    " WHERE ticket_id = ? ORDER BY id", (ticket_id,))


REGISTER_FIELDS = [("id", "编号"), ("complainant", "投诉人"), ("phone", "联系电话"), ("received_at", "投诉时间"),
                   ("channel", "投诉渠道"), ("category", "投诉类别"), ("severity", "严重程度"),
                   ("description", "投诉内容"), ("vehicle", "车辆(车牌/VIN)"), ("model", "车型"),
                   ("handler", "受理人"), ("responsible_dept", "责任部门"), ("responsible_person", "责任人"),
                   ("state", "处理状态"), ("promised_at", "承诺解决时间")]


def register_form(app, ticket_id) -> dict:
    """The data of the 顾客投诉登记表 (one ticket): its fields (code → value, with the Chinese
    labels in ``REGISTER_FIELDS``) and the steps so far; the phone masked for roles that may not
    see it.  Read-only; the XLSX/HTML form is drawn from this."""
    from .settings import load

    ticket = store.get_ticket(app.store, ticket_id)
    events = store.events_of(app.store, ticket["id"])
    t = timings.compute(events, load(app), app.now(), app.tz, app.calendar)
    customer = app.store.query_one("SELECT id, name, mobile FROM customers WHERE id = ?",
                                   (ticket["customer_id"],)) if ticket["customer_id"] else None
    phone = ticket["contact_phone"] or (customer or {}).get("mobile")
    model = app.store.scalar("SELECT model FROM vehicles WHERE id = ?", (ticket["vehicle_id"],)) \
        if ticket["vehicle_id"] else None
    handler = app.store.scalar("SELECT name FROM staff WHERE code = ?", (ticket["handler"],)) if ticket["handler"] else None
    fields = {
        "id": ticket["id"], "complainant": ticket["complainant"] or (customer or {}).get("name"),
        "phone": app.mask({"phone": phone})["phone"] if phone else None,
        "received_at": _short(t["received_at"]), "channel": vocab.label(ticket["channel"], vocab.CHANNELS),
        "category": vocab.label(ticket["final_category"] or ticket["category"], vocab.CATEGORIES),
        "severity": vocab.label(ticket["severity"], vocab.SEVERITIES), "description": ticket["description"],
        "vehicle": " / ".join(x for x in (ticket["plate"], ticket["vin"]) if x) or None, "model": model,
        "handler": f"{handler} ({ticket['handler']})" if handler else ticket["handler"],
        "responsible_dept": vocab.label(ticket["responsible_dept"], vocab.DEPARTMENTS),
        "responsible_person": ticket["responsible_person"], "state": machine.STATES[ticket["state"]],
        "promised_at": (ticket["promised_at"] or "").replace("T", " ")[:16] or None,
    }
    steps = [{"at": r["at"], "step": r["步骤"], "actor": r["actor"], "details": r["details"], "note": r["note"]}
             for r in timeline(events)]
    return {"fields": fields, "labels": dict(REGISTER_FIELDS), "steps": steps, "options": options_rows(events),
            "files": files_of(app.store, ticket["id"])}


def timeline_text(rows: list[dict]) -> str:
    """The timeline as blocks: one header line per event, its note and details below (never cut)."""
    lines = []
    for r in rows:
        lines.append(f"#{r['seq']:<3} {r['at']}  {r['步骤']} ({r['step']})  {r['state']}  by {r['actor']}")
        if r["details"]:
            lines.append(f"     {r['details']}")
        if r["note"]:
            lines.append(f"     note: {r['note']}")
    return "\n".join(lines)
