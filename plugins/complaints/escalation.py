"""``crm complaints escalate``: overdue tickets go up the ladder in the config (idempotent).

Level *n* is reached when a ticket has been overdue (respond or resolve) for at least the
level's ``after_hours`` working hours.  A ticket only ever moves up, one event per level it
reaches, so a second run at the same moment changes nothing.
"""

from __future__ import annotations

from . import service, store, timings
from .machine import OPEN_STATES
from .settings import load


def due_level(overdue_hours: float, ladder) -> int:
    level = 0
    for index, (after, _to) in enumerate(ladder, start=1):
        if overdue_hours >= after:
            level = index
    return level


def plan(app, st=None) -> list[dict]:
    """What escalation would do now: one row per ticket that must go up."""
    settings = load(app)
    st = st or app.store
    now = app.now()
    tickets = st.query(
        f"SELECT * FROM complaints_tickets WHERE state IN ({','.join('?' * len(OPEN_STATES))}) ORDER BY id",
        OPEN_STATES)
    events = store.events_of_many(st, [t["id"] for t in tickets])
    out = []
    for ticket in tickets:
        t = timings.compute(events[ticket["id"]], settings, now, app.tz, app.calendar)
        if not t["overdue"]:
            continue
        level = due_level(t["overdue_hours"], settings.escalation)
        if level <= ticket["escalation_level"]:
            continue
        to_label = settings.escalation[level - 1][1]
        targets = store.staff_codes(st, to_label) or [to_label]
        out.append({"id": ticket["id"], "from_level": ticket["escalation_level"], "level": level,
                    "to": targets, "overdue": t["overdue"], "overdue_hours": t["overdue_hours"],
                    "due": t[f"{t['overdue']}_due"], "handler": ticket["handler"]})
    return out


def run(tx) -> list[dict]:
    """Escalate what is due, then bring every ticket's stored timing facts up to date (facts.py:
    older tickets, a change of settings or calendar)."""
    from . import facts

    done = plan(tx.app, tx.store)
    for row in done:
        service.transition(
            tx, row["id"], "escalate",
            {"level": row["level"], "to": row["to"], "overdue": row["overdue"],
             "overdue_hours": row["overdue_hours"], "updates": {"escalation_level": row["level"]}},
            note=f"{row['overdue']} overdue by {row['overdue_hours']:g} working hours → level {row['level']}"
                 f" ({', '.join(row['to'])})",
            system=True)
    facts.refresh(tx)
    return done
