"""The maintenance rule and the daily plan give what they gave before the speed work of issue 14.

A synthetic archive (month-end delivery and visit days, visits with and without mileage, a
per-model schedule) is planned day after day; the rule's candidates and the plan's tasks and
explanations are compared with the golden file written by the code before that work
(tests/callbacks/data/maintenance_pinned.json). Regenerate it only for a change of behaviour:
``UPDATE_PINNED=1 .venv/bin/python -m pytest tests/callbacks/test_callbacks_maintenance_pinned.py``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import sqlite3
from pathlib import Path

GOLDEN = Path(__file__).parent / "data" / "maintenance_pinned.json"
CONFIG = '[callbacks.rules.maintenance]\nmodels = {"X1" = {every_months = 3, every_km = 5000}}\n'
FIRST_DAY, DAYS = dt.date(2026, 1, 26), 75


def _archive(db: Path, seed: int = 14, vehicles: int = 500) -> None:
    rng = random.Random(seed)
    now = "2026-01-01T00:00:00+08:00"
    conn = sqlite3.connect(db)
    customers, cars, visits = [], [], []
    ro = 0
    for vid in range(1, vehicles + 1):
        cid = 1000 + vid
        customers.append((cid, f"客户{vid}", f"139{vid:08d}", now, now))
        year, month = rng.randint(2022, 2025), rng.randint(1, 12)
        day = rng.choice([28, 29, 30, 31]) if rng.random() < 0.3 else rng.randint(1, 28)
        try:
            delivered = dt.date(year, month, day)
        except ValueError:
            delivered = dt.date(year, month, 28)
        vin = f"WBA{vid:014d}"
        cars.append((1000 + vid, vin, vin[::-1], delivered.isoformat(), rng.choice(["530Li", "X1", None]), cid,
                     now, now))
        when = delivered
        for _ in range(rng.randint(0, 5)):
            when += dt.timedelta(days=rng.randint(60, 260))
            if when >= FIRST_DAY:
                break
            ro += 1
            mileage = rng.randint(2000, 40000) * max((when - delivered).days, 1) // 365 if rng.random() < 0.5 else None
            visits.append((f"RO{ro:06d}", 1000 + vid, cid, when.isoformat(), when.isoformat(),
                           rng.choice(["maintenance"] * 4 + ["repair"]), mileage, "sunwei", "closed", now, now))
    conn.executemany("INSERT INTO customers (id, name, mobile, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                     customers)
    conn.execute("INSERT INTO customer_consents (customer_id, channel, granted, source, updated_at)"
                 " SELECT id, 'phone', 1, 'import', ? FROM customers WHERE id > 1000", (now,))
    conn.executemany("INSERT INTO vehicles (id, vin, vin_rev, delivery_date, model, customer_id, created_at, updated_at)"
                     " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", cars)
    conn.executemany("INSERT INTO visits (ro_number, vehicle_id, customer_id, date_in, date_out, type, mileage, advisor,"
                     " status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", visits)
    conn.commit()
    conn.close()


def _observed(staffed) -> dict:
    from crm.context import App
    from crm_callbacks import settings as settings_mod
    from crm_callbacks.planner import run_plan
    from crm_callbacks.rules import RuleContext, load_rules

    staffed.write_config(CONFIG)
    staffed("customer", "list")  # the schema
    _archive(staffed.db_path)
    app = App()
    rule = next(r for r in load_rules(app, settings_mod.load(app.config)) if r.name == "maintenance")

    def found(lo, hi, as_of):
        ctx = RuleContext(conn=app.store.conn, as_of=as_of, options=rule.options, calendar=app.calendar,
                          state={"lookback_days": 15})
        return sorted(f"{c['key']} {c['on']} {c['reason']}" for c in rule.find(ctx, lo, hi))

    rule_days = []
    day = dt.date(2026, 1, 1)
    while day < dt.date(2027, 1, 1):  # the rule alone, one day at a time, and four weeks at a time
        rule_days += found(day, day, day)
        if day.toordinal() % 28 == 0:
            rule_days += ["4 weeks"] + found(day - dt.timedelta(days=27), day, day)
        day += dt.timedelta(days=1)
    app.store.close()

    explained = []
    for n in range(DAYS):  # the whole plan, day after day
        as_of = FIRST_DAY + dt.timedelta(days=n)
        stats, notes = run_plan(App(environ={**os.environ, "CRM_NOW": f"{as_of}T07:00:00"}), as_of, explain=True)
        explained.append({k: v for k, v in stats.items()})
        explained += sorted(f"{e['customer_id']} {e['rule']} {e['key']} {e['decision']} {e['task_id']} {e['why']}"
                            for e in notes)
    columns = ("id, customer_id, vehicle_id, visit_id, rules, reasons, member, start_on, due_on, last_on,"
               " scheduled_on, assigned_to, avoid_staff, status, channel")
    tasks = [list(r) for r in staffed.sql(f"SELECT {columns} FROM callback_tasks ORDER BY id")]
    keys = [list(r) for r in staffed.sql("SELECT rule, key, task_id FROM callback_plan_keys ORDER BY rule, key")]
    return {"rule": rule_days, "plan": explained, "tasks": tasks, "keys": keys}


def test_maintenance_candidates_and_daily_plans_are_as_before(staffed):
    got = _observed(staffed)
    if os.environ.get("UPDATE_PINNED"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(got, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    want = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert sum(1 for line in want["rule"] if line.startswith("maintenance:")) > 200  # the rule has work to do
    assert any("X1" in line for line in want["rule"]) and any("530Li" in line for line in want["rule"])
    for part in ("rule", "tasks", "keys", "plan"):
        assert got[part] == want[part], part


def test_months_are_added_within_the_calendar():
    """A month-end anchor keeps to the target month's last day (it used to fall back to
    28 February of the year: 2026-03-31 + 6 months gave 2026-02-28, before the anchor)."""
    from crm_callbacks.rules import add_months

    assert add_months(dt.date(2026, 3, 31), 6) == dt.date(2026, 9, 30)
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2027, 11, 30), 3) == dt.date(2028, 2, 29)
    assert add_months(dt.date(2026, 5, 31), -3) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 8, 15), 12) == dt.date(2027, 8, 15)


def test_months_are_added_as_relativedelta_adds_them():
    """add_months is plain arithmetic (relativedelta cost a daily plan at 1M ≈ 0.15 s): the
    same day as ``day + relativedelta(months=n)`` for every day of 1999–2030 (leap days,
    centuries, month ends) and intervals of -60..60 months."""
    from dateutil.relativedelta import relativedelta

    from crm_callbacks.rules import add_months

    day, last = dt.date(1999, 1, 1), dt.date(2030, 12, 31)
    steps = [*range(-60, 61, 7), -25, -12, -1, 0, 1, 2, 3, 6, 12, 18, 24, 48]
    while day <= last:
        for n in steps:
            assert add_months(day, n) == day + relativedelta(months=n), (day, n)
        day += dt.timedelta(days=1)
