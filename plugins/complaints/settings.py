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
    # 及时批示: working hours the manager has to approve or decline once a solution is proposed
    "approve_hours": {"normal": 4, "urgent": 2, "critical": 1},
    # 5 实施: 对直接责任者和部门主管要按照有关规定进行处罚 (closing needs both penalties)
    "penalty_required": True,
    # 5 实施: 确认顾客接受解决方案后请顾客签字 ("signature": a signed file; "channel": the channel used)
    "confirmation": "channel",
    # 3 调查: 如属修理质量问题,交相关负责人处理;属服务问题,则服务专员/主管处理
    "routing": {},
    # manual escalation targets: {"总经理" = {name = "王总", phone = "..."}}
    "superiors": {},
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
    approve_hours: dict = dataclasses.field(default_factory=lambda: dict(DEFAULTS["approve_hours"]))
    penalty_required: bool = True
    confirmation: str = "channel"
    routing: dict = dataclasses.field(default_factory=dict)  # category → {"dept", "person"}
    superiors: dict = dataclasses.field(default_factory=dict)  # name → {"name", "phone", "title"}

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


def _routing(value) -> dict:
    """``{category = "dept"}`` or ``{category = {dept = "...", person = "..."}}`` over the defaults."""
    from .vocab import CATEGORIES, CATEGORY_DEPT, DEPARTMENTS

    if not isinstance(value, dict):
        _fail("routing", 'must be a table like {repair_quality = {dept = "workshop", person = "车间主任"}}')
    out = {cat: {"dept": dept, "person": None} for cat, dept in CATEGORY_DEPT.items()}
    for cat, target in value.items():
        if cat not in CATEGORIES:
            _fail(f"routing.{cat}", f"is not a category ({', '.join(CATEGORIES)})")
        if isinstance(target, str):
            target = {"dept": target}
        if not isinstance(target, dict) or target.get("dept") not in DEPARTMENTS:
            _fail(f"routing.{cat}", f"needs dept = one of {', '.join(DEPARTMENTS)}")
        person = target.get("person")
        if person is not None and (not isinstance(person, str) or not person.strip()):
            _fail(f"routing.{cat}.person", "must be a name")
        out[cat] = {"dept": target["dept"], "person": person}
    return out


def _superiors(value) -> dict:
    if not isinstance(value, dict):
        _fail("superiors", 'must be a table like {总经理 = {name = "王总", phone = "13800000000"}}')
    out = {}
    for key, item in value.items():
        if not isinstance(item, dict) or not isinstance(item.get("phone", ""), str):
            _fail(f"superiors.{key}", "must be a table with name and phone")
        if not (item.get("phone") or item.get("email")):
            _fail(f"superiors.{key}", "needs a phone (or email): how to reach this person")
        out[key] = {"name": item.get("name") or key, "title": item.get("title") or key,
                    "phone": item.get("phone"), "email": item.get("email")}
    return out


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
    penalty = section.get("penalty_required", DEFAULTS["penalty_required"])
    if not isinstance(penalty, bool):
        _fail("penalty_required", "must be true or false")
    confirmation = section.get("confirmation", DEFAULTS["confirmation"])
    confirmation = {"签字": "signature"}.get(confirmation, confirmation)
    if confirmation not in ("channel", "signature"):
        _fail("confirmation", 'must be "signature" (签字: a signed file is required) or "channel"')
    return Settings(
        approve_hours=_hours_table(section, "approve_hours"),
        penalty_required=penalty,
        confirmation=confirmation,
        routing=_routing(section.get("routing", {})),
        superiors=_superiors(section.get("superiors", {})),
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
