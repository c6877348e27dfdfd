"""The callbacks plugin's forms for ``crm report form``: 回访记录表 and 回访总结报告."""

from __future__ import annotations

import json

from .reports import (RESULT_TITLES, SHEET_HEADERS, VISIT_TITLES, _aspect_text, _in_both_languages, _phone, sheet_rows,
                      summary)
from .store import reason_text

RECORD_COLUMNS = ["no", "date", "time", "customer", "phone", "plate", "model", "ro_number", "date_out", "visit_type",
                  "advisor", "reason", "attempt", "result", "score", "aspects", "note", "suggestion", "complaint",
                  "appointment", "staff"]
RECORD_EN = ["no.", "date", "time", "customer", "phone", "plate", "model", "RO number", "date out", "service",
             "service advisor", "reason", "attempt", "result", "score", "dissatisfied aspects", "customer's words",
             "suggestion", "complaint", "appointment", "callback specialist"]
RESULT_EN = {"satisfied": "satisfied", "neutral": "neutral", "dissatisfied": "dissatisfied", "unreachable": "unreachable"}


def register(register_form) -> None:
    register_form("callback-record", {"zh_CN": "回访记录表", "en": "Callback record"}, record)
    register_form("callback-summary", {"zh_CN": "回访总结报告", "en": "Callback summary report"}, summary_form)


def record(app, request: dict) -> dict:
    """回访记录表: one line a call, in the sheet's own columns (the same as ``callbacks sheet``)."""
    zh = request["lang"] == "zh_CN"
    rows = []
    for n, r in enumerate(sheet_rows(app, request["start"], request["end"], request["staff"]), 1):
        rows.append({
            "no": n, "date": r["called_at"][:10], "time": r["called_at"][11:16], "customer": r["name"],
            "phone": _phone(app, r["phone"]), "plate": r["plate"], "model": r["model"], "ro_number": r["ro_number"],
            "date_out": (r["date_out"] or "")[:10] or None,
            "visit_type": VISIT_TITLES.get(r["type"], r["type"]) if zh else r["type"], "advisor": r["advisor"],
            "reason": reason_text(json.loads(r["reasons"])), "attempt": r["attempt"],
            "result": RESULT_TITLES[r["result"]] if zh else RESULT_EN[r["result"]], "score": r["score"],
            "aspects": _aspect_text(r["aspects"]) or None, "note": r["note"], "suggestion": r["suggestion"],
            "complaint": r["complaint_ref"], "appointment": (r["appointment_at"] or "").replace("T", " ") or None,
            "staff": r["staff"]})
    labels = {c: {"zh_CN": zh_, "en": en} for c, zh_, en in zip(RECORD_COLUMNS, SHEET_HEADERS, RECORD_EN)}
    return {"fields": [({"zh_CN": "回访期间", "en": "Period"}, f"{request['start']} – {request['end']}")],
            "sections": [{"key": "calls", "title": {"zh_CN": "回访记录", "en": "Calls"}, "rows": [app.mask(r) for r in rows],
                          "columns": RECORD_COLUMNS, "labels": labels, "people": ["advisor", "staff"],
                          "empty": {"zh_CN": "本期无回访记录", "en": "No callbacks in this period"}}],
            "signatures": [{"zh_CN": "回访专员", "en": "Callback specialist"}, {"zh_CN": "主管审核", "en": "Checked by"}]}


def summary_form(app, request: dict) -> dict:
    """回访总结报告: the figures, member coverage, satisfaction, dissatisfied aspects, each
    specialist, overdue callbacks, then the conclusions the department writes."""
    sections = [_in_both_languages(s) for s in summary(app, lo=request["start"], hi=request["end"],
                                                       staff=request["staff"])]
    for s in sections:
        s["rows"] = [app.mask(r) for r in s["rows"]]
    figures = [{**f, "group": s["title"]} for s in sections for f in s.get("figures", [])]
    shown = [s for s in sections if s["key"] != "callbacks"]
    shown.append({"key": "conclusions", "title": {"zh_CN": "问题分析与改进建议", "en": "Findings and improvements"},
                  "rows": [{"no": i, "content": ""} for i in range(1, 4)], "columns": ["no", "content"]})
    return {"fields": [({"zh_CN": "回访期间", "en": "Period"}, f"{request['start']} – {request['end']}")],
            "figures": figures, "sections": shown,
            "signatures": [{"zh_CN": "报告人", "en": "Reported by"}, {"zh_CN": "经理审阅", "en": "Reviewed by"}]}


__all__ = ["register", "record", "summary_form"]
