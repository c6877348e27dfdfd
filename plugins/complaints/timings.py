"""Deadlines and durations of a ticket, recomputed from its event log (a pure function).

``compute(events, settings, now, tz, calendar)`` replays the events and returns every timing with
the lines that explain it.  Rules:

- The dealer's clock runs in working hours (``settings.work_hours`` on Chinese working days,
  public holidays and make-up workdays included) from the moment the complaint was received.
- It stops while the ticket is paused (waiting on the customer or on parts) and while it is
  closed (between a close and a reopen).
- respond: the first judgement (accept or invalid); resolve: the last close (or invalid)
  not followed by a reopen.
- Deadlines from the manufacturer (``respond_due_oem`` / ``resolve_due_oem``) win over the
  config's, and are never paused: they are moments, not amounts of working time.
"""

from __future__ import annotations

import datetime as dt


RESPONSE_ACTIONS = ("accept", "invalid")
RESOLVE_ACTIONS = ("close", "invalid")


def parse_moment(value, tz) -> dt.datetime | None:
    """An ISO string (with or without offset, ``Z`` too) as an aware datetime in ``tz``."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:  # what crm stored (ISO): the quick way
            moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00")) if len(value) > 10 else None
        except ValueError:
            moment = None
        if moment is not None:
            return moment.astimezone(tz) if moment.tzinfo else moment.replace(tzinfo=tz)
    from crm.api import parse_moment as parse

    return parse(value, tz, date_only_at=dt.time(18))  # a bare date: the end of that working day


def _naive(moment: dt.datetime, tz) -> dt.datetime:
    return moment.astimezone(tz).replace(tzinfo=None)


def _hours_between(calendar, a, b, stops, work_hours) -> float:
    """Working hours in [a, b) minus those inside the stopped intervals."""
    if b <= a:
        return 0.0
    total = calendar.working_hours_between(a, b, work_hours)
    for s, e in stops:
        e = e or b
        lo, hi = max(s, a), min(e, b)
        if hi > lo:
            total -= calendar.working_hours_between(lo, hi, work_hours)
    return max(total, 0.0)


def _deadline(calendar, start, hours, stops, work_hours):
    """(due, None) or (None, hours left) when an open-ended stop is reached first."""
    pos, left = start, float(hours)
    for s, e in sorted(stops, key=lambda x: x[0]):
        if e is not None and e <= pos:
            continue
        s = max(s, pos)
        available = calendar.working_hours_between(pos, s, work_hours)
        if available >= left:
            return calendar.add_working_hours(pos, left, work_hours), None
        left -= available
        if e is None:
            return None, left
        pos = e
    return calendar.add_working_hours(pos, left, work_hours), None


def _fmt(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "—"


def compute(events: list[dict], settings, now: dt.datetime, tz, calendar) -> dict:
    """Every timing of a ticket from its events; working hours on ``calendar``'s days (``app.calendar``)."""
    work = settings.work_hours
    now_l = _naive(now, tz)
    severity = None
    oem = {"respond": None, "resolve": None}
    received = None
    responded = None
    resolved = None
    pauses: list[list] = []  # [start, end|None, reason]
    closed_spans: list[list] = []
    for ev in events:
        at = _naive(parse_moment(ev["at"], tz), tz)
        data = ev.get("data") or {}
        changes = data.get("set") or {}
        if ev["action"] == "open":
            received = _naive(parse_moment(data.get("received_at") or ev["at"], tz), tz)
        if "severity" in changes:
            severity = changes["severity"]
        for kind in ("respond", "resolve"):
            key = f"{kind}_due_oem"
            if key in changes:
                moment = parse_moment(changes[key], tz)
                oem[kind] = _naive(moment, tz) if moment else None
        action = ev["action"]
        if action in RESPONSE_ACTIONS and responded is None:
            responded = at
        if action == "pause":
            pauses.append([at, None, data.get("reason")])
        elif action == "resume" and pauses and pauses[-1][1] is None:
            pauses[-1][1] = at
        if action in RESOLVE_ACTIONS:
            resolved = at
            closed_spans.append([at, None])
        elif action == "reopen":
            resolved = None
            if closed_spans and closed_spans[-1][1] is None:
                closed_spans[-1][1] = at
            if pauses and pauses[-1][1] is None:
                pauses[-1][1] = at
    if received is None:
        raise ValueError("a ticket's timeline starts with its 'open' event")
    severity = severity or "normal"
    explain: list[str] = []
    pause_stops = [(p[0], p[1]) for p in pauses]
    # the final close is not a stop for the deadline itself (it is the finish line)
    reopen_stops = [(s, e) for s, e in closed_spans if e is not None]
    stops = sorted(pause_stops + reopen_stops, key=lambda x: x[0])
    explain.append(f"received {_fmt(received)} · severity {severity} · working hours "
                   + ", ".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in work))

    out: dict = {"received_at": received.replace(tzinfo=tz), "severity": severity}
    for kind, done_at, hours_cfg, dealer_stops in (
        ("respond", responded, settings.respond_hours[severity], pause_stops),
        ("resolve", resolved, settings.resolve_hours[severity], stops),
    ):
        dealer_due, left = _deadline(calendar, received, hours_cfg, dealer_stops, work)
        if oem[kind] is not None:
            due, source = oem[kind], "manufacturer"
            explain.append(f"{kind} due {_fmt(due)}: the manufacturer's deadline (wins; never paused)"
                           + (f"; the dealer's own would be {_fmt(dealer_due)}" if dealer_due else ""))
        else:
            due, source = dealer_due, "config"
            stopped = sum(calendar.working_hours_between(s, e or now_l, work) for s, e in dealer_stops if s < (due or now_l))
            if due is not None:
                explain.append(f"{kind} due {_fmt(due)}: received + {hours_cfg:g} working hours ({severity})"
                               + (f", + {stopped:g} h while the clock was stopped" if stopped else ""))
            else:
                explain.append(f"{kind} due: clock stopped (paused) with {left:g} working hours left")
        end = done_at or now_l
        taken = _hours_between(calendar, received, end, dealer_stops, work)
        on_time = None
        if done_at is not None and due is not None:
            on_time = done_at <= due
        elif done_at is not None and due is None:
            on_time = True
        overdue_hours = 0.0
        if done_at is None and due is not None and now_l > due:
            overdue_hours = calendar.working_hours_between(due, now_l, work)
        out.update({
            f"{kind}_due": due.replace(tzinfo=tz) if due else None,
            f"{kind}_due_source": source,
            f"{kind}_hours_left": left,
            f"{kind}ed_at" if kind == "respond" else "resolved_at": done_at.replace(tzinfo=tz) if done_at else None,
            f"{kind}_hours": round(taken, 2),
            f"{kind}_on_time": on_time,
            f"{kind}_overdue": done_at is None and due is not None and now_l > due,
            f"{kind}_overdue_hours": round(overdue_hours, 2),
        })
        if done_at is not None:
            explain.append(f"{'responded' if kind == 'respond' else 'resolved'} {_fmt(done_at)} after {taken:g} working hours: "
                           + ("on time" if on_time else "LATE"))
        elif out[f"{kind}_overdue"]:
            explain.append(f"not {'responded' if kind == 'respond' else 'resolved'} yet: overdue by {overdue_hours:g} working hours")
    paused_hours = sum(_hours_between(calendar, s, e or now_l, [], work) for s, e in pause_stops)
    out["paused_hours"] = round(paused_hours, 2)
    out["pauses"] = [{"from": s.replace(tzinfo=tz), "to": e.replace(tzinfo=tz) if e else None, "reason": r}
                     for s, e, r in pauses]
    for p in pauses:
        explain.append(f"paused {_fmt(p[0])} → {_fmt(p[1]) if p[1] else 'now'} (waiting on {p[2]})")
    for s, e in reopen_stops:
        explain.append(f"closed {_fmt(s)} → reopened {_fmt(e)}: the clock did not run")
    if out["respond_overdue"]:
        out["overdue"], out["overdue_hours"] = "respond", out["respond_overdue_hours"]
    elif out["resolve_overdue"]:
        out["overdue"], out["overdue_hours"] = "resolve", out["resolve_overdue_hours"]
    else:
        out["overdue"], out["overdue_hours"] = None, 0.0
    # the next deadline the handler has to meet
    if responded is None:
        out["next_due"] = out["respond_due"]
    elif resolved is None:
        out["next_due"] = out["resolve_due"]
    else:
        out["next_due"] = None
    out["explain"] = explain
    return out
