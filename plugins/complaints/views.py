"""Rows for ``list``, ``overdue``, ``show`` and the contributions (read-only)."""

from __future__ import annotations

import datetime as dt

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
    return out


def query_tickets(st, *, states=None, include_done=False, severity=None, channel=None, category=None,
                  dept=None, customer=None, handler=None, since=None, until=None, ids=None) -> list[dict]:
    where, params = [], []
    if states:
        bad = [s for s in states if s not in machine.STATES]
        if bad:
            raise BadInput(f"unknown state {bad[0]!r}; states: {', '.join(machine.STATES)}")
        where.append(f"t.state IN ({','.join('?' * len(states))})")
        params += states
    elif not include_done:
        where.append(f"t.state IN ({','.join('?' * len(machine.OPEN_STATES))})")
        params += machine.OPEN_STATES
    for column, value, vocab_, what in (("severity", severity, vocab.SEVERITIES, "severity"),
                                        ("channel", channel, vocab.CHANNELS, "channel"),
                                        ("responsible_dept", dept, vocab.DEPARTMENTS, "department")):
        if value:
            where.append(f"t.{column} = ?")
            params.append(vocab.code(value, vocab_, what))
    if category:
        where.append("COALESCE(t.final_category, t.category) = ?")
        params.append(vocab.code(category, vocab.CATEGORIES, "category"))
    if customer is not None:
        where.append("t.customer_id = ?")
        params.append(customer)
    if handler:
        where.append("t.handler = ?")
        params.append(handler)
    if since:
        where.append("t.received_at >= ?")
        params.append(since)
    if until:
        where.append("t.received_at < ?")
        params.append(until)
    if ids is not None:
        where.append(f"t.id IN ({','.join('?' * len(ids))})" if ids else "0")
        params += list(ids)
    sql = ("SELECT t.*, c.name AS customer_name FROM complaints_tickets t"
           " LEFT JOIN customers c ON c.id = t.customer_id")
    if where:
        sql += " WHERE " + " AND ".join(where)
    return st.query(sql + " ORDER BY t.id", tuple(params))


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
              "to": "给", "level": "级别", "promised_at": "承诺解决时间"}
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
            elif isinstance(value, list):
                value = ", ".join(map(str, value))
            bits.append(f"{name}: {value}")
    if d.get("confirmation"):
        c = d["confirmation"]
        bits.append(f"顾客确认: {c.get('by')} / {vocab.label(c.get('via'), vocab.CONFIRM_VIA)} / {str(c.get('at'))[:16].replace('T', ' ')}")
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
        "overdue": f"{t['overdue']} by {t['overdue_hours']:g} working hours" if t["overdue"] else None,
        "escalation_level": ticket["escalation_level"], "flags": ", ".join(flags_of(ticket, t)) or None,
        "next": ", ".join(machine.allowed(ticket["state"], bool(ticket["paused_reason"]))) or None,
    }
    return rec


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
