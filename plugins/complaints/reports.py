"""The classification statistics (顾客投诉分类统计表) and the report/agenda contributions."""

from __future__ import annotations

import datetime as dt
import re

from crm.errors import BadInput

from . import group, machine, views, vocab

BY = {
    "category": ("投诉类别", vocab.CATEGORIES),
    "dept": ("责任部门", vocab.DEPARTMENTS),
    "channel": ("投诉渠道", vocab.CHANNELS),
    "severity": ("严重程度", vocab.SEVERITIES),
    "handler": ("处理人", {}),  # per-handler response and resolution times
}

STAT_COLUMNS = ["key", "label", "count", "invalid", "invalid_rate", "open", "resolved", "resolution_rate",
                "avg_respond_hours", "max_respond_hours", "avg_resolve_hours", "max_resolve_hours", "on_time_rate",
                "repeat", "repeat_rate", "paused_hours", "causes", "improvements"]
HEADERS = {
    "key": "代码", "label": "分类", "count": "投诉数", "invalid": "无效数", "invalid_rate": "无效率", "open": "未结案",
    "avg_respond_hours": "平均响应(工时)", "max_respond_hours": "最长响应(工时)",
    "avg_resolve_hours": "平均解决(工时)", "max_resolve_hours": "最长解决(工时)", "on_time_rate": "按时率",
    "repeat": "重复投诉", "repeat_rate": "重复率", "paused_hours": "暂停(工时)",
    "resolved": "已解决", "resolution_rate": "解决率", "causes": "原因分析", "improvements": "改进对策",
}
EN_HEADERS = {
    "key": "code", "label": "category", "count": "complaints", "invalid": "invalid", "invalid_rate": "invalid rate",
    "open": "open", "avg_respond_hours": "avg. response (h)", "max_respond_hours": "longest response (h)",
    "avg_resolve_hours": "avg. resolution (h)", "max_resolve_hours": "longest resolution (h)",
    "on_time_rate": "on-time rate", "repeat": "repeats", "repeat_rate": "repeat rate", "paused_hours": "paused (h)",
    "resolved": "resolved", "resolution_rate": "resolution rate", "causes": "causes", "improvements": "improvements",
}
RATES = ("invalid_rate", "on_time_rate", "repeat_rate", "resolution_rate")


def parse_period(text: str) -> tuple[dt.date, dt.date, str]:
    """``2026-11`` | ``2026`` | ``2026-Q4`` | ``2026-11-01..2026-11-15`` → (start, end exclusive, label)."""
    text = (text or "").strip()
    try:
        if m := re.fullmatch(r"(\d{4})-(\d{2})", text):
            y, mo = int(m[1]), int(m[2])
            start = dt.date(y, mo, 1)
            end = dt.date(y + (mo == 12), mo % 12 + 1, 1)
            return start, end, f"{y}年{mo}月"
        if m := re.fullmatch(r"(\d{4})-[Qq]([1-4])", text):
            y, q = int(m[1]), int(m[2])
            start = dt.date(y, 3 * q - 2, 1)
            end = dt.date(y + (q == 4), (3 * q) % 12 + 1, 1)
            return start, end, f"{y}年第{q}季度"
        if m := re.fullmatch(r"(\d{4})", text):
            y = int(m[1])
            return dt.date(y, 1, 1), dt.date(y + 1, 1, 1), f"{y}年"
        if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", text):
            start, last = dt.date.fromisoformat(m[1]), dt.date.fromisoformat(m[2])
            if last < start:
                raise ValueError
            return start, last + dt.timedelta(days=1), f"{start} 至 {last}"
    except ValueError:
        pass
    raise BadInput(f"--period {text!r}: use 2026-11, 2026-Q4, 2026 or 2026-11-01..2026-11-15")


def _key(ticket: dict, by: str) -> str:
    if by == "category":
        return ticket["final_category"] or ticket["category"]
    if by == "dept":
        return ticket["responsible_dept"] or "unassigned"
    if by == "handler":
        return ticket["handler"] or "unassigned"
    return ticket[by]


def _texts(pairs, key: str) -> str | None:
    """The distinct summary texts of the group (latest summary of each ticket), most frequent first."""
    counts: dict[str, int] = {}
    for ticket, _t in pairs:
        text = (ticket.get("_summary") or {}).get(key)
        if text and text != "[erased]":
            counts[text] = counts.get(text, 0) + 1
    if not counts:
        return None
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return "; ".join(f"{text} ({n})" if n > 1 else text for text, n in ranked)


def _figures(pairs) -> dict:
    count = len(pairs)
    invalid = sum(1 for k, _ in pairs if k["state"] == "invalid")
    open_ = sum(1 for k, _ in pairs if k["state"] not in machine.DONE_STATES)
    responded = [t["respond_hours"] for _, t in pairs if t["responded_at"] is not None]
    resolved = [t["resolve_hours"] for k, t in pairs if k["state"] == "closed" and t["resolved_at"] is not None]
    decided = [(k, t) for k, t in pairs
               if t["resolved_at"] is not None or t["overdue"] or (t["responded_at"] and t["respond_on_time"] is False)]
    on_time = sum(1 for _, t in decided if t["respond_on_time"] is not False and t["resolve_on_time"] is True)
    repeat = sum(1 for k, _ in pairs if k["repeat_of"])
    valid = count - invalid
    closed = sum(1 for k, _ in pairs if k["state"] == "closed")

    def avg(xs):  # as the report's figures (group.py: exact sums of hundredths of an hour)
        return group.average_hours(sum(group.centihours(x) for x in xs), len(xs))

    return {
        "count": count, "invalid": invalid, "invalid_rate": round(invalid / count, 4) if count else None,
        "open": open_, "avg_respond_hours": avg(responded), "max_respond_hours": max(responded) if responded else None,
        "avg_resolve_hours": avg(resolved), "max_resolve_hours": max(resolved) if resolved else None,
        "on_time_rate": round(on_time / len(decided), 4) if decided else None,
        "repeat": repeat, "repeat_rate": round(repeat / count, 4) if count else None,
        "paused_hours": round(sum(t["paused_hours"] for _, t in pairs), 2),
        # 解决率: valid complaints closed (resolved, confirmed by the customer) / valid complaints received
        "resolved": closed, "resolution_rate": round(closed / valid, 4) if valid else None,
        "causes": _texts(pairs, "root_cause"), "improvements": _texts(pairs, "lessons"),
    }


def period_pairs(app, start: dt.date, end: dt.date, st=None):
    tz = app.tz
    since = dt.datetime.combine(start, dt.time(0), tz).isoformat(timespec="seconds")
    until = dt.datetime.combine(end, dt.time(0), tz).isoformat(timespec="seconds")
    tickets = views.query_tickets(st or app.store, include_done=True, since=since, until=until)
    summaries = _summaries(st or app.store, [t["id"] for t in tickets])
    for ticket in tickets:
        ticket["_summary"] = summaries.get(ticket["id"])
    return views.with_timings(app, tickets, st)


def _summaries(st, ids: list[int]) -> dict[int, dict]:
    """The latest ``summarize`` event's data of each ticket (root cause, lessons)."""
    import json

    out: dict[int, dict] = {}
    for chunk in range(0, len(ids), 500):
        part = ids[chunk:chunk + 500]
        for row in st.query(f"SELECT ticket_id, data FROM complaints_events WHERE action = 'summarize'"
                            f" AND ticket_id IN ({','.join('?' * len(part))}) ORDER BY ticket_id, seq", tuple(part)):
            out[row["ticket_id"]] = json.loads(row["data"] or "{}")
    return out


def stats(app, start: dt.date, end: dt.date, by: str, pairs=None) -> tuple[list[dict], dict]:
    if by not in BY:
        raise BadInput(f"--by {by!r}: use one of {', '.join(BY)}")
    title, vocab_ = BY[by]
    pairs = period_pairs(app, start, end) if pairs is None else pairs
    groups: dict[str, list] = {}
    for pair in pairs:
        groups.setdefault(_key(pair[0], by), []).append(pair)
    order = list(vocab_) + ["unassigned"]
    names = {}
    if by == "handler":
        names = {r["code"]: r["name"] for r in app.store.query("SELECT code, name FROM staff")}
    rows = []
    for key in sorted(groups, key=lambda k: (order.index(k) if k in order else len(order), k)):
        label = "未定" if key == "unassigned" else (names.get(key, key) if by == "handler" else vocab.label(key, vocab_))
        rows.append({"key": key, "label": label, **_figures(groups[key])})
    total = {"key": "total", "label": "合计", **_figures(pairs)}
    return rows, total


def pct(value) -> str | None:
    return None if value is None else f"{value * 100:.1f}%"


def for_table(rows: list[dict]) -> list[dict]:
    return [{k: (pct(v) if k in RATES else v) for k, v in row.items()} for row in rows]


# ----------------------------------------------------------------- contributions
def report_sections(app, report: dict) -> list[dict] | None:
    start, end = report.get("start"), report.get("end")
    if not (isinstance(start, dt.date) and isinstance(end, dt.date)):
        return None
    end_excl = end + dt.timedelta(days=1)
    pairs = period_pairs(app, start, end_excl)
    rows, total = stats(app, start, end_excl, "category", pairs)
    # the figures: the same compute as the dealer group's report (group.py), from the same counts
    value = group.compute(group.counts_of(pairs))
    prev = None
    if report.get("previous"):
        p_start, p_end = report["previous"]
        prev = group.compute(group.counts_of(period_pairs(app, p_start, p_end + dt.timedelta(days=1))))
    docs = {
        "count": ({"zh_CN": "投诉数", "en": "complaints"}, "",
                  {"zh_CN": "本期受理的顾客投诉数。", "en": "complaints received in the period (顾客投诉数)"}),
        "invalid_rate": ({"zh_CN": "无效投诉率", "en": "invalid rate"}, "%",
                         {"zh_CN": "判定为无效的投诉 ÷ 受理的投诉。", "en": "judged invalid / received"}),
        "on_time_rate": ({"zh_CN": "投诉按时处理率", "en": "on-time rate"}, "%",
                         {"zh_CN": "在时限内响应且在时限内解决的投诉 ÷ 已有结果的投诉。",
                          "en": "responded and resolved by their deadlines / decided tickets"}),
        "avg_respond_hours": ({"zh_CN": "平均响应时间", "en": "average response"}, "h",
                              {"zh_CN": "从受理到首次判定的工作小时数的平均值。",
                               "en": "working hours from receipt to the first judgement"}),
        "avg_resolve_hours": ({"zh_CN": "平均解决时间", "en": "average resolution"}, "h",
                              {"zh_CN": "从受理到结案的工作小时数的平均值,暂停时间不计。",
                               "en": "working hours from receipt to closing, pauses excluded"}),
        "repeat_rate": ({"zh_CN": "重复投诉率", "en": "repeat rate"}, "%",
                        {"zh_CN": "重复投诉(同一顾客或车辆在设定期限内再次投诉) ÷ 受理的投诉。",
                         "en": "repeat complaints (same customer or vehicle within the window) / received"}),
    }
    keys = {"count": "complaints"}
    figures = []
    for key, (name, unit, doc) in docs.items():
        full = f"complaints.{keys.get(key, key)}"
        figures.append({"key": keys.get(key, key), "name": name, "value": value[full],
                        "previous": prev[full] if prev else None, "unit": unit,
                        "doc": doc, "better": "down" if key in ("invalid_rate", "repeat_rate") else None})
    columns = ["label", "count", "invalid", "invalid_rate", "open", "avg_respond_hours", "avg_resolve_hours",
               "on_time_rate", "repeat_rate"]
    table = [{k: (round(v * 100, 1) if k in RATES and v is not None else v) for k, v in r.items()}
             for r in rows + [total]] if rows else []
    if report.get("lang") == "en":
        for r in table:
            r["label"] = "total" if r["key"] == "total" else str(r["key"]).replace("_", " ")
    problem_list = [problems(app, start, end)] if report.get("kind") == "monthly" else []
    return [{"key": "complaints", "title": {"zh_CN": "顾客投诉分类统计", "en": "Complaints by category"},
             "rows": table, "columns": columns, "percent": list(RATES),
             "labels": {c: {"zh_CN": HEADERS[c], "en": EN_HEADERS[c]} for c in columns},
             "empty": {"zh_CN": "本期无顾客投诉", "en": "No complaints in this period"},
             "chart": {"type": "bar", "x": "label", "y": ["count"], "exclude": ["合计", "total"]} if len(rows) > 1 else None,
             "figures": figures}, *problem_list]


def agenda_items(app, agenda: dict) -> list[dict] | None:
    from .settings import load

    day = agenda.get("day") or app.today()
    staff = agenda.get("staff")
    settings = load(app)
    st = app.store
    is_manager = False
    if staff:
        role = st.scalar("SELECT role FROM staff WHERE code = ?", (staff,))
        is_manager = app.permissions.allows(role, "complaints.approve")
    items = []
    for ticket, t in views.with_timings(app, views.query_tickets(st)):
        mine = (not staff or ticket["handler"] == staff or (is_manager and ticket["escalation_level"])
                or (is_manager and ticket["state"] == "proposed"))
        if not mine:
            continue
        due = t["next_due"]
        kind = "respond" if t["responded_at"] is None else "resolve"
        label = vocab.label(ticket["final_category"] or ticket["category"], vocab.CATEGORIES)
        if t["overdue"]:
            items.append({"kind": "complaint", "priority": 0, "due": due.isoformat() if due else None,
                          "customer_id": ticket["customer_id"], "ref": f"complaint:{ticket['id']}",
                          "title": f"投诉 #{ticket['id']} {label}: {kind} overdue by {t['overdue_hours']:g}h"})
        elif due is not None and due.date() == day:
            items.append({"kind": "complaint", "priority": ticket["priority"], "due": due.isoformat(),
                          "customer_id": ticket["customer_id"], "ref": f"complaint:{ticket['id']}",
                          "title": f"投诉 #{ticket['id']} {label}: {kind} by {due:%H:%M}"})
        elif is_manager and ticket["state"] == "proposed":
            adue = t.get("approve_due")
            late = f", approval overdue +{t['approve_overdue_hours']:g}h" if t.get("approve_overdue") else ""
            items.append({"kind": "complaint", "priority": 0 if late else ticket["priority"],
                          "due": adue.isoformat() if adue else None,
                          "customer_id": ticket["customer_id"], "ref": f"complaint:{ticket['id']}",
                          "title": f"投诉 #{ticket['id']} {label}: "
                                   + (f"approval overdue +{t['approve_overdue_hours']:g}h (批示 by {adue:%m-%d %H:%M})"
                                      if late else "solution waits for approval"
                                      + (f" (批示 by {adue:%m-%d %H:%M})" if adue else ""))})
    # follow-up calls due (when no callbacks plugin took them, they show here)
    closed = st.query("SELECT t.id, t.customer_id, t.handler, t.category, t.final_category, e.data FROM complaints_tickets t"
                      " JOIN complaints_events e ON e.ticket_id = t.id AND e.action = 'close'"
                      " WHERE t.state = 'closed' AND NOT EXISTS (SELECT 1 FROM complaints_events f"
                      " WHERE f.ticket_id = t.id AND f.action = 'follow_up' AND f.seq > e.seq)"
                      " AND e.seq = (SELECT MAX(seq) FROM complaints_events g WHERE g.ticket_id = t.id AND g.action = 'close')")
    import json

    for row in closed:
        follow = (json.loads(row["data"] or "{}")).get("followup") or {}
        if follow.get("task") or not follow.get("due_on") or follow["due_on"] > day.isoformat():
            continue
        if staff and row["handler"] != staff:
            continue
        items.append({"kind": "complaint_followup", "priority": 2, "due": follow["due_on"],
                      "customer_id": row["customer_id"], "ref": f"complaint:{row['id']}",
                      "title": f"投诉 #{row['id']} 结案回访 (crm complaints follow-up {row['id']} --result ...)"})
    return items


def customer_sections(app, customer: dict) -> list[dict] | None:
    pairs = views.with_timings(app, views.query_tickets(app.store, include_done=True, customer=customer["id"]))
    if not pairs:
        return None
    rows = [views.list_row(k, t) for k, t in pairs]
    return [{"title": "Complaints (投诉)", "rows": rows,
             "columns": ["id", "received", "channel", "category", "severity", "state", "next_due", "overdue", "flags"]}]


def problems(app, start: dt.date, end: dt.date) -> dict:
    """本月顾客投诉的问题及处理: each complaint received in the month — what it was about, how
    it was resolved (the solution carried out, the lessons / 改进对策 of its summary) and the
    corrective action (整改项) raised from it."""
    import json

    from crm.api import Ref, corrective_action_text, corrective_actions_for

    tickets = app.store.query(
        "SELECT t.id, t.received_at, t.category, t.final_category, t.description, t.state, t.handler,"
        " t.responsible_dept, c.name FROM complaints_tickets t LEFT JOIN customers c ON c.id = t.customer_id"
        " WHERE t.received_at >= ? AND t.received_at < ? ORDER BY t.received_at, t.id",
        (start.isoformat(), (end + dt.timedelta(days=1)).isoformat()))
    steps: dict = {}
    if tickets:
        marks = ",".join("?" * len(tickets))
        for e in app.store.query(f"SELECT ticket_id, action, data FROM complaints_events WHERE ticket_id IN ({marks})"
                                 " AND action IN ('implement', 'summarize') ORDER BY seq", [t["id"] for t in tickets]):
            steps.setdefault(e["ticket_id"], {})[e["action"]] = json.loads(e["data"] or "{}")
    raised = corrective_actions_for(app.store, [Ref("complaint", t["id"]) for t in tickets])
    rows = []
    for t in tickets:
        done = steps.get(t["id"], {})
        how = [x for x in (done.get("implement", {}).get("actions"),
                           f"改进对策: {done['summarize']['lessons']}" if done.get("summarize", {}).get("lessons") else None)
               if x]
        items = raised.get(f"complaint:{t['id']}") or []
        rows.append({"date": t["received_at"][:10], "source": "投诉", "customer": t["name"],
                     "result": machine.STATES.get(t["state"], t["state"]),
                     "problem": " ".join(x for x in (vocab.label(t["final_category"] or t["category"], vocab.CATEGORIES),
                                                     t["description"]) if x),
                     "resolution": "; ".join(how) or "处理中",
                     "action": "; ".join(corrective_action_text(a) for a in items) or "未立整改项",
                     "specialist": t["handler"], "ref": f"complaint:{t['id']}"})
    columns = ["date", "customer", "result", "problem", "resolution", "action", "specialist"]
    labels = {"date": ("日期", "date"), "customer": ("客户", "customer"), "result": ("状态", "state"),
              "problem": ("问题", "problem"), "resolution": ("处理", "how it was resolved"),
              "action": ("整改项", "corrective action"), "specialist": ("处理人", "handler")}
    return {"key": "complaints_problems", "title": {"zh_CN": "本月顾客投诉的问题及处理", "en": "Complaints of the month and how each was resolved"},
            "rows": rows, "columns": columns, "figures": [],
            "labels": {c: {"zh_CN": zh, "en": en} for c, (zh, en) in labels.items()},
            "empty": {"zh_CN": "本月无顾客投诉", "en": "No complaints this month"}}


def describe(app, ref) -> dict | None:
    """``describe_ref`` for ``complaint:ID``: the ticket's category and description, with the
    lessons (改进对策) of its summary when it has one."""
    if not ref.is_a("complaint"):
        return None
    import json

    t = app.store.query_one("SELECT id, customer_id, category, final_category, description FROM complaints_tickets"
                            " WHERE id = ?", (ref.id,))
    if t is None:
        return None
    lessons = app.store.scalar("SELECT data FROM complaints_events WHERE ticket_id = ? AND action = 'summarize'"
                               " ORDER BY seq DESC LIMIT 1", (ref.id,))
    lessons = (json.loads(lessons or "{}") or {}).get("lessons")
    label = vocab.label(t["final_category"] or t["category"], vocab.CATEGORIES)
    problem = f"投诉 #{t['id']} {label}: {t['description'] or ''}".strip() + (f" (改进对策: {lessons})" if lessons else "")
    return {"ref": ref, "customer_id": t["customer_id"], "problem": problem}
