"""Callback rules (回访规则): small objects saying who must be called, from when, and why.

A rule's ``find(ctx, lo, hi)`` yields candidates whose first call day ``on`` falls in
``[lo, hi]``; the planner (:mod:`crm_callbacks.planner`) does the rest (consent,
duplicates, merging, working-day windows, capacity).  Other plugins add rules through the
``register_callback_rules`` hook (:mod:`crm_callbacks.hookspecs`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from typing import Any, Callable, Iterable, Iterator

from crm.errors import ConfigError

DAY = dt.timedelta(days=1)
VISIT_TYPE_TITLES = {"maintenance": "保养", "repair": "维修", "warranty": "保修", "bodypaint": "钣喷", "pdi": "PDI"}
HOLIDAY_TITLES = {"Spring Festival": "春节", "Mid-autumn Festival": "中秋节", "National Day": "国庆节",
                  "Dragon Boat Festival": "端午节", "Labour Day": "劳动节", "New Year's Day": "元旦",
                  "Tomb-sweeping Day": "清明节"}


@dataclasses.dataclass
class Rule:
    name: str
    title: str
    find: Callable[["RuleContext", dt.date, dt.date], Iterable[dict]]
    enabled: bool = True
    window_days: int = 3
    expire_days: int = 15
    options: dict = dataclasses.field(default_factory=dict)
    source: str = "built-in"
    purpose: str = "service"  # why we call (crm.archive.contact.PURPOSES): decides the consent it needs


@dataclasses.dataclass
class RuleContext:
    conn: Any
    as_of: dt.date
    options: dict
    calendar: Any  # the working days (crm.api.Calendar): ctx.calendar.add_workdays(day, n) ...
    full: bool = False
    state: dict = dataclasses.field(default_factory=dict)


# ----------------------------------------------------------------- helpers
_DAYS: dict[str, dt.date] = {}  # text -> its day, for parse_day (a plan reads the same few hundred dates again and again)


def parse_day(value) -> dt.date | None:
    if type(value) is str:
        day = _DAYS.get(value)
        if day is not None:
            return day
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        day = dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
    if type(value) is str and len(_DAYS) < 50_000:
        _DAYS[value] = day
    return day


def prev_workday(calendar, day: dt.date) -> dt.date:
    return calendar.previous_workday(day)


def next_workday(calendar, day: dt.date) -> dt.date:
    return calendar.add_workdays(day, 0)


def gap_before(calendar, lo: dt.date) -> dt.date:
    """The first day ``x`` with ``next_workday(calendar, x) >= lo`` (back over the days off before ``lo``)."""
    day = lo
    for _ in range(40):
        if calendar.is_workday(day - DAY):
            break
        day -= DAY
    return day


def gap_after(calendar, hi: dt.date) -> dt.date:
    """The last day ``x`` with ``prev_workday(calendar, x) <= hi`` (on over the days off after ``hi``)."""
    day = hi
    for _ in range(40):
        if calendar.is_workday(day + DAY):
            break
        day += DAY
    return day


def days(lo: dt.date, hi: dt.date) -> Iterator[dt.date]:
    day = lo
    while day <= hi:
        yield day
        day += DAY


def month_days(lo: dt.date, hi: dt.date) -> list[str]:
    """The ``MM-DD`` keys of every day in ``[lo, hi]`` (02-29 too when 02-28 is in a common year)."""
    keys = {d.strftime("%m-%d") for d in days(lo, hi)}
    if "02-28" in keys:
        keys.add("02-29")
    return sorted(keys)


def occurrence(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:  # 29 February in a common year
        return dt.date(year, 2, 28)


_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (earlier when negative), the month's last day when that
    month is shorter: 2026-03-31 + 6 months = 2026-09-30, never a day in another month.

    What ``day + dateutil.relativedelta(months=months)`` gives, in plain arithmetic: a daily
    plan at 1M customers adds months ≈ 20 000 times (the maintenance rule), and relativedelta
    cost ten times as much (tests/callbacks/test_callbacks_maintenance_pinned.py
    compares the two)."""
    years, month0 = divmod(day.month - 1 + months, 12)
    year = day.year + years
    last = _MONTH_DAYS[month0]
    if month0 == 1 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        last = 29
    return dt.date(year, month0 + 1, day.day if day.day <= last else last)


def call_window_in_days(calendar, out: dt.date, window: int) -> tuple[dt.date, dt.date]:
    """(first call day, due day) for "call within ``window`` days of ``out``" (三天之内回访).

    Due ``out + window`` calendar days, moved earlier (never later) to the last working
    day, but not before ``out``; the first call day is the first working day after ``out``
    up to the due day, else the due day itself (the car left just before a rest period:
    call the same day).
    """
    due = out + dt.timedelta(days=window)
    while due > out and not calendar.is_workday(due):
        due -= DAY
    start = out + DAY
    while start < due and not calendar.is_workday(start):
        start += DAY
    return min(start, due), due


def _in(values) -> str:
    return ", ".join("?" * len(values))


# ----------------------------------------------------------------- built-in rules
def find_service_visit(ctx: RuleContext, lo: dt.date, hi: dt.date) -> Iterator[dict]:
    """After a service visit: call within ``window_days`` days of the car leaving (三天之内回访).

    ``count = "calendar"`` (the default, the procedure's rule: 必须保证在三天之内回访): the
    call is due ``window_days`` calendar days after the car left, never later; when the
    department does not work that day it moves *earlier*, to the last working day before
    (the day the car left at the earliest), and the first call day is the first working
    day after the car left that is not past the due date. ``count = "workdays"``: the old
    reading, ``window_days`` working days from the next working day.

    The new days ``[lo, hi]`` are read from the index on ``visits(date_out)``; visits closed
    late (or imported late) are caught by the ``on_visit_closed`` events and the ``visits.id``
    watermark, both read by primary key: the daily plan never scans the visits.
    """
    types = list(ctx.options.get("visit_types") or [])
    if not types:
        return
    window = int(ctx.options.get("window_days", 3))
    by_workdays = ctx.options.get("count", "calendar") == "workdays"
    oldest = ctx.as_of - dt.timedelta(days=int(ctx.state.get("lookback_days", 15)))
    cols = "v.id, v.customer_id, v.vehicle_id, v.ro_number, v.type, v.advisor, v.date_out"
    where = f"v.status = 'closed' AND v.type IN ({_in(types)})"
    rows: dict[int, tuple] = {}
    if lo <= hi:
        for row in ctx.conn.execute(
                f"SELECT {cols} FROM visits v WHERE v.date_out >= ? AND v.date_out < ? AND {where}",
                [min(prev_workday(ctx.calendar, lo - DAY), lo - dt.timedelta(days=window)).isoformat(),
                 (hi + DAY).isoformat(), *types]):
            rows[row[0]] = row
    late: set[int] = set()
    if not ctx.full and ctx.state.get("max_visit_id") is not None:
        for sql, params in ((f"SELECT {cols} FROM visits v WHERE v.id > ? AND {where}", [ctx.state["max_visit_id"]]),
                            (f"SELECT {cols} FROM visits v WHERE v.id IN (SELECT visit_id FROM callback_visit_events)"
                             f" AND {where}", [])):
            for row in ctx.conn.execute(sql, [*params, *types]):
                rows.setdefault(row[0], row)
                late.add(row[0])
    for vid, cid, vehicle_id, ro, vtype, advisor, date_out in rows.values():
        out = parse_day(date_out)
        if out is None or cid is None:
            continue
        if by_workdays:
            start, due = ctx.calendar.add_workdays(out, 1), ctx.calendar.add_workdays(out, window)
        else:
            start, due = call_window_in_days(ctx.calendar, out, window)
        if not lo <= start <= hi and not (vid in late and oldest <= start <= ctx.as_of):
            continue
        yield {
            "customer_id": cid, "on": start, "due_on": due, "trigger": out,
            "key": f"visit:{vid}", "vehicle_id": vehicle_id, "visit_id": vid,
            "avoid_staff": [advisor] if advisor else [],
            "reason": f"{VISIT_TYPE_TITLES.get(vtype, vtype)}回访 工单{ro} {out.isoformat()}离店",
        }


def find_delivery(ctx: RuleContext, lo: dt.date, hi: dt.date) -> Iterator[dict]:
    """After a new-car delivery: calls on day 1, 7, 30 (config ``days``)."""
    offsets = sorted({int(d) for d in ctx.options.get("days") or []})
    if not offsets:
        return
    if lo > hi:
        return
    rows = []
    for offset in offsets:
        first, last = gap_before(ctx.calendar, lo) - dt.timedelta(days=offset), hi - dt.timedelta(days=offset)
        rows += ctx.conn.execute(
            "SELECT id, customer_id, delivery_date, model FROM vehicles"
            " WHERE delivery_date >= ? AND delivery_date < ? AND customer_id IS NOT NULL",
            (first.isoformat(), (last + DAY).isoformat())).fetchall()
    for vid, cid, delivered, model in set(rows):
        day = parse_day(delivered)
        if day is None:
            continue
        for offset in offsets:
            start = next_workday(ctx.calendar, day + dt.timedelta(days=offset))
            if lo <= start <= hi:
                yield {"customer_id": cid, "on": start, "trigger": day + dt.timedelta(days=offset),
                       "key": f"delivery:{vid}:d{offset}", "vehicle_id": vid,
                       "reason": f"新车交付第{offset}天回访 {model or ''} {day.isoformat()}交车".replace("  ", " ")}


def find_first_maintenance(ctx: RuleContext, lo: dt.date, hi: dt.date) -> Iterator[dict]:
    """Before the first maintenance is due (delivery + N months), unless it already happened."""
    months = int(ctx.options.get("months_after_delivery", 6))
    lead = int(ctx.options.get("lead_days", 14))
    if lo > hi:
        return
    first = add_months(gap_before(ctx.calendar, lo) + dt.timedelta(days=lead), -months) - dt.timedelta(days=3)
    last = add_months(hi + dt.timedelta(days=lead), -months) + dt.timedelta(days=3)
    rows = list(ctx.conn.execute(
        "SELECT id, customer_id, delivery_date FROM vehicles"
        " WHERE delivery_date >= ? AND delivery_date < ? AND customer_id IS NOT NULL",
        (first.isoformat(), (last + DAY).isoformat())))
    found = []  # (candidate, [vehicle, delivery day])
    for vid, cid, delivered in rows:
        day = parse_day(delivered)
        if day is None:
            continue
        due = add_months(day, months)
        start = next_workday(ctx.calendar, due - dt.timedelta(days=lead))
        if not lo <= start <= hi:
            continue
        found.append(({"customer_id": cid, "on": start, "trigger": start, "key": f"first_maintenance:{vid}",
                       "vehicle_id": vid, "reason": f"首保提醒 应于{due.isoformat()}前首次保养"},
                      [vid, day.isoformat()]))
    # a maintenance visit since delivery: one query for all (not one per candidate)
    done = {int(i) for (i,) in ctx.conn.execute(
        "SELECT key FROM json_each(?) WHERE EXISTS (SELECT 1 FROM visits WHERE vehicle_id = json_extract(value, '$[0]')"
        " AND date_in >= json_extract(value, '$[1]') AND type = 'maintenance')",
        (json.dumps([pair for _, pair in found]),))} if found else set()
    for i, (cand, _) in enumerate(found):
        if i in done:
            cand["skip"] = "first maintenance already done"
        yield cand


def maintenance_schedule(options: dict, model: str | None) -> tuple[int, int | None]:
    """(every_months, every_km) of a model: ``models`` entries override the rule's defaults."""
    per_model = (options.get("models") or {}).get(model or "") or {}
    months = int(per_model.get("every_months", options.get("every_months", 6)))
    km = per_model.get("every_km", options.get("every_km", 10000))
    if months < 1:
        raise ConfigError(f"callbacks.rules.maintenance: every_months of {model or 'the default'} must be 1 or more")
    return months, (int(km) if km else None)


def maintenance_dues(delivered: dt.date, anchor: dt.date, reading: tuple | None, months: int, km: int | None,
                     first_n: int, until: dt.date, max_missed: int = 4) -> Iterator[tuple[int, dt.date]]:
    """(n, due) of the intervals after ``anchor`` up to ``until``: each due is the earlier of
    ``anchor + n × months`` and the day the car is expected to have run ``n × km`` since the
    anchor (the daily distance estimated from ``reading`` = (day, km) since delivery).  After
    ``max_missed`` intervals without a maintenance visit the reminders stop (win-back takes over)."""
    daily = None
    if km and reading and reading[1] and reading[0] > delivered:
        daily = reading[1] / max((reading[0] - delivered).days, 1)
    for n in range(first_n, first_n + max_missed):
        due = add_months(anchor, n * months)
        if daily:
            due = min(due, anchor + dt.timedelta(days=int(n * km / daily)))
        if due > until:
            return
        yield n, due


def _month_windows(calendar, options: dict, lo: dt.date, hi: dt.date, lead: int, first_n: int,
                   max_missed: int) -> tuple[list[tuple[dt.date, dt.date]], list[tuple[dt.date, dt.date]]]:
    """The anchor dates whose interval ``n`` by months can fall due in the plan's window, for every
    schedule: (the spans ``anchor + n × months`` in ``[due_lo, due_hi]`` give, merged, each a few
    days wider for the month ends; the days of those spans whose interval by months really does
    fall due in ``[due_lo, due_hi]``, as merged spans).  An anchor with no mileage is due by
    months only: it can be due in the window only on one of the second's days."""
    due_lo, due_hi = gap_before(calendar, lo) + dt.timedelta(days=lead), hi + dt.timedelta(days=lead)
    months_set = {maintenance_schedule(options, None)[0]}
    months_set |= {maintenance_schedule(options, model)[0] for model in (options.get("models") or {})}
    steps = sorted({n * m for m in months_set for n in range(first_n, first_n + max_missed)})
    spans = sorted((add_months(due_lo, -k) - dt.timedelta(days=3), add_months(due_hi, -k) + dt.timedelta(days=3))
                   for k in steps)
    wide = _merge_spans(spans)
    exact = _merge_spans((d, d) for x, y in wide for d in days(x, y)
                         if any(due_lo <= add_months(d, k) <= due_hi for k in steps))
    return wide, exact


def _merge_spans(spans) -> list[tuple[dt.date, dt.date]]:
    merged: list[list] = []
    for start, end in spans:
        if merged and start <= merged[-1][1] + DAY:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(x, y) for x, y in merged]


def find_maintenance(ctx: RuleContext, lo: dt.date, hi: dt.date) -> Iterator[dict]:
    """Regular maintenance at every interval of the model's schedule (定期保养提醒), months or
    kilometres, whichever comes first; counted from the last maintenance visit (from delivery
    before any: the first interval is the 首保 of ``first_maintenance``).

    Only the anchors that can fall due in ``[lo, hi]`` are read, so the daily plan stays
    incremental: by months, index ranges a few days wide on the maintenance visits' ``date_in``
    (from the index ``callbacks_visits_maintenance`` alone; the vehicles are read only for the
    anchors whose interval can fall due: those with a mileage, and those on the days their
    interval by months falls due) and on the vehicles' delivery dates; by kilometres, the next
    interval of the maintenance visits of the last ``months`` whose rate (the mileage at that
    visit over the days since delivery) brings ``n × km`` into the window, computed in SQL."""
    lead = int(ctx.options.get("lead_days", 14))
    if lo > hi:
        return
    max_missed = int(ctx.options.get("max_missed", 4))
    due_lo, due_hi = gap_before(ctx.calendar, lo) + dt.timedelta(days=lead), hi + dt.timedelta(days=lead)
    anchors: dict[int, tuple] = {}  # vehicle → (anchor day, first n, mileage, customer, delivery, model)

    def keep(vid, day, first_n, mileage, cid=None, delivered=None, model=None):
        anchor = parse_day(day)
        if anchor is not None and (vid not in anchors or anchor > anchors[vid][0]):
            anchors[vid] = (anchor, first_n, mileage, cid, delivered, model)

    wide, exact = _month_windows(ctx.calendar, ctx.options, lo, hi, lead, 1, max_missed)
    parsed: dict[str, dt.date | None] = {}  # parse_day of each date_in text (a few dozen days)
    for start, end in wide:  # the last maintenance visit of each vehicle in these days, vehicle not read yet
        for vid, day, km in ctx.conn.execute(
                "SELECT vehicle_id, date_in, mileage FROM visits WHERE date_in >= ? AND date_in < ?"
                " AND type = 'maintenance'", (start.isoformat(), (end + DAY).isoformat())):
            anchor = parsed[day] if day in parsed else parsed.setdefault(day, parse_day(day))
            if anchor is not None and ((before := anchors.get(vid)) is None or anchor > before[0]):
                anchors[vid] = (anchor, 1, km, None, None, None)  # what keep(vid, day, 1, km) keeps
    visit_sql = ("SELECT m.vehicle_id, m.date_in, m.mileage, v.customer_id, v.delivery_date, v.model FROM visits m"
                 " JOIN vehicles v ON v.id = m.vehicle_id WHERE m.date_in >= ? AND m.date_in < ?"
                 " AND m.type = 'maintenance' AND v.customer_id IS NOT NULL")
    schedules = {maintenance_schedule(ctx.options, None)}
    schedules |= {maintenance_schedule(ctx.options, model) for model in (ctx.options.get("models") or {})}
    for months, km in schedules:
        if not km:
            continue
        since = add_months(due_lo, -months) - dt.timedelta(days=3)
        for vid, day, mileage, cid, delivered, model in ctx.conn.execute(
                visit_sql + " AND m.mileage > 0 AND julianday(substr(m.date_in, 1, 10)) > julianday(v.delivery_date)"
                " AND julianday(substr(m.date_in, 1, 10)) + ? * (julianday(substr(m.date_in, 1, 10))"
                " - julianday(v.delivery_date)) / m.mileage BETWEEN julianday(?) - 1 AND julianday(?) + 1",
                (since.isoformat(), (due_hi + DAY).isoformat(), km, due_lo.isoformat(), due_hi.isoformat())):
            keep(vid, day, 1, mileage, cid, delivered, model)
    for start, end in _month_windows(ctx.calendar, ctx.options, lo, hi, lead, 2, max_missed)[1]:
        for vid, cid, day, model in ctx.conn.execute(
                "SELECT v.id, v.customer_id, v.delivery_date, v.model FROM vehicles v"
                " WHERE v.delivery_date >= ? AND v.delivery_date < ? AND v.customer_id IS NOT NULL",
                (start.isoformat(), (end + DAY).isoformat())):
            if vid not in anchors:
                keep(vid, day, 2, None, cid, day, model)
    # the vehicles of the visits read from the index alone: only for an anchor with a mileage or
    # on a day its interval by months falls due (any other is due outside [lo, hi])
    due_days = {day for x, y in exact for day in days(x, y)}
    owned, unread = [], []  # the anchors whose vehicle was read with them; those whose vehicle to read
    for vid, a in anchors.items():
        if a[3] is not None:
            owned.append((vid, a))
        elif a[2] or a[0] in due_days:  # anchor, first n, mileage, customer …
            unread.append(vid)
    read = {vid: row for vid, *row in ctx.conn.execute(
        "SELECT id, customer_id, delivery_date, model FROM vehicles WHERE id IN (SELECT value FROM json_each(?))"
        " AND customer_id IS NOT NULL", (json.dumps(unread),))}
    # the anchors whose vehicle is known, in vehicle order (any other has no owner, as the join
    # left it out, or nothing of it can fall due in [lo, hi])
    known = owned + [(vid, (*anchors[vid][:3], *read[vid])) for vid in unread if vid in read]
    known.sort()
    until, lead_days = hi + dt.timedelta(days=lead + 7), dt.timedelta(days=lead)

    def in_window(dues: Iterator[tuple[int, dt.date]]) -> list[tuple[int, dt.date, dt.date]]:
        out = []
        for n, due in dues:
            start = next_workday(ctx.calendar, due - lead_days)
            if lo <= start <= hi:
                out.append((n, due, start))
        return out

    schedule_of: dict = {}
    # an anchor without a mileage is due by months only: its dues depend on its day, its
    # schedule's months and its first n, not on the vehicle (thousands of anchors, a few dozen days)
    by_months: dict[tuple[dt.date, int, int], list] = {}
    due_in_window: list[tuple] = []  # (vehicle, its anchor, (n, due, first call day) …) in [lo, hi]
    for vid, (anchor, first_n, mileage, cid, delivered_s, model) in known:
        delivered = parse_day(delivered_s)
        if delivered is None or anchor < delivered:
            continue
        if model not in schedule_of:
            schedule_of[model] = maintenance_schedule(ctx.options, model)
        months, km = schedule_of[model]
        if mileage:
            dues = in_window(maintenance_dues(delivered, anchor, (anchor, mileage), months, km, first_n, until,
                                              max_missed))
        else:
            dues = by_months.get((anchor, months, first_n))
            if dues is None:
                dues = by_months[(anchor, months, first_n)] = in_window(
                    maintenance_dues(delivered, anchor, None, months, km, first_n, until, max_missed))
        if dues:
            due_in_window.append((vid, anchor, cid, model, months, km, dues))
    # not the last maintenance (or one happened since delivery): nothing due from there; one query for all
    later = {int(i) for (i,) in ctx.conn.execute(
        "SELECT key FROM json_each(?) WHERE EXISTS (SELECT 1 FROM visits WHERE vehicle_id = json_extract(value, '$[0]')"
        " AND date_in >= json_extract(value, '$[1]') AND type = 'maintenance')",
        (json.dumps([[vid, (anchor + DAY).isoformat()] for vid, anchor, *_ in due_in_window]),))}
    for i, (vid, anchor, cid, model, months, km, dues) in enumerate(due_in_window):
        if i in later:
            continue
        schedule = f"每{months}个月" + (f"/{km}公里" if km else "")
        for n, due, start in dues:
            yield {"customer_id": cid, "on": start, "trigger": start, "vehicle_id": vid,
                   "key": f"maintenance:{vid}:{anchor.isoformat()}:{n}",
                   "reason": f"定期保养提醒 {model or ''} 应于{due.isoformat()}前保养 ({schedule})".replace("  ", " ")}


def _find_before(ctx, lo, hi, sql: str, key: str, reason: str) -> Iterator[dict]:
    lead = int(ctx.options.get("lead_days", 30))
    if lo > hi:
        return
    first = gap_before(ctx.calendar, lo) + dt.timedelta(days=lead)
    last = hi + dt.timedelta(days=lead)
    for ref, cid, vehicle_id, when in ctx.conn.execute(sql, (first.isoformat(), (last + DAY).isoformat())):
        day = parse_day(when)
        if day is None or cid is None:
            continue
        start = next_workday(ctx.calendar, day - dt.timedelta(days=lead))
        if lo <= start <= hi:
            yield {"customer_id": cid, "on": start, "trigger": start, "key": f"{key}:{ref}:{day.isoformat()}",
                   "vehicle_id": vehicle_id, "reason": reason.format(day=day.isoformat())}


def find_card_expiry(ctx, lo, hi):
    """Membership card expiring: remind to renew or upgrade (友情提醒客户续卡)."""
    return _find_before(
        ctx, lo, hi,
        "SELECT id, customer_id, NULL, expires_on FROM membership_cards"
        " WHERE expires_on >= ? AND expires_on < ? AND status = 'active'",
        "card_expiry", "会员卡{day}到期 续卡提醒")


def find_insurance(ctx, lo, hi):
    """Insurance renewal due (续保提醒)."""
    return _find_before(
        ctx, lo, hi,
        "SELECT id, customer_id, id, insurance_expires FROM vehicles"
        " WHERE insurance_expires >= ? AND insurance_expires < ? AND customer_id IS NOT NULL",
        "insurance", "保险{day}到期 续保提醒")


def find_inspection(ctx, lo, hi):
    """Annual inspection due (年检提醒)."""
    return _find_before(
        ctx, lo, hi,
        "SELECT id, customer_id, id, inspection_due FROM vehicles"
        " WHERE inspection_due >= ? AND inspection_due < ? AND customer_id IS NOT NULL",
        "inspection", "年检{day}到期 年检提醒")


def _members_only(ctx) -> bool:
    return ctx.options.get("audience", "all") == "members"


def _annual(ctx, lo, hi, sql_md: str, key: str, reason: str, min_years: int) -> Iterator[dict]:
    if lo > hi:
        return
    keys = month_days(lo, gap_after(ctx.calendar, hi))
    sql = sql_md.format(marks=_in(keys))
    years = range(lo.year, hi.year + 2)
    # (month, day) -> [(year, occurrence, its first call day, its ISO text)] in [lo, hi]: a few
    # dozen days for thousands of rows, worked out once each
    occasions: dict[tuple[int, int], list[tuple[int, dt.date, dt.date, str]]] = {}
    for ref, cid, vehicle_id, when in ctx.conn.execute(sql, keys):
        day = parse_day(when)
        if day is None or cid is None:
            continue
        found = occasions.get((day.month, day.day))
        if found is None:
            found = occasions[(day.month, day.day)] = []
            for year in years:
                occ = occurrence(year, day.month, day.day)
                start = prev_workday(ctx.calendar, occ)
                if lo <= start <= hi:
                    found.append((year, occ, start, occ.isoformat()))
        for year, occ, start, occ_iso in found:
            if year - day.year < min_years:
                continue
            yield {"customer_id": cid, "on": start, "due_on": start, "trigger": occ,
                   "key": f"{key}:{ref}:{year}", "vehicle_id": vehicle_id,
                   "reason": reason.format(day=occ_iso, years=year - day.year)}


def find_birthday(ctx, lo, hi):
    """Birthday care call (生日关怀), on the birthday or the last working day before it."""
    return _annual(ctx, lo, hi,
                   "SELECT id, id, NULL, birthday FROM customers"
                   " WHERE substr(birthday, 6, 5) IN ({marks}) AND forgotten_at IS NULL",
                   "birthday", "生日关怀 {day}", 0)


def find_anniversary(ctx, lo, hi):
    """Purchase anniversary care call (购车周年关怀)."""
    return _annual(ctx, lo, hi,
                   "SELECT id, customer_id, id, delivery_date FROM vehicles"
                   " WHERE substr(delivery_date, 6, 5) IN ({marks}) AND customer_id IS NOT NULL",
                   "anniversary", "购车{years}周年关怀 {day}", 1)


def holiday_periods(calendar, lo: dt.date, hi: dt.date) -> list[tuple[str, dt.date]]:
    """(holiday name, first day off) for each run of days off in ``[lo, hi]`` holding a public holiday.

    A run of consecutive non-working days is one rest period (National Day 2025 held the
    Mid-autumn Festival too: both names, one first day).
    """
    out: list[tuple[str, dt.date]] = []
    day = lo
    while day <= hi:
        if calendar.is_workday(day):
            day += DAY
            continue
        first, names = day, []
        while not calendar.is_workday(day) and (day - first).days < 30:
            name = calendar.holiday_name(day)
            if name and name not in names:
                names.append(name)
            day += DAY
        out.extend((name, first) for name in names)
    return out


def find_holiday(ctx, lo, hi):
    """Care calls before the main Chinese holidays (节日关怀), to members by default."""
    wanted = set(ctx.options.get("holidays") or [])
    lead = max(int(ctx.options.get("lead_workdays", 2)), 1)
    for name, first in holiday_periods(ctx.calendar, lo, hi + dt.timedelta(days=40)):
        if name not in wanted:
            continue
        due = prev_workday(ctx.calendar, first - DAY)
        start = due
        for _ in range(lead - 1):
            start = prev_workday(ctx.calendar, start - DAY)
        if not lo <= start <= hi:
            continue
        audience = ("SELECT DISTINCT customer_id FROM membership_cards WHERE status = 'active'"
                    " AND (expires_on IS NULL OR expires_on >= ?)")
        params = (first.isoformat(),)
        if not _members_only(ctx):
            audience, params = "SELECT id FROM customers WHERE forgotten_at IS NULL", ()
        title = HOLIDAY_TITLES.get(name, name)
        for (cid,) in ctx.conn.execute(audience, params):
            yield {"customer_id": cid, "on": start, "due_on": due, "trigger": due,
                   "key": f"holiday:{name}:{first.year}:{cid}", "reason": f"{title}关怀"}


BUILTIN = [  # name, title, find, purpose (docs/privacy.md: contact purposes)
    ("service_visit", "售后回访", find_service_visit, "service"),
    ("delivery", "新车交付回访", find_delivery, "service"),
    ("first_maintenance", "首保提醒", find_first_maintenance, "service"),
    ("maintenance", "定期保养提醒", find_maintenance, "service"),
    ("card_expiry", "会员卡到期", find_card_expiry, "care"),
    ("insurance", "续保提醒", find_insurance, "marketing"),
    ("inspection", "年检提醒", find_inspection, "service"),
    ("birthday", "生日关怀", find_birthday, "care"),
    ("anniversary", "购车周年", find_anniversary, "care"),
    ("holiday", "节日关怀", find_holiday, "care"),
]
NAME = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


def load_rules(app, settings: dict) -> list[Rule]:
    """Built-in rules plus those other plugins register, with the config applied."""
    rules: list[Rule] = []
    configured = settings.get("rules") or {}

    def register(name, find, *, title=None, window_days=3, expire_days=15, enabled=True, options=None,
                 purpose="service", _source="plugin"):
        from crm.api import PURPOSES

        if not NAME.match(str(name)) or any(r.name == name for r in rules):
            raise ConfigError(f"callback rule name {name!r} is invalid or registered twice")
        opts = {**(options or {}), **(configured.get(name) or {})}
        purpose = opts.get("purpose", purpose)
        if purpose not in PURPOSES:
            raise ConfigError(f"callback rule {name}: purpose {purpose!r} is not one of {', '.join(PURPOSES)}")
        rules.append(Rule(
            name=name, title=title or name, find=find, source=_source,
            enabled=bool(opts.get("enabled", enabled)),
            window_days=int(opts.get("window_days", window_days)),
            expire_days=int(opts.get("expire_days", expire_days)),
            options=opts, purpose=purpose,
        ))

    for name, title, find, purpose in BUILTIN:
        register(name, find, title=title, purpose=purpose, _source="built-in")
    if hasattr(app.hook, "register_callback_rules"):
        app.plugins.call_each("register_callback_rules", register=register, settings=settings)
    return rules
