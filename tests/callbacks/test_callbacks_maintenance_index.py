"""What keeps the maintenance rule cheap on the daily plan (issue 14's benchmark): its visits
are read from the covering partial index of m011, the vehicles and the later visits in one
query each, and nothing scans visits or vehicles."""

import datetime as dt
import sqlite3

from callbacks_helpers import customer, plan, vehicle, visit


def test_the_maintenance_rule_reads_indexes_only_and_a_fixed_number_of_queries(staffed):
    from crm.context import App
    from crm_callbacks import settings as settings_mod
    from crm_callbacks.rules import RuleContext, load_rules

    for i in range(6):  # maintenance visits six months before the window, some with a later one
        cid = customer(staffed, f"客户{i}", f"1381234567{i}")
        vin = vehicle(staffed, cid, 10 + i, delivered="2025-01-06")
        visit(staffed, vin, f"RO{i}", "2026-05-20")
        if i % 2:
            visit(staffed, vin, f"RO{i}b", "2026-08-20")
    plan(staffed, "2026-11-01")
    index = dict(staffed.sql("SELECT name, sql FROM sqlite_master WHERE name = 'callbacks_visits_maintenance'"))
    assert index["callbacks_visits_maintenance"].rstrip().endswith("WHERE type = 'maintenance'")

    app = App()
    rule = next(r for r in load_rules(app, settings_mod.load(app.config)) if r.name == "maintenance")
    seen: list[str] = []
    app.store.conn.set_trace_callback(seen.append)
    day = dt.date(2026, 11, 6)  # 2026-05-20 + 6 months − 14 days
    ctx = RuleContext(conn=app.store.conn, as_of=day, options=rule.options, calendar=app.calendar,
                      state={"lookback_days": 15})
    found = list(rule.find(ctx, day, day))
    app.store.conn.set_trace_callback(None)
    assert sorted(c["key"].split(":")[2] for c in found) == ["2026-05-20"] * 3  # the three without a later visit
    assert len(seen) < 20  # a few queries a window, none a candidate

    conn = sqlite3.connect(staffed.db_path)
    try:
        plans = {s: " | ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + s)) for s in seen}
    finally:
        conn.close()
    for statement, detail in plans.items():
        assert "SCAN visits" not in detail and "SCAN vehicles" not in detail and "SCAN m" not in detail, (statement, detail)
    assert any("COVERING INDEX callbacks_visits_maintenance" in d for s, d in plans.items()
               if s.startswith("SELECT vehicle_id, date_in, mileage FROM visits"))
