"""Assemble a report: the core's figures and sections, then the plugins' contributions.

A report is a plain dict (what ``--format json`` prints)::

    {"kind", "title", "period": {...}, "previous": {...}, "last_year": {...}, "staff",
     "generated_at", "generated_by", "dealer", "locale",
     "figures": [{"key", "section", "name", "name_zh", "value", "previous", "last_year",
                  "unit", "better", "trend", "trend_year", "doc", "how", "source"}],
     "sections": [{"key", "title", "columns", "rows", "chart", "source"}]}
"""

from __future__ import annotations

import datetime as dt
import re

from . import core, periods
from .definitions import FIGURES, PLUGIN_ANCHOR, anchor
from .vocab import Vocab, normalise

KINDS = ("kpi", "daily", "weekly", "monthly")
DEPARTMENT_WIDE = "department-wide figures, not this person's own (部门整体数据)"


def trend(value, before) -> str:
    """▲ up, ▼ down, = unchanged, '' when either side is unknown."""
    if not isinstance(value, (int, float)) or not isinstance(before, (int, float)):
        return ""
    return "▲" if value > before else "▼" if value < before else "→"


def slug(text: str) -> str:
    s = re.sub(r"[^0-9a-zA-Z\u4e00-\u9fff]+", "_", str(text).strip().lower()).strip("_")
    return s or "figure"


def _figure(key, section, value, previous, last_year, *, name=None, name_zh=None, unit="", better=None,
            doc=None, how=None, source="core", definition=None) -> dict:
    """One figure; ``definition`` is ``{"zh_CN": ..., "en": ...}`` (口径说明), shown in the report itself."""
    return {"key": key, "section": section, "name": name or key, "name_zh": name_zh or name or key,
            "value": value, "previous": previous, "last_year": last_year, "unit": unit, "better": better,
            "trend": trend(value, previous), "trend_year": trend(value, last_year),
            "doc": doc or anchor(key), "how": how, "source": source, "definition": definition or {}}


CORE_SECTIONS = {
    "appointments": ("appointments", "appointments_arrived", "appointment_success_rate", "no_shows", "no_show_rate",
                     "appointments_cancelled"),
    "archive": ("new_customers", "new_archive_completeness", "archive_completeness"),
    "service": ("visits",),
    "contacts": ("calls_made", "contacts", "customers_contacted"),
}
def title_of(key: str, zh: bool) -> str:
    return Vocab("zh_CN" if zh else "en")(f"section.{key}", key)


def build(app, kind: str, period_text: str | None, staff: str | None, lang: str | None = None, *,
          plans: bool = True) -> dict:
    """The report; ``lang`` (``zh_CN`` | ``en``) defaults to the config's ``locale``; ``plans``:
    a weekly report compares the week's plan with what was done (crm/reports/plans.py)."""
    lang = normalise(lang or app.config.locale)
    today = app.today()
    period = periods.parse(period_text, kind, today)
    prev, year = periods.previous(period), periods.last_year(period)
    now = app.now().strftime("%Y-%m-%dT%H:%M:%S")
    zh = lang == "zh_CN"
    scope = core.Scope(app, staff)
    cur_v = core.figures(app, period.start, period.end, scope, now)
    prev_v = core.figures(app, prev.start, prev.end, scope, now)
    year_v = core.figures(app, year.start, year.end, scope, now)
    comp = core.archive_completeness(app)
    snapshot = comp.get(scope.staff_id) if scope.staff_id else comp["all"]
    figures = []
    for section, keys in CORE_SECTIONS.items():
        for key in keys:
            fig = FIGURES[key]
            if key == "archive_completeness":
                value, before, last = snapshot, None, None
            else:
                value, before, last = cur_v[key], prev_v[key], year_v[key]
            figures.append(_figure(key, section, value, before, last, name=fig.en, name_zh=fig.zh, unit=fig.unit,
                                   better=fig.better, definition={"zh_CN": fig.define_zh, "en": fig.define_en}))
    lo, hi = core.bounds(period.start, period.end)
    sections = [{"key": "kpi", "title": title_of("kpi", zh), "source": "core", "rows": [], "columns": []}]
    sections.append({
        "key": "specialists", "title": title_of("specialists", zh), "source": "core",
        "rows": core.per_specialist(app, period.start, period.end, now, staff, comp),
        "columns": ["name", "role", "calls", "contacts", "appointments", "arrived", "no_show",
                    "success_rate", "new_customers", "customers", "completeness"],
        "percent": ["success_rate", "completeness"],
        "chart": {"type": "bar", "x": "name", "y": ["calls", "appointments", "arrived"]}})
    if period.days > 1:
        sections.append({
            "key": "daily", "title": title_of("daily", zh), "source": "core",
            "rows": core.daily_series(app, period.start, period.end, scope, now),
            "columns": ["day", "appointments", "arrived", "calls", "new_customers", "visits"],
            "chart": {"type": "line", "x": "day", "y": ["appointments", "arrived", "calls", "visits"]}})
    by_type = core.visits_by_type(app, lo, hi, scope.staff_id)
    sections.append({"key": "visits_by_type", "title": title_of("visits_by_type", zh), "source": "core",
                     "rows": [{"type": k, "count": v} for k, v in sorted(by_type.items(), key=lambda kv: -kv[1])],
                     "columns": ["type", "count"], "chart": {"type": "bar", "x": "type", "y": ["count"]}})
    appts = core.appointment_counts(app, lo, hi, now, scope.staff).get(None) or {}
    sections.append({"key": "appointment_status", "title": title_of("appointment_status", zh), "source": "core",
                     "rows": [{"status": s, "count": appts.get(s, 0)}
                              for s in ("arrived", "no_show", "pending", "upcoming", "cancelled") if appts.get(s)],
                     "columns": ["status", "count"], "chart": {"type": "bar", "x": "status", "y": ["count"]}})
    contacts = core.contact_counts(app, lo, hi, scope.staff).get(None) or {"outcomes": {}}
    sections.append({"key": "call_outcomes", "title": title_of("call_outcomes", zh), "source": "core",
                     "rows": [{"outcome": k, "count": v}
                              for k, v in sorted(contacts["outcomes"].items(), key=lambda kv: -kv[1])],
                     "columns": ["outcome", "count"], "chart": {"type": "bar", "x": "outcome", "y": ["count"]}})
    if kind == "daily" and staff:
        from . import worklog

        sections[1:1] = worklog.sections(app, period, staff, zh)
    plugin_figures, plugin_sections = plugin_parts(app, kind, period, prev, year, staff, lang)
    figures += plugin_figures
    sections += plugin_sections
    if kind == "monthly":  # 回访报表…问题整改项: the corrective actions of the month
        sections.append(actions_section(app, period, staff, zh))
    if kind == "weekly" and plans:  # 每周工作计划 vs what was done
        from .plans import section as plan_section

        sections.insert(0, plan_section(app, period, staff, lang, figures,
                                        lambda code: build(app, kind, period.label, code, lang, plans=False)["figures"]))
    if kind in ("kpi", "weekly", "monthly"):  # 本期 / 目标 / 完成率 from [targets]
        from . import targets

        attained = targets.section(app, period.start.strftime("%Y-%m"), staff, figures)
        if attained is not None:
            attained["title"] = attained["title_i18n"]["zh_CN" if lang == "zh_CN" else "en"]
            sections.insert(0, attained)
    actor = app.actor
    v = Vocab(lang)
    return {
        "kind": kind, "title": v(f"kind.{kind}"), "locale": lang,
        "period": period.as_dict(), "previous": prev.as_dict(), "last_year": year.as_dict(), "staff": staff,
        "generated_at": app.timestamp(), "generated_by": actor.code,
        "generated_by_name": staff_name(app, actor.code), "staff_name": staff_name(app, staff) if staff else None,
        "dealer": app.config.get("dealer_name") or app.config.dealer_code,
        "figures": figures, "sections": sections,
    }


def actions_section(app, period, staff: str | None, zh: bool) -> dict:
    """问题整改项: the corrective actions raised in the period or still open in it (a person's
    report: the items they own), with their status and how many days overdue."""
    from ..archive import actions

    rows = actions.list_actions(app.store, app.today(), owner=staff, since=period.start, until=period.end)
    for r in rows:
        r["dept"] = actions.DEPARTMENTS.get(r["dept"], r["dept"]) if zh else r["dept"]
        r["status"] = actions.STATUSES[r["status"]] if zh else r["status"]
    labels = {"id": ("编号", "no."), "status": ("状态", "status"), "dept": ("责任部门", "department"),
              "owner": ("负责人", "owner"), "due_on": ("完成期限", "due"), "overdue_days": ("逾期天数", "days overdue"),
              "problem": ("问题", "problem"), "source": ("来源", "source"), "note": ("整改情况", "what was done")}
    zh_t, en_t = "问题整改项", "Corrective actions (整改项)"
    return {"key": "corrective_actions", "title": zh_t if zh else en_t, "title_i18n": {"zh_CN": zh_t, "en": en_t},
            "source": "core", "rows": [app.mask(r) for r in rows], "columns": list(labels),
            "labels": {c: {"zh_CN": a, "en": b} for c, (a, b) in labels.items()}, "percent": [], "people": [],
            "has_figures": False, "empty": {"zh_CN": "本月无整改项", "en": "No corrective actions this month"},
            **({"scope": "staff"} if staff else {})}


def staff_name(app, code: str | None) -> str | None:
    """A person's name (staff.name) for a login code; the code when the name is unknown."""
    if not code:
        return code
    return app.store.scalar("SELECT name FROM staff WHERE code = ?", (code,)) or code


def _request(kind, p, prev, staff, lang="zh_CN") -> dict:
    return {"kind": kind, "start": p.start, "end": p.end,
            "previous": (prev.start, prev.end) if prev else None, "staff": staff, "lang": lang}


def _names(text, fallback: str) -> tuple[str, str]:
    """(English, Chinese) of a plugin's text: a string (the same in both) or {"zh_CN", "en"}."""
    if isinstance(text, dict):
        zh, en = text.get("zh_CN") or text.get("zh"), text.get("en")
        return str(en or zh or fallback), str(zh or en or fallback)
    return (str(text), str(text)) if text else (fallback, fallback)


def plugin_parts(app, kind, period, prev, year, staff, lang="zh_CN") -> tuple[list[dict], list[dict]]:
    """The plugins' sections; each figure gets last year's value from a second call."""
    got = app.plugins.call_each("report_sections", app=app, report=_request(kind, period, prev, staff, lang))
    figures, sections = [], []
    last_year: dict = {}
    if any(s.get("figures") for part in got for s in (part or []) if isinstance(s, dict)):
        for part in app.plugins.call_each("report_sections", app=app, report=_request(kind, year, None, staff, lang)):
            for s in part or []:
                if isinstance(s, dict):
                    for f in s.get("figures") or []:
                        last_year[(s.get("key"), _fkey(f))] = f.get("value")
    seen = set()
    left_out = []
    for part in got:
        for s in part or []:
            if not isinstance(s, dict):
                continue
            if staff and s.get("scope") != "staff":  # a scorecard shows only the person's own figures
                en, zh = _names(s.get("title"), str(s.get("key") or "plugin"))
                left_out.append({"section": zh if lang == "zh_CN" else en, "why": DEPARTMENT_WIDE})
                continue
            key = str(s.get("key") or slug(s.get("title") or "plugin"))
            while key in seen:
                key += "_"
            seen.add(key)
            rows = [r for r in (s.get("rows") or []) if isinstance(r, dict)]
            en, zh = _names(s.get("title"), key)
            sections.append({"key": key, "title": zh if lang == "zh_CN" else en, "title_i18n": {"zh_CN": zh, "en": en},
                             "rows": rows, "columns": list(s.get("columns") or []), "source": "plugin",
                             "labels": dict(s.get("labels") or {}), "percent": list(s.get("percent") or []),
                             "people": list(s.get("people") or []), "has_figures": bool(s.get("figures")),
                             "empty": s.get("empty"), **({"chart": s["chart"]} if s.get("chart") else {})})
            for f in s.get("figures") or []:
                en, zh = _names(f.get("name"), "figure")
                doc = f.get("doc")
                how = doc.get("en") or doc.get("zh_CN") if isinstance(doc, dict) else doc
                definition = doc if isinstance(doc, dict) else ({"zh_CN": doc, "en": doc} if doc else {})
                figures.append(_figure(f"{key}.{slug(_fkey(f))}", key, f.get("value"), f.get("previous"),
                                       last_year.get((s.get("key"), _fkey(f))), name=en, name_zh=zh,
                                       unit=f.get("unit") or "", better=f.get("better"), doc=PLUGIN_ANCHOR, how=how,
                                       source="plugin", definition=definition))
    if left_out:
        zh, en = "部门整体数据 (不计入个人考核)", "Department-wide (not on this scorecard)"
        sections.append({"key": "department_wide", "title": zh if lang == "zh_CN" else en,
                         "title_i18n": {"zh_CN": zh, "en": en}, "rows": left_out, "columns": ["section", "why"],
                         "source": "plugin", "labels": {"section": {"zh_CN": "部分", "en": "section"},
                                                        "why": {"zh_CN": "说明", "en": "why"}},
                         "percent": [], "people": [], "has_figures": False,
                         "empty": None})
    return figures, sections


def _fkey(f: dict) -> str:
    """A plugin figure's stable key: its ``key``, else its (English) name."""
    if f.get("key"):
        return str(f["key"])
    return _names(f.get("name"), "figure")[0]
