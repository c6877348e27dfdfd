"""Benchmark: a monthly KPI report (≤ 1 s in-process) and ``crm today`` (≤ 100 ms).

Builds a database with plain SQL inserts (default 100 000 customers, three visits each,
appointments, interactions, cards) and prints each timing with its ratio against a reference measured in the same run
(a full scan of the visits table, as in bench/callbacks_bench.py).  It never fails on time.

    .venv/bin/python -m bench.report_bench [--customers 1000000] [--db PATH]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

SPECIALISTS = 10
NOW = "2026-11-20T10:00:00"


def build(path: Path, customers: int, seed: int = 7) -> None:
    from crm.context import App

    app = App(environ={**os.environ, "CRM_DB": str(path), "CRM_NOW": NOW})
    app.open_store(create=True)  # create, migrate core + plugin tables
    rnd = random.Random(seed)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous = OFF")
    ts = "2026-01-01T00:00:00+08:00"
    start = dt.date(2023, 11, 1)
    span = (dt.date(2026, 11, 25) - start).days
    roles = ["callback", "appointment", "satisfaction", "archive"]
    with conn:
        conn.executemany("INSERT INTO staff (id, code, name, role, daily_capacity, created_at, updated_at)"
                         " VALUES (?, ?, ?, ?, 40, ?, ?)",
                         [(i, f"s{i}", f"专员{i}", roles[i % 4], ts, ts) for i in range(1, SPECIALISTS + 1)])

        def day(n: int) -> str:
            return (start + dt.timedelta(days=n)).isoformat()

        rows = []
        for cid in range(1, customers + 1):
            created = day(rnd.randrange(span - 5))
            rows.append((cid, f"客户{cid}", f"139{cid:08d}" if rnd.random() < 0.9 else None,
                         rnd.choice("MF"), f"19{rnd.randrange(50, 99)}-{rnd.randrange(1, 13):02d}-{rnd.randrange(1, 29):02d}"
                         if rnd.random() < 0.6 else None, rnd.choice(["上海", "苏州", None]),
                         created + "T10:00:00+08:00", created, rnd.randrange(1, SPECIALISTS + 1),
                         day(rnd.randrange(span)) if rnd.random() < 0.05 else None))
            if len(rows) >= 50_000:
                conn.executemany("INSERT INTO customers (id, name, mobile, gender, birthday, city, created_at,"
                                 " updated_at, specialist_id, first_contact_due) VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
                rows = []
        if rows:
            conn.executemany("INSERT INTO customers (id, name, mobile, gender, birthday, city, created_at, updated_at,"
                             " specialist_id, first_contact_due) VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
        types = ["maintenance", "repair", "warranty", "bodypaint", "pdi"]
        conn.executemany("INSERT INTO visits (ro_number, customer_id, date_in, type, created_at, updated_at, status)"
                         " VALUES (?, ?, ?, ?, ?, ?, 'closed')",
                         ((f"RO{i}", rnd.randrange(1, customers + 1), day(rnd.randrange(span)), rnd.choice(types), ts, ts)
                          for i in range(3 * customers)))
        statuses = ["arrived"] * 7 + ["no_show", "cancelled", "booked"]
        conn.executemany("INSERT INTO appointments (customer_id, at, staff, status, created_at, updated_at)"
                         " VALUES (?, ?, ?, ?, ?, ?)",
                         ((rnd.randrange(1, customers + 1), f"{day(rnd.randrange(span))}T{rnd.randrange(8, 18):02d}:00",
                           f"s{rnd.randrange(1, SPECIALISTS + 1)}", rnd.choice(statuses), ts, ts)
                          for _ in range(customers // 2)))
        conn.executemany("INSERT INTO interactions (customer_id, at, staff, channel, direction, kind, outcome,"
                         " created_at) VALUES (?, ?, ?, ?, 'out', 'call', ?, ?)",
                         ((rnd.randrange(1, customers + 1), f"{day(rnd.randrange(span))}T{rnd.randrange(9, 19):02d}:00:00",
                           f"s{rnd.randrange(1, SPECIALISTS + 1)}", rnd.choice(["phone", "phone", "sms"]),
                           rnd.choice(["reached", "no_answer", "busy"]), ts) for _ in range(2 * customers)))
        conn.executemany("INSERT INTO membership_cards (customer_id, number, level, issued_on, expires_on,"
                         " created_at, updated_at) VALUES (?, ?, '金卡', '2025-01-01', ?, ?, ?)",
                         ((cid, f"M{cid}", day(rnd.randrange(span)), ts, ts) for cid in range(1, customers + 1, 10)))
    conn.close()


def timed(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main(argv=None) -> list:
    from bench.common import Figure

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=100_000)
    ap.add_argument("--db", help="reuse or build this database file")
    args = ap.parse_args(argv)
    path = Path(args.db) if args.db else Path(tempfile.mkdtemp(prefix="crm-report-bench-")) / "crm.db"
    if not path.exists():
        t = time.perf_counter()
        build(path, args.customers)
        print(f"built {args.customers:,} customers in {time.perf_counter() - t:.1f} s: {path}", file=__import__("sys").stderr)
    from crm.context import App
    from crm.reports import agenda, build as report_build

    env = {**os.environ, "CRM_DB": str(path), "CRM_NOW": NOW}
    app = App(environ=env)
    app.store.conn.execute("ANALYZE")
    # the same reference as bench/callbacks_bench.py: a full scan of the visits table (a bare
    # count(*) reads only the smallest index, takes a few ms and makes noisy ratios)
    reference = timed(lambda: app.store.conn.execute("SELECT count(*), sum(length(ro_number)) FROM visits").fetchone())
    now = app.now()
    figures = [
        ("monthly KPI report, department", lambda: report_build.build(app, "monthly", "2026-11", None), 1.0),
        ("monthly KPI report, one specialist", lambda: report_build.build(app, "monthly", "2026-11", "s1"), 1.0),
        ("kpi report, a past month", lambda: report_build.build(app, "kpi", "2026-10", None), 1.0),
        ("crm today --me", lambda: agenda.gather(app, now.date(), "s1", now), 0.1),
        ("crm today (department)", lambda: agenda.gather(app, now.date(), None, now), 0.1),
        ("crm today --all (manager)", lambda: agenda.manager_view(app, now.date(), now), None),
    ]
    result = []
    for name, fn, target in figures:
        value = timed(fn)
        result.append(Figure(f"{name}, {args.customers} customers", value, "full scan of visits", reference,
                             limit=target, group="reports"))
    app.store.close()
    if not args.db:
        shutil.rmtree(path.parent, ignore_errors=True)
    return result

if __name__ == "__main__":
    import sys

    from bench.common import standalone

    sys.exit(standalone("Reports (bench/report_bench.py)", main))
