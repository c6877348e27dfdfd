"""The weekly plan against what was done (每周工作计划 vs 周报, issue 16).

A goal of the week (``crm worklog plan GOAL --target "60 calls"``) whose target is a number
and a word naming a figure of the weekly report (its key, English or Chinese name, or one of
:data:`WORDS`) is measured: 计划 60, 实际 the person's own figure of that week, 完成率
actual ÷ planned. Any other goal is compared with what its owner wrote (``crm worklog done
ID --result "58 calls"``): the first number of that text is the actual. A goal with no
number in its target is listed with its written result and no attainment.
"""

from __future__ import annotations

import re

from . import notes

#: everyday words of a target → the figure they count (key, or a figure's English/Chinese name)
WORDS = {
    "calls": "calls_made", "call": "calls_made", "电话": "calls_made", "通": "calls_made", "个电话": "calls_made",
    "通电话": "calls_made", "contacts": "contacts", "联系": "contacts", "customers": "customers_contacted",
    "appointments": "appointments", "预约": "appointments", "个预约": "appointments",
    "arrivals": "appointments_arrived", "到店": "appointments_arrived",
    "new customers": "new_customers", "新客户": "new_customers",
    "callbacks": "callbacks done", "回访": "已回访", "个回访": "已回访",
    "events": "events held", "活动": "举办活动数", "场活动": "举办活动数",
}
_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(.*?)\s*$")


def parse_target(text: str | None) -> tuple[float | None, str]:
    """``"60 calls"`` → (60.0, "calls"); ``"完成回访"`` → (None, "完成回访")."""
    m = _NUMBER.match(text or "")
    if not m:
        return None, (text or "").strip()
    return float(m[1]), m[2].strip()


def _first_number(text: str | None) -> float | None:
    m = re.search(r"\d+(?:\.\d+)?", text or "")
    return float(m[0]) if m else None


def find_figure(word: str, figures: list[dict]) -> dict | None:
    """The figure a target's word names, or None."""
    if not word:
        return None
    wanted = {word.lower(), WORDS.get(word.lower(), word).lower()}
    for f in figures:
        names = {str(f.get("key") or "").lower(), str(f.get("name") or "").lower(), str(f.get("name_zh") or "").lower()}
        names |= {n.split(".", 1)[1] for n in names if "." in n}
        if wanted & names:
            return f
    return None


def section(app, period, staff: str | None, lang: str, figures: list[dict], figures_of) -> dict:
    """计划完成情况: each goal of the week's plan, 计划 / 实际 / 完成率; ``figures`` are the
    report's, ``figures_of(code)`` gives another person's figures of the week."""
    monday = period.start
    goals = notes.entries(app, monday, monday, staff=staff, kind="goal")
    people: dict = {staff: figures} if staff else {}
    rows = []
    for g in goals:
        planned, word = parse_target(g["target"])
        actual, how = None, ""
        if planned is not None and word:
            if g["staff"] not in people:
                people[g["staff"]] = figures_of(g["staff"])
            fig = find_figure(word, people[g["staff"]])
            if fig is not None and isinstance(fig.get("value"), (int, float)):
                actual, how = fig["value"], (fig.get("name_zh") if lang == "zh_CN" else fig.get("name")) or fig["key"]
        if actual is None and g["done"]:
            actual, how = _first_number(g["done"]), "written" if lang != "zh_CN" else "专员填写"
        rate = round(100.0 * actual / planned, 1) if planned and actual is not None else None
        rows.append({"staff": g["staff"], "goal": g["text"], "target": g["target"] or "", "planned": planned,
                     "actual": actual, "attainment": rate, "measured_by": how, "done": g["done"] or "",
                     "submitted": bool(g["submitted_at"])})
    zh, en = "本周计划完成情况 (计划 / 实际 / 完成率)", "The week's plan against what was done"
    labels = {"staff": ("专员", "staff"), "goal": ("目标", "goal"), "target": ("计划", "target"),
              "planned": ("计划数", "planned"), "actual": ("实际", "actual"), "attainment": ("完成率", "attainment"),
              "measured_by": ("实际取自", "measured by"), "done": ("专员填写", "written result"),
              "submitted": ("已提交", "submitted")}
    return {"key": "plan_vs_actual", "title": zh if lang == "zh_CN" else en, "title_i18n": {"zh_CN": zh, "en": en},
            "source": "core", "rows": rows, "columns": list(labels), "percent": ["attainment"], "people": [],
            "labels": {c: {"zh_CN": a, "en": b} for c, (a, b) in labels.items()}, "has_figures": False,
            "empty": {"zh_CN": "本周没有工作计划 (crm worklog plan)", "en": "No plan for this week (crm worklog plan)"}}
