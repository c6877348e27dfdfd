"""Appointment slots and their capacity (预约: 根据维修需求和维修资源协调安排最合适的维修时间和地点).

The day is cut into slots of ``slot_minutes`` (30) within the workshop's ``hours`` on working
days.  A slot holds at most ``capacity`` appointments that are still booked or arrived: a number
(workshop bays) or ``"advisors"`` (the active service advisors).  Without ``capacity`` in the
config, slots are unlimited (the dealer turns the rule on).  A booking beyond capacity is refused
(exit 2, nothing written) with the next free slots, so the specialist can offer one at once.

```toml
[appointments]
capacity = 3                      # bays per slot, or "advisors"
slot_minutes = 30
hours = ["08:30-12:00", "13:30-17:30"]
```
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from ..errors import BadInput, ConfigError

DEFAULT_HOURS = ("08:30-12:00", "13:30-17:30")
LOOKAHEAD_DAYS = 14


@dataclasses.dataclass(frozen=True)
class SlotRules:
    capacity: int | str | None
    slot_minutes: int
    hours: tuple


def rules(app) -> SlotRules:
    section = app.config.section("appointments") or {}
    capacity = section.get("capacity")
    if capacity is not None and capacity != "advisors" and (
            isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 1):
        raise ConfigError('config appointments.capacity must be a whole number of bays (1 or more) or "advisors"')
    minutes = section.get("slot_minutes", 30)
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 5 <= minutes <= 240 or 1440 % minutes:
        raise ConfigError("config appointments.slot_minutes must divide the day (e.g. 15, 30, 60)")
    periods = []
    for item in section.get("hours", DEFAULT_HOURS):
        try:
            start, end = (dt.time.fromisoformat(p.strip()) for p in str(item).split("-"))
        except ValueError:
            raise ConfigError(f'config appointments.hours has {item!r}; write "HH:MM-HH:MM"') from None
        if start >= end:
            raise ConfigError(f"config appointments.hours has {item!r}: the start is not before the end")
        periods.append((start, end))
    return SlotRules(capacity, minutes, tuple(periods))


def capacity_of(tx_or_app, r: SlotRules) -> int | None:
    if r.capacity is None:
        return None
    if r.capacity == "advisors":
        return int(tx_or_app.store.scalar("SELECT count(*) FROM staff WHERE role = 'advisor' AND active = 1") or 0)
    return int(r.capacity)


def slot_start(moment: dt.datetime, r: SlotRules) -> dt.datetime:
    minutes = moment.hour * 60 + moment.minute
    minutes -= minutes % r.slot_minutes
    return moment.replace(hour=minutes // 60, minute=minutes % 60, second=0, microsecond=0)


def taken(store, start: dt.datetime, r: SlotRules, exclude: int | None = None) -> int:
    end = start + dt.timedelta(minutes=r.slot_minutes)
    return int(store.scalar(
        "SELECT count(*) FROM appointments WHERE at >= ? AND at < ? AND status IN ('booked', 'arrived')"
        " AND id IS NOT ?", (start.isoformat(timespec="seconds"), end.isoformat(timespec="seconds"), exclude)) or 0)


def _slots_from(calendar, start: dt.datetime, r: SlotRules):
    day = start.date()
    for _ in range(LOOKAHEAD_DAYS + 1):
        if calendar.is_workday(day):
            for a, b in r.hours:
                moment = dt.datetime.combine(day, a)
                moment = slot_start(moment, r) if moment.minute % r.slot_minutes else moment
                while moment.time() < b:
                    if moment >= start:
                        yield moment
                    moment += dt.timedelta(minutes=r.slot_minutes)
        day += dt.timedelta(days=1)


def next_free(store, calendar, after: dt.datetime, r: SlotRules, capacity: int, n: int = 3) -> list[dict]:
    out = []
    for moment in _slots_from(calendar, after, r):
        used = taken(store, moment, r)
        if used < capacity:
            out.append({"slot": moment.strftime("%Y-%m-%d %H:%M"), "free": capacity - used})
            if len(out) == n:
                break
    return out


def check(tx, at: str, *, exclude: int | None = None) -> None:
    """Refuse (exit 2, nothing written) a booking whose slot is full, naming the next free slots."""
    if len(at) <= 10:  # a booking for a day, no time: no slot to fill
        return
    r = rules(tx.app)
    capacity = capacity_of(tx, r)
    if capacity is None:
        return
    moment = dt.datetime.fromisoformat(at)
    start = slot_start(moment, r)
    used = taken(tx.store, start, r, exclude)
    if used < capacity:
        return
    free = next_free(tx.store, tx.app.calendar, start + dt.timedelta(minutes=r.slot_minutes), r, capacity)
    offer = ", ".join(f"{s['slot']} ({s['free']} free)" for s in free) or f"none in the next {LOOKAHEAD_DAYS} days"
    raise BadInput(f"the slot {start:%Y-%m-%d %H:%M} is full ({used} of {capacity} booked);"
                   f" next free slots: {offer}")


def day_slots(app, day: dt.date) -> list[dict]:
    """Every slot of a day with its capacity, bookings and free places (``crm appointment slots``)."""
    r = rules(app)
    capacity = capacity_of(app, r)
    out = []
    for moment in _slots_from(app.calendar, dt.datetime.combine(day, dt.time(0)), r):
        if moment.date() != day:
            break
        used = taken(app.store, moment, r)
        out.append({"slot": moment.strftime("%H:%M"), "booked": used, "capacity": capacity,
                    "free": None if capacity is None else max(capacity - used, 0)})
    return out
