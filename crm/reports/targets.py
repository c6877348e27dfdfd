"""Targets (考核目标): ``[targets]`` of the config, shown as 本期 / 目标 / 完成率 (issue 16).

::

    [targets]                       # the department, every month
    "会员覆盖率" = 100               # a figure by its key, Chinese or English name
    appointment_success_rate = 85

    [targets.callback]              # a role, or a staff code: on that person's scorecard
    calls_made = 600

    [targets."2026-12"]             # one month (the department); a role/person inside it
    calls_made = 2000
    [targets."2026-12".wangfang]
    calls_made = 650

A department report (no ``--staff``) uses the top-level values, then the month's; a
person's report the role's, the person's, then the month's role and person values (a
department target is never a person's). The later, more specific value wins.
"""

from __future__ import annotations

import re

from ..errors import ConfigError

_MONTH = re.compile(r"\d{4}-\d{2}")


def _numbers(table: dict, where: str) -> dict[str, float]:
    out = {}
    for key, value in table.items():
        if isinstance(value, dict):
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{where}.{key}: a target must be a number (is {value!r})")
        out[str(key)] = value
    return out


def targets_for(app, month: str, staff: str | None) -> dict[str, float]:
    """The targets that apply to a report of ``month`` (YYYY-MM) for ``staff`` (None: the department)."""
    config = app.config.section("targets")
    if not isinstance(config, dict) or not config:
        return {}
    role = app.store.scalar("SELECT role FROM staff WHERE code = ?", (staff,)) if staff else None
    out: dict[str, float] = {}
    for scope, where in ((config, "targets"), (config.get(month) if _MONTH.fullmatch(month) else None,
                                                 f'targets."{month}"')):
        if not isinstance(scope, dict):
            continue
        if staff is None:
            out.update(_numbers(scope, where))
        else:
            for who in (role, staff):
                table = scope.get(who) if who else None
                if isinstance(table, dict):
                    out.update(_numbers(table, f"{where}.{who}"))
    return out


def section(app, report_month: str, staff: str | None, figures: list[dict]) -> dict | None:
    """目标完成情况: each figure with a target — 本期, 目标, 完成率 (value ÷ target; a "lower is
    better" figure: target ÷ value)."""
    wanted = targets_for(app, report_month, staff)
    if not wanted:
        return None
    rows = []
    for f in figures:
        target = next((wanted[k] for k in (f["key"], f.get("name_zh"), f.get("name")) if k in wanted), None)
        if target is None:
            continue
        value = f["value"]
        rate = None
        if isinstance(value, (int, float)) and target:
            rate = (target / value if f.get("better") == "down" else value / target) * 100 if value else (
                None if f.get("better") == "down" else 0.0)
        rows.append({"figure": f.get("name_zh") or f["name"], "value": value, "target": target,
                     "attainment": None if rate is None else round(rate, 1)})
    zh, en = "目标完成情况 (本期 / 目标 / 完成率)", "Targets (this period / target / attainment)"
    return {"key": "targets", "title": zh if app.config.locale != "en" else en, "title_i18n": {"zh_CN": zh, "en": en},
            "rows": rows, "columns": ["figure", "value", "target", "attainment"], "source": "core",
            "labels": {"figure": {"zh_CN": "指标", "en": "figure"}, "value": {"zh_CN": "本期", "en": "this period"},
                       "target": {"zh_CN": "目标", "en": "target"}, "attainment": {"zh_CN": "完成率", "en": "attainment"}},
            "percent": ["attainment"], "people": [], "has_figures": False, "empty": None}
