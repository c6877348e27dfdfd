"""Records and reports: the task page, the record sheet (回访记录表), the summary (回访总结报告),
and the sections the plugin contributes to reports and the agenda (a customer's page: sections.py)."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

from crm.api import Ref, corrective_action_text, corrective_actions_for, mask_phone

from .group import pct  # one rate rule for the report and the group
from .periods import parse_period
from .settings import ASPECTS, CALL_BACK, CALL_BACK_TITLE, RESULT_TITLES, RESULTS
from .store import get_task, reason_text

VISIT_TITLES = {"maintenance": "保养", "repair": "维修", "warranty": "保修", "bodypaint": "钣喷", "pdi": "PDI"}
STATUS_TITLES = {"open": "待回访", "done": "已回访", "unreachable": "未接通结案", "missed": "逾期未回访",
                 "cancelled": "已取消"}


def _phone(app, phone):
    return phone if app.may_see_personal_data else mask_phone(phone)


def _aspect_text(raw) -> str:
    return "、".join(ASPECTS.get(a, a) for a in (json.loads(raw) if raw else []))


# ----------------------------------------------------------------- task page, sections, agenda
def task_page(app, task_id) -> dict:
    task = get_task(app.store.conn, task_id)
    customer = app.store.query_one("SELECT name, coalesce(mobile, mobile2, landline) AS phone FROM customers"
                                   " WHERE id = ?", (task["customer_id"],)) or {}
    calls = app.store.query(
        "SELECT id, called_at, staff, attempt, result, score, aspects, note, suggestion, complaint_ref,"
        " appointment_id FROM callback_calls WHERE task_id = ? ORDER BY called_at, id", (task["id"],))
    for call in calls:
        call["aspects"] = _aspect_text(call["aspects"]) or None
    page = {
        "id": task["id"], "status": task["status"], "customer_id": task["customer_id"],
        "customer": customer.get("name"), "phone": customer.get("phone"),
        "why": reason_text(task["reasons"]), "rules": task["rules"], "member": bool(task["member"]),
        "start_on": task["start_on"], "due_on": task["due_on"], "last_on": task["last_on"],
        "scheduled_on": task["scheduled_on"], "assigned_to": task["assigned_to"],
        "not_by": ", ".join(task["avoid_staff"]) or None, "attempts": task["attempts"],
        "next_attempt_at": task["next_attempt_at"], "result": task["result"], "score": task["score"],
        "note": task["note"], "closed_at": task["closed_at"], "calls": calls,
    }
    return app.mask(page)


def agenda_for(app, agenda: dict) -> list[dict]:
    from .queue import due_rows

    day = agenda.get("day") or app.today()
    rows = due_rows(app, day, staff=agenda.get("staff"))
    return [{"kind": "callback", "priority": 0 if r["overdue"] else (1 if r["member"] else 2), "due": r["due_on"],
             "customer_id": r["customer_id"], "title": f"回访 {r['customer'] or ''}: {r['why']}".strip(),
             "ref": f"callback:{r['id']}"} for r in rows]


# ----------------------------------------------------------------- record sheet
SHEET_HEADERS = ["序号", "回访日期", "回访时间", "客户姓名", "联系电话", "车牌号", "车型", "工单号", "离店日期",
                 "服务类型", "服务顾问", "回访原因", "第几次", "回访结果", "满意度评分", "不满意方面", "客户意见",
                 "客户建议", "投诉单号", "预约时间", "回访专员"]


def sheet_rows(app, lo: dt.date, hi: dt.date, staff: str | None = None) -> list[dict]:
    sql = """
SELECT k.id, k.called_at, k.attempt, k.result, k.score, k.aspects, k.note, k.suggestion, k.complaint_ref,
       a.at AS appointment_at, k.staff, c.name, coalesce(c.mobile, c.mobile2, c.landline) AS phone,
       ve.plate, ve.model, vi.ro_number, vi.date_out, vi.type, vi.advisor, t.reasons
FROM callback_calls k
JOIN callback_tasks t ON t.id = k.task_id
LEFT JOIN customers c ON c.id = k.customer_id
LEFT JOIN vehicles ve ON ve.id = t.vehicle_id
LEFT JOIN visits vi ON vi.id = t.visit_id
LEFT JOIN appointments a ON a.id = k.appointment_id
WHERE k.called_at >= ? AND k.called_at < ? {staff}
ORDER BY k.called_at, k.id"""
    params = [lo.isoformat(), (hi + dt.timedelta(days=1)).isoformat()]
    if staff:
        params.append(staff)
    return app.store.query(sql.format(staff="AND k.staff = ?" if staff else ""), params)


def write_sheet(app, period: str, out: Path, staff: str | None = None) -> int:
    from .files import write_table

    from crm.api import check_target

    lo, hi = parse_period(period)
    check_target(out, (".xlsx", ".csv"))  # before the one check, which may use up an approval
    unmasked = app.unmasked_file("callbacks.sheet", filters={"period": period, "staff": staff},
                                 fmt=Path(out).suffix.lower().lstrip("."))
    rows = sheet_rows(app, lo, hi, staff)
    names = dict(app.store.conn.execute("SELECT code, name FROM staff"))
    table = []
    for n, r in enumerate(rows, 1):
        table.append([
            n, r["called_at"][:10], r["called_at"][11:16], r["name"], r["phone"] if unmasked else mask_phone(r["phone"]), r["plate"],
            r["model"], r["ro_number"], (r["date_out"] or "")[:10] or None, VISIT_TITLES.get(r["type"], r["type"]),
            names.get(r["advisor"], r["advisor"]), reason_text(json.loads(r["reasons"])), r["attempt"],
            RESULT_TITLES.get(r["result"], CALL_BACK_TITLE), r["score"], _aspect_text(r["aspects"]) or None, r["note"], r["suggestion"],
            r["complaint_ref"], (r["appointment_at"] or "").replace("T", " ") or None, names.get(r["staff"], r["staff"]),
        ])
    write_table(out, SHEET_HEADERS, table, "回访记录表")
    with app.transaction() as tx:
        tx.audit("export", "callback_call", [r["id"] for r in rows], count=len(rows),
                 detail={"kind": "回访记录表", "period": period, "file": Path(out).name})
    return len(rows)


# ----------------------------------------------------------------- summary report
def member_coverage(app, tasks: list[dict], lo: dt.date, hi: dt.date, staff: str | None = None) -> dict:
    """会员客户100%回访 (/work/shared/domain/000_a9e120ce4c3bb7a5.txt, 回访规范: 必须保证会员客户的100%的回访).

    A member is due when a task of theirs or a skipped occasion (``callback_skips``: no
    channel the member allows) falls due in the period; reached when one of their tasks is
    done, on whatever channel.  Every member not reached is listed with the reason: the
    task's status (missed, unreachable, still open) or why the plan had to skip them.
    """
    members = [t for t in tasks if t["member"]]
    skips = [] if staff else app.store.query(
        "SELECT s.customer_id, s.due_on, s.reason, s.rule, c.name, coalesce(c.mobile, c.mobile2, c.landline) AS phone"
        " FROM callback_skips s LEFT JOIN customers c ON c.id = s.customer_id"
        " WHERE s.member = 1 AND s.due_on >= ? AND s.due_on <= ? ORDER BY s.due_on, s.customer_id",
        (lo.isoformat(), hi.isoformat()))
    member_ids = {t["customer_id"] for t in members} | {s["customer_id"] for s in skips}
    reached = {t["customer_id"] for t in members if t["status"] == "done"}
    not_reached = [{"task_id": t["id"], "customer_id": t["customer_id"], "customer": t["name"],
                    "phone": _phone(app, t["phone"]), "due_on": t["due_on"], "channel": t["channel"],
                    "status": STATUS_TITLES[t["status"]], "why": STATUS_TITLES[t["status"]],
                    "specialist": t["assigned_to"]}
                   for t in members if t["status"] != "done" and t["customer_id"] not in reached]
    listed = {r["customer_id"] for r in not_reached}
    not_reached += [{"task_id": None, "customer_id": s["customer_id"], "customer": s["name"],
                     "phone": _phone(app, s["phone"]), "due_on": s["due_on"], "channel": None,
                     "status": "未回访 (skipped)", "why": s["reason"], "specialist": None}
                    for s in skips if s["customer_id"] not in reached and s["customer_id"] not in listed]
    other = {t["customer_id"] for t in members if t["status"] == "done" and t["channel"] != "phone"}
    value = _figures({"members_due": len(member_ids), "members_reached": len(reached), "members_other": len(other)})
    return {
        "key": "callbacks_members", "title": "会员回访覆盖 (目标 100%)", "rows": not_reached,
        "columns": ["task_id", "customer_id", "customer", "phone", "due_on", "channel", "status", "why",
                    "specialist"],
        "figures": [
            {"name": "应回访会员", "value": value["应回访会员"], "unit": "人",
             "doc": "members with a call due (also those the plan could not call: skipped, with the reason)"},
            {"name": "已回访会员", "value": value["已回访会员"], "unit": "人", "doc": "members reached, on any channel"},
            {"name": "会员覆盖率", "value": value["会员覆盖率"], "unit": "%",
             "doc": "members reached / members due (会员客户100%回访)"},
            {"name": "其他渠道回访会员", "value": value["其他渠道回访会员"], "unit": "人",
             "doc": "members reached by SMS, WeChat or e-mail (phone calls refused)"},
        ],
    }


def _figures(counts: dict) -> dict:
    """{figure name: value} from the counts, through the one definition of the figures
    (group.compute, which the dealer group's report uses too; the names are unique)."""
    from .group import compute

    return {key.split(".", 1)[1]: v for key, v in compute(counts).items()}


def summary(app, period: str | None = None, *, lo: dt.date | None = None, hi: dt.date | None = None,
            staff: str | None = None) -> list[dict]:
    if period is not None:
        lo, hi = parse_period(period)
    assert lo is not None and hi is not None
    store = app.store
    start, stop = lo.isoformat(), (hi + dt.timedelta(days=1)).isoformat()
    who = " AND k.staff = ?" if staff else ""
    calls = store.query(
        "SELECT k.staff, k.result, k.score, k.aspects, k.duration_s FROM callback_calls k"
        f" WHERE k.called_at >= ? AND k.called_at < ?{who}", (start, stop, *([staff] if staff else [])))
    twho = " AND t.assigned_to = ?" if staff else ""
    tasks = store.query(
        "SELECT t.id, t.customer_id, t.status, t.member, t.due_on, t.closed_at, t.assigned_to, t.channel, c.name,"
        " coalesce(c.mobile, c.mobile2, c.landline) AS phone FROM callback_tasks t"
        " LEFT JOIN customers c ON c.id = t.customer_id"
        f" WHERE t.due_on >= ? AND t.due_on <= ? AND t.status != 'cancelled'{twho}",
        (lo.isoformat(), hi.isoformat(), *([staff] if staff else [])))
    reached_calls = [c for c in calls if c["result"] != "unreachable"]
    status = Counter(t["status"] for t in tasks)
    on_time = sum(1 for t in tasks if t["status"] == "done" and (t["closed_at"] or "")[:10] <= t["due_on"])
    answered = [c for c in reached_calls if c["result"] != CALL_BACK]  # call_back: asked to be called later
    scores = [c["score"] for c in answered if c["score"] is not None]
    today = app.today().isoformat()
    overdue_tasks = [t for t in tasks if t["status"] == "missed" or (t["status"] == "open" and t["due_on"] < today)]
    # the counts behind the figures; group.compute makes the figures (the group's report too)
    value = _figures({"calls": len(calls), "reached": len(reached_calls), "tasks": len(tasks), "done": status["done"],
                      "on_time": on_time, "unreachable": status["unreachable"], "missed": status["missed"],
                      "open": status["open"], "scored": len(scores), "score_total": sum(scores),
                      "overdue": len(overdue_tasks)})
    overview = {
        "key": "callbacks", "title": f"回访总结报告 {lo.isoformat()} – {hi.isoformat()}: 回访概况", "rows": [],
        "figures": [
            {"name": "回访次数", "value": value["回访次数"], "unit": "次", "doc": "calls made in the period"},
            {"name": "接通次数", "value": value["接通次数"], "unit": "次", "doc": "calls that reached the customer"},
            {"name": "接通率", "value": value["接通率"], "unit": "%", "doc": "reached calls / calls"},
            {"name": "应回访任务", "value": value["应回访任务"], "unit": "个", "doc": "tasks due in the period"},
            {"name": "已回访", "value": value["已回访"], "unit": "个", "doc": "tasks done"},
            {"name": "按时回访率", "value": value["按时回访率"], "unit": "%",
             "doc": "tasks done by their due date / tasks due (the 3-day promise)"},
            {"name": "未接通结案", "value": value["未接通结案"], "unit": "个",
             "doc": "tasks closed unreachable after the last attempt"},
            {"name": "逾期未回访", "value": value["逾期未回访"], "unit": "个", "doc": "tasks expired as missed"},
            {"name": "待回访", "value": value["待回访"], "unit": "个", "doc": "tasks still open"},
        ],
    }
    coverage = member_coverage(app, tasks, lo, hi, staff)
    results = Counter(c["result"] for c in answered)
    distribution = {
        "key": "callbacks_satisfaction", "title": "满意度分布",
        "rows": [{"结果": RESULT_TITLES[r], "次数": results[r], "占比%": pct(results[r], len(answered))}
                 for r in RESULTS if r != "unreachable"],
        "figures": [{"name": "平均评分", "value": value["平均评分"],
                     "unit": "分", "doc": "average score 0–10 of reached calls"}],
    }
    aspects = Counter(a for c in calls if c["aspects"] for a in json.loads(c["aspects"]))
    top = {"key": "callbacks_aspects", "title": "不满意方面排行",
           "rows": [{"方面": ASPECTS.get(a, a), "次数": n} for a, n in aspects.most_common(10)], "figures": []}
    per: dict[str, dict] = {}
    for c in calls:
        row = per.setdefault(c["staff"] or "-", {"回访专员": c["staff"] or "-", "回访次数": 0, "接通": 0, "满意": 0,
                                                 "不满意": 0, "_scores": [], "逾期": 0, "_lengths": []})
        row["回访次数"] += 1
        row["接通"] += c["result"] != "unreachable"
        row["满意"] += c["result"] == "satisfied"
        row["不满意"] += c["result"] == "dissatisfied"
        if c["score"] is not None:
            row["_scores"].append(c["score"])
        if c["duration_s"]:
            row["_lengths"].append(c["duration_s"])
    for t in tasks:
        if t["status"] == "missed":
            per.setdefault(t["assigned_to"] or "-", {"回访专员": t["assigned_to"] or "-", "回访次数": 0, "接通": 0,
                                                      "满意": 0, "不满意": 0, "_scores": [], "逾期": 0,
                                                      "_lengths": []})["逾期"] += 1
    staff_rows = []
    for row in sorted(per.values(), key=lambda r: r["回访专员"]):
        s = row.pop("_scores")
        lengths = row.pop("_lengths")
        row["接通率%"] = pct(row["接通"], row["回访次数"])
        row["平均评分"] = round(sum(s) / len(s), 2) if s else None
        # 回访时间不宜过长 (the callback procedure): average and longest call, in minutes
        row["平均通话(分)"] = round(sum(lengths) / len(lengths) / 60, 1) if lengths else None
        row["最长通话(分)"] = round(max(lengths) / 60, 1) if lengths else None
        staff_rows.append(row)
    specialists = {"key": "callbacks_staff", "title": "按回访专员", "rows": staff_rows, "figures": [],
                   "columns": ["回访专员", "回访次数", "接通", "接通率%", "满意", "不满意", "平均评分", "平均通话(分)",
                               "最长通话(分)", "逾期"]}
    overdue_rows = [{"task_id": t["id"], "customer": t["name"], "due_on": t["due_on"],
                     "status": STATUS_TITLES[t["status"]], "specialist": t["assigned_to"]} for t in overdue_tasks]
    overdue = {"key": "callbacks_overdue", "title": "逾期任务", "rows": overdue_rows,
               "figures": [{"name": "逾期任务", "value": value["逾期任务"], "unit": "个",
                            "doc": "tasks past due: missed, or open after the due date"}]}
    return [overview, coverage, distribution, top, specialists, overdue]


def problems(app, lo: dt.date, hi: dt.date, staff: str | None = None) -> dict:
    """本月回访发现的问题及处理: each neutral/dissatisfied call of the period — what the customer
    said and how it was taken on (the complaint it opened, or the follow-up booked)."""
    who = " AND k.staff = ?" if staff else ""
    rows = app.store.query(
        "SELECT k.id, k.task_id, k.called_at, k.result, k.aspects, k.note, k.complaint_ref, k.appointment_id, k.staff,"
        " c.name"
        " FROM callback_calls k LEFT JOIN customers c ON c.id = k.customer_id"
        f" WHERE k.called_at >= ? AND k.called_at < ? AND k.result IN ('dissatisfied', 'neutral'){who}"
        " ORDER BY k.called_at, k.id",
        (lo.isoformat(), (hi + dt.timedelta(days=1)).isoformat(), *([staff] if staff else [])))
    raised = corrective_actions_for(app.store, [Ref("callback", r["task_id"], r["id"]) for r in rows])
    out = []
    for r in rows:
        how = (f"投诉单 #{r['complaint_ref']}" if r["complaint_ref"] else
               "已预约进店" if r["appointment_id"] else "已记录, 待改进" if r["result"] == "neutral" else "未转投诉")
        items = raised.get(str(Ref("callback", r["task_id"], r["id"]))) or []
        out.append({"date": r["called_at"][:10], "source": "回访", "customer": r["name"],
                    "result": RESULT_TITLES[r["result"]],
                    "problem": "、".join(x for x in (_aspect_text(r["aspects"]), r["note"]) if x) or None,
                    "resolution": how, "action": "; ".join(corrective_action_text(a) for a in items) or "未立整改项",
                    "specialist": r["staff"], "ref": f"callback:{r['task_id']}:{r['id']}"})
    return {"key": "callbacks_problems", "title": "本月回访发现的问题及处理", "rows": out, "figures": [],
            "columns": ["date", "customer", "result", "problem", "resolution", "action", "specialist"]}


def describe(app, ref) -> dict | None:
    """``describe_ref`` for ``callback:TASK[:CALL]``: the call (by default the task's last
    neutral or dissatisfied call, else its last call) and what the customer said."""
    if not ref.is_a("callback"):
        return None
    where, params = ("k.id = ? AND k.task_id = ?", (ref.part, ref.id)) if ref.part is not None else (
        "k.task_id = ?", (ref.id,))
    call = app.store.query_one(
        "SELECT k.id, k.task_id, k.customer_id, k.result, k.aspects, k.note FROM callback_calls k"
        f" WHERE {where} ORDER BY k.result IN ('dissatisfied', 'neutral') DESC, k.called_at DESC, k.id DESC LIMIT 1",
        params)
    if call is None:
        task = app.store.query_one("SELECT id, customer_id, reasons FROM callback_tasks WHERE id = ?", (ref.id,))
        if task is None or ref.part is not None:
            return None
        return {"ref": Ref("callback", ref.id), "customer_id": task["customer_id"], "problem": None}
    said = "、".join(x for x in (_aspect_text(call["aspects"]), call["note"]) if x)
    problem = f"回访{RESULT_TITLES.get(call['result'], call['result'])}" + (f": {said}" if said else "")
    return {"ref": Ref("callback", call["task_id"], call["id"]), "customer_id": call["customer_id"],
            "problem": problem}


def report_sections_for(app, report: dict) -> list[dict]:
    lo, hi = report.get("start"), report.get("end")
    if not lo or not hi:
        return []
    lo, hi = (d if isinstance(d, dt.date) else dt.date.fromisoformat(str(d)[:10]) for d in (lo, hi))
    sections = summary(app, lo=lo, hi=hi, staff=report.get("staff"))
    if report.get("kind") == "monthly":
        sections.append(problems(app, lo, hi, report.get("staff")))
    previous = report.get("previous")
    if previous:
        plo, phi = (d if isinstance(d, dt.date) else dt.date.fromisoformat(str(d)[:10]) for d in previous)
        before = {s["key"]: {f["name"]: f["value"] for f in s.get("figures", [])}
                  for s in summary(app, lo=plo, hi=phi, staff=report.get("staff"))}
        for s in sections:
            for f in s.get("figures", []):
                f["previous"] = before.get(s["key"], {}).get(f["name"])
    for s in sections:
        s["rows"] = [app.mask(r) for r in s["rows"]]
        if report.get("lang") == "en":
            s["rows"] = [{k: _english(v) for k, v in r.items()} for r in s["rows"]]
        if report.get("staff"):
            s["scope"] = "staff"  # summary() counted only this specialist's calls and tasks
    return [_in_both_languages(s) for s in sections]


def _english(value):
    """The plugin's Chinese words for results, task states and aspects, in English (``--lang en``)."""
    if not isinstance(value, str):
        return value
    words = {**{v: k for k, v in RESULT_TITLES.items()}, **{v: k for k, v in STATUS_TITLES.items()}, CALL_BACK_TITLE: CALL_BACK,
             **{v: k.replace("_", " ") for k, v in ASPECTS.items()}}
    return words.get(value, value)


#: the report's words in English (the plugin's own tables speak Chinese): figure names,
#: section titles and column headers; definitions in Chinese next to the English ones
FIGURES_EN = {
    "回访次数": ("callback calls", "本期回访通话次数。"), "接通次数": ("calls reached", "接通顾客的回访次数。"),
    "接通率": ("reach rate", "接通次数 ÷ 回访次数。"), "应回访任务": ("callbacks due", "应回访日期在本期内的回访任务数。"),
    "已回访": ("callbacks done", "已完成回访的任务数。"),
    "按时回访率": ("on-time callback rate", "在应回访日期前完成的任务 ÷ 应回访任务(三日内回访)。"),
    "未接通结案": ("closed unreachable", "最后一次尝试后仍未接通而结案的任务数。"),
    "逾期未回访": ("missed", "过期未回访的任务数。"), "待回访": ("still open", "仍待回访的任务数。"),
    "应回访会员": ("members due", "本期有回访任务的会员人数。"), "已回访会员": ("members reached", "已回访到的会员人数。"),
    "会员覆盖率": ("member coverage", "已回访会员 ÷ 应回访会员(会员100%回访;跳过的会员计为未回访)。"),
    "其他渠道回访会员": ("members reached by SMS/WeChat/e-mail", "拒接电话、以短信/微信/邮件回访到的会员人数。"),
    "平均评分": ("average score", "接通回访的平均评分(0–10分)。"),
    "逾期任务": ("overdue callbacks", "已逾期(过期未回访,或过了应回访日期仍未完成)的任务数。"),
}
TITLES_EN = {"callbacks": ("回访概况", "Callbacks"), "callbacks_members": (None, "Member coverage (target 100%)"),
             "callbacks_satisfaction": (None, "Satisfaction"), "callbacks_aspects": (None, "Dissatisfied aspects"),
             "callbacks_staff": (None, "By callback specialist"), "callbacks_overdue": (None, "Overdue callbacks"),
             "callbacks_problems": (None, "Problems found by callbacks and how they were handled")}
COLUMNS = {
    "task_id": ("任务编号", "task"), "customer_id": ("客户编号", "customer no."), "customer": ("客户", "customer"),
    "phone": ("电话", "phone"), "due_on": ("应回访日期", "due"), "status": ("状态", "status"),
    "specialist": ("回访专员", "specialist"), "结果": ("结果", "result"), "次数": ("次数", "count"),
    "占比%": ("占比", "share"), "方面": ("方面", "aspect"), "回访专员": ("回访专员", "specialist"),
    "回访次数": ("回访次数", "calls"), "接通": ("接通", "reached"), "接通率%": ("接通率", "reach rate"),
    "满意": ("满意", "satisfied"), "不满意": ("不满意", "dissatisfied"), "平均评分": ("平均评分", "average score"),
    "逾期": ("逾期", "overdue"), "channel": ("渠道", "channel"), "why": ("原因", "reason"),
    "date": ("日期", "date"), "result": ("结果", "result"), "problem": ("问题", "problem"),
    "action": ("整改项", "corrective action"),
    "resolution": ("处理", "how it was handled"),
    "平均通话(分)": ("平均通话(分)", "average call (min)"), "最长通话(分)": ("最长通话(分)", "longest call (min)"),
}
UNITS_EN = {"次": "times", "个": "", "人": "people", "分": "points"}


def _in_both_languages(section: dict) -> dict:
    """The section with ``{"zh_CN", "en"}`` texts, as the report hooks take them (docs/plugins.md)."""
    zh_title, en_title = TITLES_EN.get(section.get("key"), (None, None))
    section["title"] = {"zh_CN": zh_title or section["title"], "en": en_title or section["title"]}
    columns = section.get("columns") or (list(section["rows"][0]) if section["rows"] else [])
    section["columns"] = columns
    section["labels"] = {c: {"zh_CN": COLUMNS[c][0], "en": COLUMNS[c][1]} for c in columns if c in COLUMNS}
    section["percent"] = [c for c in columns if c.endswith("%")]
    section["people"] = [c for c in ("specialist", "回访专员") if c in columns]
    for f in section.get("figures", []):
        en, define = FIGURES_EN.get(f["name"], (f["name"], f.get("doc") or ""))
        f["key"] = f["name"]
        f["name"] = {"zh_CN": f["name"], "en": en}
        f["doc"] = {"zh_CN": define, "en": f.get("doc") or define}
    if section.get("key") == "callbacks_satisfaction" and any(r.get("次数") for r in section["rows"]):
        section["chart"] = {"type": "bar", "x": "结果", "y": ["次数"]}
    if section.get("key") == "callbacks_satisfaction" and not any(r.get("次数") for r in section["rows"]):
        section["rows"] = []
    section["empty"] = {"zh_CN": "本期无记录", "en": "Nothing in this period"}
    return section
