"""The ``[complaints]`` section of the config, with defaults and validation.

Deadlines are counted in *working hours* (Chinese public holidays and make-up workdays,
``crm.workdays``); ``work_hours`` gives the working periods of a day.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from crm.errors import ConfigError

from .vocab import SEVERITIES

DEFAULTS = {
    "respond_hours": {"normal": 4, "urgent": 2, "critical": 1},
    "resolve_hours": {"normal": 37.5, "urgent": 15, "critical": 7.5},
    "work_hours": ["09:00-12:00", "13:30-18:00"],
    "escalation": [{"after_hours": 0, "to": "manager"}, {"after_hours": 7.5, "to": "总经理"}],
    "repeat_window_days": 90,
    "followup_workdays": 3,
    "handler_roles": ["manager", "satisfaction", "callback", "appointment", "archive"],
    "open_roles": ["manager", "satisfaction", "callback", "appointment", "archive", "advisor"],
    "approver_roles": ["manager"],
}


@dataclasses.dataclass(frozen=True)
class Settings:
    respond_hours: dict
    resolve_hours: dict
    work_hours: tuple
    escalation: tuple  # ((after_hours, to), ...) ordered; level = index + 1
    repeat_window_days: int
    followup_workdays: int
    handler_roles: tuple
    open_roles: tuple
    approver_roles: tuple

    @classmethod
    def default(cls) -> "Settings":
        return from_section({})


def _fail(key: str, why: str) -> None:
    raise ConfigError(f"config complaints.{key} {why}")


def _hours_table(section: dict, key: str) -> dict:
    table = dict(DEFAULTS[key])
    given = section.get(key, {})
    if not isinstance(given, dict):
        _fail(key, "must be a table like {normal = 4, urgent = 2, critical = 1}")
    for sev, value in given.items():
        if sev not in SEVERITIES:
            _fail(f"{key}.{sev}", f"is not a severity ({', '.join(SEVERITIES)})")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            _fail(f"{key}.{sev}", "must be a positive number of working hours")
        table[sev] = float(value)
    return table


def _periods(value) -> tuple:
    if not isinstance(value, list) or not value:
        _fail("work_hours", 'must be a list like ["09:00-12:00", "13:30-18:00"]')
    out = []
    for item in value:
        try:
            start, end = (dt.time.fromisoformat(p.strip()) for p in str(item).split("-"))
        except ValueError:
            _fail("work_hours", f'has {item!r}; write each period as "HH:MM-HH:MM"')
        if start >= end or (out and start < out[-1][1]):
            _fail("work_hours", f"has {item!r}: periods must be in order and not overlap")
        out.append((start, end))
    return tuple(out)


def _roles(section: dict, key: str) -> tuple:
    value = section.get(key, DEFAULTS[key])
    if not (isinstance(value, list) and value and all(isinstance(v, str) for v in value)):
        _fail(key, "must be a list of role names")
    return tuple(value)


def from_section(section: dict) -> Settings:
    escalation = section.get("escalation", DEFAULTS["escalation"])
    if not isinstance(escalation, list) or not all(isinstance(e, dict) for e in escalation):
        _fail("escalation", "must be a list of tables [[complaints.escalation]] with after_hours and to")
    steps = []
    for item in escalation:
        after = item.get("after_hours", 0)
        if isinstance(after, bool) or not isinstance(after, (int, float)) or after < 0:
            _fail("escalation.after_hours", "must be a number of working hours (0 = at the deadline)")
        if not isinstance(item.get("to"), str) or not item["to"].strip():
            _fail("escalation.to", "must name a role (e.g. manager) or a person")
        steps.append((float(after), item["to"].strip()))
    if [s[0] for s in steps] != sorted(s[0] for s in steps):
        _fail("escalation", "levels must be in increasing after_hours")
    ints = {}
    for key in ("repeat_window_days", "followup_workdays"):
        value = section.get(key, DEFAULTS[key])
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            _fail(key, "must be a whole number of days (0 or more)")
        ints[key] = value
    return Settings(
        respond_hours=_hours_table(section, "respond_hours"),
        resolve_hours=_hours_table(section, "resolve_hours"),
        work_hours=_periods(section.get("work_hours", DEFAULTS["work_hours"])),
        escalation=tuple(steps),
        handler_roles=_roles(section, "handler_roles"),
        open_roles=_roles(section, "open_roles"),
        approver_roles=_roles(section, "approver_roles"),
        **ints,
    )


def load(app) -> Settings:
    return from_section(app.config.section("complaints"))
