"""The campaigns plugin's customer filters (``register_customer_filters``): ``event`` and ``reply``.

``crm customer list --filter event=3 --filter reply=accepted`` and a segment's
``{"event": 3, "reply": ["accepted"]}`` mean the same: invited to event 3, with that reply
(``attended``: checked in; ``no_show``: accepted, not checked in, the event is over).
"""

from __future__ import annotations

import json

from crm.errors import BadInput

REPLIES = ("pending", "accepted", "waitlisted", "declined", "maybe", "walk_in", "attended", "no_show")


def _replies(value) -> list[str]:
    values = [value] if isinstance(value, str) else list(value or [])
    for reply in values:
        if reply not in REPLIES:
            raise BadInput(f"reply {reply!r} is not one of {', '.join(REPLIES)}")
    return values


def compile_event(value, context: dict):
    try:
        event_id = int(value)
    except (TypeError, ValueError):
        raise BadInput(f"event {value!r} is not an event id") from None
    replies = _replies(context["filters"].get("reply"))
    plain = [r for r in replies if r not in ("attended", "no_show")]
    conds, params = [], [event_id]
    if plain:
        conds.append("i.reply IN (SELECT value FROM json_each(?))")
        params.append(json.dumps(plain))
    if "attended" in replies:
        conds.append("i.checked_in_at IS NOT NULL")
    if "no_show" in replies:
        conds.append("(i.reply = 'accepted' AND i.checked_in_at IS NULL AND"
                     " (SELECT e.ends_at FROM campaigns_events e WHERE e.id = i.event_id) < ?)")
        params.append(context["today"].isoformat())
    clause = "EXISTS (SELECT 1 FROM campaigns_invitations i WHERE i.customer_id = c.id AND i.event_id = ?"
    if conds:
        clause += " AND (" + " OR ".join(conds) + ")"
    return clause + ")", params


def compile_reply(value, context: dict):
    _replies(value)
    if "event" not in context["filters"]:
        raise BadInput("a reply filter needs the event it refers to (--event, or --filter event=ID)")
    return None  # read by the event filter


def register(register) -> None:
    register("event", compile_event, help="Invited to this event (id)")
    register("reply", compile_reply, help="With event: the reply (accepted, declined, attended, no_show …)")


def own() -> dict:
    """The same filters as a ``{name: FilterExtension}`` table, for the plugin's own segments."""
    from crm.api import FilterExtension

    out: dict = {}
    register(lambda name, compile, *, help="": out.__setitem__(name, FilterExtension(name, compile, help, "campaigns")))
    return out
