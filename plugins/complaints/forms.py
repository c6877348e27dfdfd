"""The complaints plugin's forms for ``crm report form``: 顾客投诉登记表 and 顾客投诉分类统计表.

Issue 17 extends both (the register's proposals, interim solution and signature; the
statistics' cause and improvement texts): the register lists each ticket's steps so far and
the statistics carry empty 原因分析/改进对策 columns to be written in until then.
"""

from __future__ import annotations

import datetime as dt

from . import machine, vocab
from .reports import EN_HEADERS, HEADERS, RATES, period_pairs, stats

REGISTER = [("id", "编号", "no."), ("received_at", "受理时间", "received"), ("complainant", "投诉人", "complainant"),
            ("phone", "联系电话", "phone"), ("plate", "车牌号", "plate"), ("vin", "VIN", "VIN"),
            ("channel", "投诉渠道", "channel"), ("category", "投诉类别", "category"), ("severity", "严重程度", "severity"),
            ("description", "投诉内容", "complaint"), ("handler", "处理人", "handler"),
            ("dept", "责任部门", "responsible department"), ("state", "处理状态", "state"),
            ("steps", "处理经过", "steps so far")]


def register(register_form) -> None:
    register_form("complaint-register", {"zh_CN": "顾客投诉登记表", "en": "Customer complaint register"}, register_form_)
    register_form("complaint-stats", {"zh_CN": "顾客投诉分类统计表", "en": "Complaints by category"}, stats_form)


def _end(request) -> dt.date:
    return request["end"] + dt.timedelta(days=1)


def register_form_(app, request: dict) -> dict:
    """顾客投诉登记表: each complaint received in the period with its steps so far."""
    zh = request["lang"] == "zh_CN"
    pairs = period_pairs(app, request["start"], _end(request))
    ids = [t["id"] for t, _ in pairs]
    steps: dict = {}
    if ids:
        for e in app.store.query(
                f"SELECT ticket_id, action, at, note FROM complaints_events WHERE ticket_id IN ({','.join('?' * len(ids))})"
                " ORDER BY ticket_id, seq", tuple(ids)):
            word = machine.ACTIONS.get(e["action"], e["action"]) if zh else e["action"].replace("_", " ")
            steps.setdefault(e["ticket_id"], []).append(f"{e['at'][:16].replace('T', ' ')} {word}")

    def word(code, table):
        if not code:
            return code
        return vocab.label(code, table) if zh else code.replace("_", " ")

    rows = []
    for t, _ in pairs:
        rows.append({
            "id": t["id"], "received_at": (t["received_at"] or "")[:16].replace("T", " "),
            "complainant": t.get("complainant") or t.get("customer_name"), "phone": t.get("contact_phone"),
            "plate": t["plate"], "vin": t["vin"], "channel": word(t["channel"], vocab.CHANNELS),
            "category": word(t["final_category"] or t["category"], vocab.CATEGORIES),
            "severity": word(t["severity"], vocab.SEVERITIES), "description": t["description"],
            "handler": t["handler"], "dept": word(t["responsible_dept"], vocab.DEPARTMENTS),
            "state": machine.STATES.get(t["state"], t["state"]) if zh else t["state"].replace("_", " "),
            "steps": ";".join(steps.get(t["id"], []))})
    return {"fields": [({"zh_CN": "登记期间", "en": "Period"}, f"{request['start']} – {request['end']}")],
            "sections": [{"key": "register", "title": {"zh_CN": "投诉登记", "en": "Complaints"},
                          "rows": [app.mask(r) for r in rows], "columns": [c for c, _, _ in REGISTER],
                          "labels": {c: {"zh_CN": z, "en": e} for c, z, e in REGISTER}, "people": ["handler"],
                          "empty": {"zh_CN": "本期无顾客投诉", "en": "No complaints in this period"}}],
            "signatures": [{"zh_CN": "登记人", "en": "Registered by"}, {"zh_CN": "客户关系部经理", "en": "Manager"}]}


def stats_form(app, request: dict) -> dict:
    """顾客投诉分类统计表: by category, with the cause and improvement columns the document asks for."""
    rows, total = stats(app, request["start"], _end(request), "category")
    columns = ["label", "count", "invalid", "invalid_rate", "open",
               *(["resolved", "resolution_rate"] if "resolution_rate" in RATES else []),
               "avg_respond_hours", "avg_resolve_hours", "on_time_rate", "repeat", "repeat_rate", "causes", "improvements"]
    # 原因分析 / 改进对策: from the tickets' summaries where the statistics give them (issue 17), else to write in
    table = [{"causes": "", "improvements": "",
              **{k: (round(v * 100, 1) if k in RATES and v is not None else v) for k, v in r.items() if v is not None
                 or k not in ("causes", "improvements")}} for r in rows + [total]] if rows else []
    if request["lang"] != "zh_CN":
        for r in table:
            r["label"] = r["key"].replace("_", " ") if r["key"] != "total" else "total"
    labels = {c: {"zh_CN": HEADERS[c], "en": EN_HEADERS[c]} for c in columns if c in HEADERS}
    labels["causes"] = {"zh_CN": "原因分析", "en": "causes"}
    labels["improvements"] = {"zh_CN": "改进对策", "en": "improvements"}
    return {"fields": [({"zh_CN": "统计期间", "en": "Period"}, f"{request['start']} – {request['end']}")],
            "sections": [{"key": "by_category", "title": {"zh_CN": "按投诉类别", "en": "By category"}, "rows": table,
                          "columns": columns, "labels": labels, "percent": list(RATES),
                          "chart": {"type": "bar", "x": "label", "y": ["count"], "exclude": ["合计", "total"]},
                          "empty": {"zh_CN": "本期无顾客投诉", "en": "No complaints in this period"}}],
            "signatures": [{"zh_CN": "统计人", "en": "Compiled by"}, {"zh_CN": "客户关系部经理", "en": "Manager"}]}
