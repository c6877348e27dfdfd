"""The department's own forms (``crm report form NAME``), each in its own layout, as XLSX
and HTML through the same view as the reports (:mod:`crm.reports.present`).

The core gives 每日工作日志, 每周工作计划 and 月度工作总结; plugins register theirs through the
``register_report_forms`` hook (the callbacks plugin: 回访记录表, 回访总结报告; complaints:
顾客投诉登记表, 顾客投诉分类统计表). A form is built into the same dict as a report, with
``fields`` (the form's header block) and ``signatures`` (the lines signed by hand).

Extension points for the department's written work (issue 16): :data:`TEXT_SOURCES` —
functions ``(app, form_name, request) -> {section_key: [rows]}`` that fill the free-text
sections (the daily log's notes, the weekly plan's goals, the monthly summary's problems
and next month's plan); without one, those sections print empty lines to write on.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Callable, NamedTuple

from ..errors import BadInput
from . import core, notes, periods
from .vocab import Vocab, normalise


class Form(NamedTuple):
    name: str
    title: dict
    build: Callable
    period: str
    aliases: tuple


#: functions (app, form_name, request) -> {section_key: [rows]} filling the free-text sections;
#: the first is the worklog the specialists write (``crm worklog``, crm/reports/notes.py)
TEXT_SOURCES: list[Callable] = [notes.text_source]

GRAIN_KIND = {"day": "daily", "week": "weekly", "month": "monthly"}


def registry(app) -> dict[str, Form]:
    """Every form: the core's, then each plugin's, by name (and alias)."""
    forms: dict[str, Form] = {}

    def register(name, title, build, *, period="month", aliases=()):
        title = title if isinstance(title, dict) else {"zh_CN": str(title), "en": str(title)}
        form = Form(name, title, build, period, tuple(aliases))
        for key in (name, title.get("zh_CN"), title.get("en"), *aliases):
            if key:
                forms.setdefault(str(key).lower(), form)

    register("daily-log", {"zh_CN": "每日工作日志", "en": "Daily work log"}, daily_log, period="day")
    register("weekly-plan", {"zh_CN": "每周工作计划", "en": "Weekly work plan"}, weekly_plan, period="week")
    register("monthly-summary", {"zh_CN": "月度工作总结", "en": "Monthly work summary"}, monthly_summary)
    app.plugins.call_each("register_report_forms", register=register)
    return forms


def forms_list(app) -> list[dict]:
    seen, out = set(), []
    for form in registry(app).values():
        if form.name not in seen:
            seen.add(form.name)
            out.append({"name": form.name, "title": form.title.get("zh_CN"), "title_en": form.title.get("en"),
                        "period": form.period})
    return out


def _period(text: str | None, grain: str, today: dt.date) -> periods.Period:
    if grain == "week" and text and (m := re.fullmatch(r"(\d{4})-W(\d{1,2})", text.strip(), re.I)):
        return periods.week(int(m[1]), int(m[2]))  # a plan may be for a week ahead
    if grain == "week" and text in (None, "", "this", "next"):  # a plan covers the whole week
        y, w, _ = (today + dt.timedelta(days=7 if text == "next" else 0)).isocalendar()
        return periods.week(y, w)
    return periods.parse(text, GRAIN_KIND[grain], today)


def build(app, name: str, period_text: str | None, staff: str | None, lang: str | None) -> dict:
    forms = registry(app)
    form = forms.get(name.strip().lower())
    if form is None:
        known = ", ".join(f["name"] for f in forms_list(app))
        raise BadInput(f"form {name!r}: no such form; forms: {known}")
    lang = normalise(lang or app.config.locale)
    period = _period(period_text, form.period, app.today())
    request = {"start": period.start, "end": period.end, "staff": staff, "lang": lang, "period": period.label,
               "form": form.name}
    part = form.build(app, request) or {}
    from .build import staff_name

    v = Vocab(lang)
    sections = []
    for i, s in enumerate(part.get("sections") or []):
        title = s.get("title")
        sections.append({**s, "key": s.get("key") or f"s{i}", "title": v.text(title) or form.name,
                         "title_i18n": title if isinstance(title, dict) else None,
                         "rows": [r for r in (s.get("rows") or []) if isinstance(r, dict)],
                         "has_figures": False})
    from .build import _figure, _names

    figures = []
    for f in part.get("figures") or []:
        en, zh = _names(f.get("name"), "figure")
        doc = f.get("doc")
        fig = _figure(f.get("key") or en, f.get("section") or "form", f.get("value"), f.get("previous"),
                      f.get("last_year"), name=en, name_zh=zh, unit=f.get("unit") or "",
                      definition=doc if isinstance(doc, dict) else {"zh_CN": doc, "en": doc} if doc else {},
                      source="form")
        fig["group"] = v.text(f.get("group")) if f.get("group") else None
        figures.append(fig)
    return {
        "kind": f"form:{form.name}", "form": form.name, "title": v.text(form.title), "locale": lang,
        "period": period.as_dict(), "previous": None, "last_year": None, "staff": staff,
        "staff_name": staff_name(app, staff) if staff else None,
        "generated_at": app.timestamp(), "generated_by": app.actor.code,
        "generated_by_name": staff_name(app, app.actor.code),
        "dealer": app.config.get("dealer_name") or app.config.dealer_code,
        "fields": list(part.get("fields") or []), "signatures": list(part.get("signatures") or []),
        "figures": figures, "sections": sections,
    }


def texts(app, form: str, request: dict) -> dict:
    out: dict = {}
    for source in TEXT_SOURCES:
        out.update(source(app, form, request) or {})
    return out


def _blank(n: int, columns: list[str]) -> list[dict]:
    return [{c: ("" if c != "no" else i + 1) for c in columns} for i in range(n)]


def _person(app, staff: str | None) -> tuple[str, str]:
    if not staff:
        return "", ""
    row = app.store.query_one("SELECT name, role FROM staff WHERE code = ?", (staff,)) or {}
    return row.get("name") or staff, row.get("role") or ""


def _who(app, request: dict, v: Vocab) -> list[tuple]:
    name, role = _person(app, request["staff"] or app.actor.code)
    return [({"zh_CN": "姓名", "en": "Name"}, name), ({"zh_CN": "岗位", "en": "Role"}, v(f"role.{role}", role))]


# ------------------------------------------------------------------ 每日工作日志
def daily_log(app, request: dict) -> dict:
    """每日工作日志: the day's own work (calls, results, complaints moved, appointments, records
    changed) from the logs, then the notes the specialist writes (TEXT_SOURCES, issue 16)."""
    from . import worklog

    v = Vocab(request["lang"])
    staff = request["staff"] or (app.actor.code if app.actor.is_staff else None)
    if not staff:
        raise BadInput("daily-log: say whose log with --staff CODE or --me")
    request = {**request, "staff": staff}
    period = periods.day(request["start"])
    sections = worklog.sections(app, period, staff, v.zh)
    notes = texts(app, "daily-log", request).get("notes") or _blank(4, ["no", "content", "done"])
    sections.append({"key": "notes", "title": {"zh_CN": "工作内容与备注", "en": "Work done and notes"},
                     "rows": notes, "columns": ["no", "content", "done"]})
    return {"fields": [({"zh_CN": "日期", "en": "Date"}, request["start"].isoformat()), *_who(app, request, v)],
            "sections": sections,
            "signatures": [{"zh_CN": "填写人", "en": "Written by"}, {"zh_CN": "主管审阅", "en": "Reviewed by"}]}


# ------------------------------------------------------------------ 每周工作计划
def weekly_plan(app, request: dict) -> dict:
    """每周工作计划: day by day, the work already known for the week (the agenda of every plugin
    — callbacks due, complaints, events, birthdays — and the appointments booked), then the
    week's goals: from TEXT_SOURCES when a plan was written (issue 16's ``crm worklog plan``),
    else empty lines."""
    from .agenda import gather

    v = Vocab(request["lang"])
    staff = request["staff"]
    rows = []
    d = request["start"]
    lo, hi = core.bounds(request["start"], request["end"])
    appts = dict(app.store.conn.execute(
        "SELECT substr(at, 1, 10), count(*) FROM appointments WHERE at >= ? AND at < ? AND status != 'cancelled'"
        + (" AND staff = ?" if staff else "") + " GROUP BY 1", (lo, hi) + ((staff,) if staff else ())))
    while d <= request["end"]:
        kinds: dict = {}
        try:
            items = gather(app, d, staff, app.now())
        except Exception:  # noqa: BLE001 - the plan still prints without the agenda
            items = []
        for it in items:
            kinds[it["kind"]] = kinds.get(it["kind"], 0) + 1
        plan = "、".join(f"{v('agenda.' + k, k)} {n}" for k, n in kinds.items()) if v.zh else \
            ", ".join(f"{v('agenda.' + k, k)} {n}" for k, n in kinds.items())
        rows.append({"date": d.isoformat(), "weekday": v(f"weekday.{d.weekday()}"),
                     "appointments": appts.get(d.isoformat(), 0), "plan": plan, "done": ""})
        d += dt.timedelta(days=1)
    goals = texts(app, "weekly-plan", request).get("goals") or _blank(5, ["no", "goal", "target", "done"])
    return {"fields": [({"zh_CN": "周次", "en": "Week"}, request["period"]),
                       ({"zh_CN": "日期", "en": "Dates"}, f"{request['start']} – {request['end']}"),
                       *_who(app, request, v)],
            "sections": [
                {"key": "goals", "title": {"zh_CN": "本周工作目标", "en": "Goals of the week"}, "rows": goals,
                 "columns": ["no", "goal", "target", "done"]},
                {"key": "days", "title": {"zh_CN": "每日工作安排", "en": "Day by day"}, "rows": rows,
                 "columns": ["date", "weekday", "appointments", "plan", "done"],
                 "note": {"zh_CN": "「计划」列为系统中已知的待办(回访、投诉、活动、生日等);「完成情况」由专员填写。",
                          "en": "'plan' lists the work crm already knows (callbacks, complaints, events, birthdays…); "
                                "'done' is filled in by the specialist."}},
            ],
            "signatures": [{"zh_CN": "制定人", "en": "Planned by"}, {"zh_CN": "经理审批", "en": "Approved by"}]}


# ------------------------------------------------------------------ 月度工作总结
def monthly_summary(app, request: dict) -> dict:
    """月度工作总结: the month's figures against last month and last year (the monthly report's),
    the work by specialist, then the written parts (problems, next month's plan)."""
    from .build import build as build_report

    report = build_report(app, "monthly", request["period"], request["staff"], request["lang"])
    keep = {"specialists", "complaints", "callbacks_staff", "callbacks_problems", "complaints_problems",
            "survey_problems", "corrective_actions", "campaigns"}
    sections = [s for s in report["sections"] if s["key"] in keep and s["rows"]]
    written = texts(app, "monthly-summary", request)
    sections += [
        {"key": "problems", "title": {"zh_CN": "存在问题及原因分析", "en": "Problems and their causes"},
         "rows": written.get("problems") or _blank(3, ["no", "content"]), "columns": ["no", "content"]},
        {"key": "next_month", "title": {"zh_CN": "下月工作计划", "en": "Next month's plan"},
         "rows": written.get("next_month") or _blank(3, ["no", "content"]), "columns": ["no", "content"]},
    ]
    v = Vocab(request["lang"])
    titles = {s["key"]: s["title"] for s in report["sections"]}
    figures = [{"key": f["key"], "name": {"zh_CN": f["name_zh"], "en": f["name"]}, "value": f["value"],
                "previous": f["previous"], "last_year": f["last_year"], "unit": f["unit"],
                "group": v(f"group.{f['section']}", "") or titles.get(f["section"], f["section"]),
                "doc": f.get("definition") or f.get("how")} for f in report["figures"]]
    return {"fields": [({"zh_CN": "月份", "en": "Month"}, request["period"])],
            "figures": figures, "sections": sections,
            "signatures": [{"zh_CN": "部门经理", "en": "Department manager"}, {"zh_CN": "总经理审阅", "en": "General manager"}]}
