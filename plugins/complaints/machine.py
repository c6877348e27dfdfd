"""The ticket's state machine: an explicit table (state, action) → (next state, who may).

Pure: no database, no clock.  ``check`` raises BadInput/PermissionDenied with one clear line
when a transition is illegal; ``facts`` derives what the guards need from the event log.

The six steps of the department's procedure (投诉处理流程)::

    registered ─accept→ accepted ─investigate→ investigating ─propose→ proposed
        │                                          ↑      (manager) ├─approve→ approved
        └─invalid→ invalid (closed: reason + polite reply)   └─decline─┘          │
    approved ─implement→ implemented ─summarize→ summarized ─close→ closed  (closing needs
    the customer's confirmation)   closed ─follow_up→ closed;  closed/invalid ─reopen→ reopened
    reopened ─investigate→ investigating
"""

from __future__ import annotations

from crm.errors import BadInput, PermissionDenied

STATES = {
    "registered": "已受理",
    "accepted": "有效待调查",
    "investigating": "调查中",
    "proposed": "方案待批",
    "approved": "方案已批",
    "implemented": "已实施",
    "summarized": "已总结",
    "closed": "已结案",
    "invalid": "无效结案",
    "reopened": "已重开",
}
DONE_STATES = ("closed", "invalid")
OPEN_STATES = tuple(s for s in STATES if s not in DONE_STATES)
PAUSABLE = ("accepted", "investigating", "proposed", "approved", "implemented", "reopened")

ACTIONS = {
    "open": "受理登记",
    "accept": "判定有效",
    "invalid": "判定无效",
    "investigate": "调查",
    "propose": "提出方案",
    "approve": "批准方案",
    "decline": "退回方案",
    "implement": "实施方案",
    "confirm": "顾客确认",
    "summarize": "总结",
    "close": "结案",
    "follow_up": "结案回访",
    "reopen": "重开",
    "pause": "暂停计时",
    "resume": "恢复计时",
    "assign": "指派",
    "note": "备注",
    "escalate": "升级",
    "oem_update": "厂家更新",
}

# who: "handler" (customer-relations staff), "approver" (the manager), "opener", "system"
HANDLER, APPROVER, OPENER, SYSTEM = "handler", "approver", "opener", "system"

TABLE: dict[tuple[str | None, str], tuple[str, str]] = {
    (None, "open"): ("registered", OPENER),
    ("registered", "accept"): ("accepted", HANDLER),
    ("registered", "invalid"): ("invalid", HANDLER),
    ("accepted", "investigate"): ("investigating", HANDLER),
    ("reopened", "investigate"): ("investigating", HANDLER),
    ("investigating", "investigate"): ("investigating", HANDLER),
    ("investigating", "propose"): ("proposed", HANDLER),
    ("proposed", "propose"): ("proposed", HANDLER),
    ("proposed", "approve"): ("approved", APPROVER),
    ("proposed", "decline"): ("investigating", APPROVER),
    ("approved", "implement"): ("implemented", HANDLER),
    ("implemented", "implement"): ("implemented", HANDLER),
    ("implemented", "confirm"): ("implemented", HANDLER),
    ("implemented", "summarize"): ("summarized", HANDLER),
    ("summarized", "confirm"): ("summarized", HANDLER),
    ("summarized", "close"): ("closed", HANDLER),
    ("closed", "follow_up"): ("closed", HANDLER),
    ("closed", "reopen"): ("reopened", HANDLER),
    ("invalid", "reopen"): ("reopened", HANDLER),
}
for _s in PAUSABLE:
    TABLE[(_s, "pause")] = (_s, HANDLER)
    TABLE[(_s, "resume")] = (_s, HANDLER)
for _s in OPEN_STATES:
    TABLE[(_s, "assign")] = (_s, HANDLER)
    TABLE[(_s, "escalate")] = (_s, SYSTEM)
for _s in STATES:
    TABLE[(_s, "note")] = (_s, HANDLER)
    TABLE[(_s, "oem_update")] = (_s, SYSTEM)

#: the natural next step of each state (``crm complaints advance ID`` without a step)
NEXT_STEP = {
    "registered": "accept",
    "accepted": "investigate",
    "reopened": "investigate",
    "investigating": "propose",
    "proposed": "approve",
    "approved": "implement",
    "implemented": "summarize",
    "summarized": "close",
    "closed": "follow_up",
}

#: while paused, only these may happen (everything else: resume first)
WHILE_PAUSED = ("resume", "note", "assign", "escalate", "oem_update")
#: actions that a person drives step by step (shown as "allowed now")
STEP_ACTIONS = ("accept", "invalid", "investigate", "propose", "approve", "decline", "implement",
                "confirm", "summarize", "close", "follow_up", "reopen", "pause", "resume")

HINTS = {
    "implement": "nothing is implemented before a manager approves the solution",
    "approve": "only a proposed solution can be approved",
    "close": "a complaint is closed after the summary (valid) or as invalid from 'registered'",
    "summarize": "the summary comes after the solution is implemented",
    "follow_up": "the follow-up call comes after the ticket is closed",
    "reopen": "only a closed ticket can be reopened",
}


#: what an action does, for "only manager may ..." (the action names are not all verbs)
DOING = {"approve": "approve a solution", "decline": "send a solution back",
         "invalid": "judge a complaint invalid", "propose": "propose a solution",
         "implement": "implement a solution", "confirm": "confirm a solution with the customer",
         "summarize": "write a complaint's summary", "follow_up": "record a complaint's follow-up call"}


def allowed(state: str | None, paused: bool = False) -> list[str]:
    acts = [a for (s, a) in TABLE if s == state and a in STEP_ACTIONS]
    if paused:
        return [a for a in acts if a in WHILE_PAUSED]
    return [a for a in acts if a != "resume"]


def facts(events: list[dict]) -> dict:
    """What the guards need, replayed from the event log (oldest first)."""
    out = {"state": None, "paused": False, "pause_reason": None, "confirmed": False,
           "approved": False, "escalation_level": 0, "priority_bumps": 0}
    for ev in events:
        action = ev["action"]
        out["state"] = ev["to_state"]
        data = ev.get("data") or {}
        if action == "pause":
            out["paused"], out["pause_reason"] = True, data.get("reason")
        elif action == "resume":
            out["paused"], out["pause_reason"] = False, None
        elif action == "confirm" or (action == "implement" and data.get("confirmation")):
            out["confirmed"] = True
        elif action == "approve":
            out["approved"] = True
        elif action in ("reopen", "decline"):
            out["approved"] = False
            if action == "reopen":
                out["confirmed"] = False
                out["paused"] = False
        elif action == "escalate":
            out["escalation_level"] = max(out["escalation_level"], int(data.get("level", 0)))
    return out


def check(ticket_id: int, events: list[dict], action: str, *, role: str | None, roles: dict,
          actor: str = "", system: bool = False) -> str:
    """Return the next state for ``action`` or refuse with one clear line.

    :param roles: ``{"handler": (...), "approver": (...), "opener": (...)}`` from the settings.
    """
    if action not in ACTIONS:
        raise BadInput(f"unknown step {action!r}; steps: {', '.join(STEP_ACTIONS)}")
    f = facts(events)
    state = f["state"]
    entry = TABLE.get((state, action))
    if entry is None:
        now_ok = ", ".join(allowed(state, f["paused"])) or "nothing"
        hint = HINTS.get(action)
        raise BadInput(
            f"complaint {ticket_id} is {state}: cannot {action}"
            + (f" ({hint})" if hint else "") + f"; allowed now: {now_ok}"
        )
    next_state, who = entry
    if who == SYSTEM and not system:
        raise BadInput(f"'{action}' is done by crm itself (escalate / portal sync), not by hand")
    if who != SYSTEM and not system:
        wanted = roles.get(who, ())
        if role not in wanted:
            doing = DOING.get(action, f"{action.replace('_', ' ')} a complaint")
            you = f"{actor} ({role})" if role else f"{actor} (no staff role; use --as)"
            raise PermissionDenied(f"only {'/'.join(wanted)} may {doing}; you are {you}")
    if f["paused"] and action not in WHILE_PAUSED:
        if action == "pause":
            raise BadInput(f"complaint {ticket_id} is already paused ({f['pause_reason']})")
        raise BadInput(
            f"complaint {ticket_id} is paused (waiting on {f['pause_reason']}): resume it first"
            f" ('crm complaints resume {ticket_id}')"
        )
    if action == "resume" and not f["paused"]:
        raise BadInput(f"complaint {ticket_id} is not paused")
    if action == "close" and not f["confirmed"]:
        raise BadInput(
            f"complaint {ticket_id} cannot be closed without the customer's confirmation"
            f" (record it: 'crm complaints advance {ticket_id} confirm --by NAME --via phone|signature')"
        )
    return next_state
