"""Each ticket's timing facts, kept in ``complaints_timings`` for the dealer group's warehouse.

The deadlines and durations of a ticket are worked out in Python (timings.py: working hours on
the Chinese working-day calendar, pauses, reopenings, the manufacturer's deadlines) — not
something SQL in DuckDB or PostgreSQL can redo.  So the store keeps the result: one row per
ticket, written in the same transaction as every new event of the ticket (service.py), with
the store's own settings and calendar.  The change log carries the rows to the group, and the
group's SQL (group.py) reads them: the figures come from the same ``timings.compute``.

What the row holds does not depend on the moment it is written: the moments a ticket was
responded to and resolved, its deadlines (``None`` while a pause with no end stops the
clock), the working hours taken, whether each was on time.  Whether an open ticket is overdue
*now* follows from its deadline and the report's time (group.py compares them).

Times are the dealer's local time, ``YYYY-MM-DDTHH:MM:SS`` (text compares in time order, like
the report's ``now``).  ``computed_with`` is a short digest of what the timings depend on
besides the events (the deadlines and working hours of ``[complaints]``, ``[calendar]``, the
time zone, chinesecalendar's version).  :func:`refresh` with no ids (``crm complaints
escalate``, the complaints cron) recomputes the tickets without a row or with another digest
and writes the rows that changed: it fills in tickets from before the table existed, and
follows a change of those settings — and costs nothing when nothing changed.
"""

from __future__ import annotations

import datetime as dt

COLUMNS = ("responded_at", "respond_due", "respond_hours", "respond_on_time",
           "resolved_at", "resolve_due", "resolve_hours", "resolve_on_time")


def _local(moment: dt.datetime | None, tz) -> str | None:
    return moment.astimezone(tz).replace(tzinfo=None).isoformat() if moment else None


def _flag(value) -> int | None:
    return None if value is None else int(bool(value))


def row_of(t: dict, tz) -> tuple:
    """The stored facts of one ticket from its ``timings.compute`` result, in COLUMNS order."""
    return (_local(t["responded_at"], tz), _local(t["respond_due"], tz),
            t["respond_hours"] if t["responded_at"] is not None else None, _flag(t["respond_on_time"]),
            _local(t["resolved_at"], tz), _local(t["resolve_due"], tz),
            t["resolve_hours"] if t["resolved_at"] is not None else None, _flag(t["resolve_on_time"]))


def fingerprint(app, settings) -> str:
    """A digest of what a ticket's timings depend on besides its events."""
    import hashlib
    import json
    from importlib.metadata import PackageNotFoundError, version

    try:
        lib = version("chinesecalendar")
    except PackageNotFoundError:
        lib = None
    text = json.dumps({"respond": settings.respond_hours, "resolve": settings.resolve_hours,
                       "work": settings.work_hours, "calendar": app.config.section("calendar"),
                       "tz": str(app.tz), "chinesecalendar": lib}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def refresh(tx, ids: list[int] | None = None) -> int:
    """Recompute the facts of these tickets (None: those without facts or computed with other
    settings); write the rows that differ; how many."""
    from . import store, timings
    from .settings import load

    app = tx.app
    settings = load(app)
    digest = fingerprint(app, settings)
    if ids is None:
        ids = [r[0] for r in tx.conn.execute(
            "SELECT t.id FROM complaints_tickets t LEFT JOIN complaints_timings f ON f.ticket_id = t.id"
            " WHERE f.computed_with IS NOT ? ORDER BY t.id", (digest,))]
    if not ids:
        return 0
    now = app.now()
    events = store.events_of_many(tx.store, ids)
    cols = ", ".join(COLUMNS + ("computed_with",))
    old: dict[int, tuple] = {}
    for chunk in range(0, len(ids), 500):
        part = ids[chunk:chunk + 500]
        for row in tx.conn.execute(f"SELECT ticket_id, {cols} FROM complaints_timings"
                                   f" WHERE ticket_id IN ({','.join('?' * len(part))})", part):
            old[row[0]] = tuple(row[1:])
    changed = 0
    for tid in ids:
        if not events.get(tid):
            continue
        new = (*row_of(timings.compute(events[tid], settings, now, app.tz, app.calendar), app.tz), digest)
        if old.get(tid) == new:
            continue
        sets = ", ".join(f"{c} = excluded.{c}" for c in COLUMNS + ("computed_with",))
        tx.conn.execute(f"INSERT INTO complaints_timings (ticket_id, {cols}, updated_at)"
                        f" VALUES (?, {', '.join('?' * len(new))}, ?)"
                        f" ON CONFLICT (ticket_id) DO UPDATE SET {sets}, updated_at = excluded.updated_at",
                        (tid, *new, tx.now))
        changed += 1
    return changed
