"""Benchmark of the callbacks plugin on a large archive (issue 5: scale).

Generates customers, vehicles, visits, cards and staff with plain SQL inserts, runs the
first plan, then times (each the best of a few runs, as a ratio against a reference scan
measured in the same run, so machines compare):

- the daily plan the day after (incremental: watermarks),
- a second plan the same day (must create nothing),
- ``due`` for one specialist (in-process).

    .venv/bin/python -m bench.callbacks_bench                      # 200k customers / 600k visits
    .venv/bin/python -m bench.callbacks_bench --customers 1000000  # the full size (1M / 3M)
    .venv/bin/python -m bench.callbacks_bench --customers 1000000 --db /tmp/cb.db --keep
        # --keep saves the generated archive as /tmp/cb.db.base and starts from a copy of it
        # next time (no second generation); the plan's tasks are never in the base.
    .venv/bin/python -m bench.callbacks_bench --customers 1000000 --db /tmp/cb.db --keep --before /tmp/base
        # and then the same figures of another checkout (e.g. the code before a change, with its
        # own .venv) on a copy of the same archive, right after: both printed, one table
    .venv/bin/python -m bench.callbacks_bench --customers 1000000 --db /tmp/cb.db --keep --before /tmp/base \
        --without maintenance
        # this code with a rule switched off ([callbacks.rules.maintenance] enabled = false):
        # the same work as a checkout that did not have the rule yet (issue 17 added it)

Targets: daily plan ≤ 2 s, due ≤ 50 ms on the full size.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

AS_OF = dt.date(2026, 11, 20)


def generate(db: Path, customers: int, seed: int = 5) -> None:
    rng = random.Random(seed)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA synchronous = OFF")
    now = "2026-01-01T00:00:00+08:00"
    conn.execute("BEGIN")
    staff = [(f"cb{i:02d}", f"回访{i}", "callback", 40) for i in range(10)]
    staff += [(f"sa{i:02d}", f"顾问{i}", "advisor", 40) for i in range(20)]
    conn.executemany("INSERT INTO staff (code, name, role, daily_capacity, created_at, updated_at)"
                     " VALUES (?, ?, ?, ?, ?, ?)", [(*s, now, now) for s in staff])

    def day(lo: int, hi: int) -> str:
        return (AS_OF - dt.timedelta(days=rng.randint(lo, hi))).isoformat()

    batch = []
    for cid in range(1, customers + 1):
        birthday = f"{rng.randint(1960, 2000)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        batch.append((cid, f"客户{cid}", f"139{cid:08d}", birthday, now, now))
        if len(batch) == 50000:
            conn.executemany("INSERT INTO customers (id, name, mobile, birthday, created_at, updated_at)"
                             " VALUES (?, ?, ?, ?, ?, ?)", batch)
            batch = []
    conn.executemany("INSERT INTO customers (id, name, mobile, birthday, created_at, updated_at)"
                     " VALUES (?, ?, ?, ?, ?, ?)", batch)
    # Consent rows as ``customer add`` and the importer write them (every channel granted
    # unless refused); a customer without them gets only service calls (docs/privacy.md).
    conn.execute("INSERT INTO customer_consents (customer_id, channel, granted, source, updated_at)"
                 " SELECT c.id, ch.value, 1, 'import', ? FROM customers c,"
                 " json_each('[\"phone\", \"sms\", \"wechat\", \"email\"]') ch", (now,))
    vehicles = []
    for cid in range(1, customers + 1):
        vin = f"WBA{cid:014d}"
        vehicles.append((cid, vin, vin[::-1], day(0, 5 * 365), (AS_OF + dt.timedelta(days=rng.randint(-30, 365))).isoformat(),
                         (AS_OF + dt.timedelta(days=rng.randint(-30, 365))).isoformat(), cid, now, now))
    conn.executemany("INSERT INTO vehicles (id, vin, vin_rev, delivery_date, insurance_expires, inspection_due,"
                     " customer_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", vehicles)
    del vehicles
    types = ["maintenance", "maintenance", "repair", "warranty", "bodypaint"]
    batch = []
    for vid in range(1, customers * 3 + 1):
        cid = rng.randint(1, customers)
        out = AS_OF - dt.timedelta(days=rng.randint(1, 3 * 365))
        batch.append((f"RO{vid:09d}", cid, cid, (out - dt.timedelta(days=rng.randint(0, 2))).isoformat(),
                      out.isoformat(), rng.choice(types), f"sa{rng.randint(0, 19):02d}", "closed", now, now))
        if len(batch) == 100000:
            conn.executemany("INSERT INTO visits (ro_number, vehicle_id, customer_id, date_in, date_out, type, advisor,"
                             " status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", batch)
            batch = []
    conn.executemany("INSERT INTO visits (ro_number, vehicle_id, customer_id, date_in, date_out, type, advisor,"
                     " status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", batch)
    cards = [(cid, f"M{cid:08d}", "gold", "2024-01-01", (AS_OF + dt.timedelta(days=rng.randint(-10, 700))).isoformat(),
              now, now) for cid in range(1, customers + 1, 10)]
    conn.executemany("INSERT INTO membership_cards (customer_id, number, level, issued_on, expires_on, created_at,"
                     " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)", cards)
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()


def best(fn, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv=None) -> list:
    from bench.common import Figure

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--db", help="Keep the generated database here (default: a temp dir)")
    parser.add_argument("--keep", action="store_true",
                        help="save the generated archive as DB.base and reuse it on the next run")
    parser.add_argument("--before", metavar="CHECKOUT",
                        help="also time the callbacks bench of this checkout (its .venv/bin/python) on a copy"
                             " of the same archive, right after this one, and print its figures too")
    parser.add_argument("--without", metavar="RULE", action="append", default=[],
                        help="switch this rule off in this code's run (repeatable): compare the same work with"
                             " a checkout that did not have it")
    args = parser.parse_args(argv)
    args.keep = args.keep or bool(args.before)  # the other checkout starts from the same base

    from crm.context import App

    folder = tempfile.mkdtemp(prefix="crm-callbacks-bench-")
    db = Path(args.db or os.path.join(folder, "bench.db"))
    # the defaults, but the rules switched off with --without
    Path(folder, "none.toml").write_text("".join(f"[callbacks.rules.{rule}]\nenabled = false\n"
                                                 for rule in args.without), encoding="utf-8")
    env = {"CRM_DB": str(db), "CRM_CONFIG": os.path.join(folder, "none.toml"), "CRM_PLUGINS": "callbacks",
           "CRM_NOW": f"{AS_OF.isoformat()}T07:00:00"}

    t0 = time.perf_counter()
    base = Path(f"{db}.base")
    if args.keep and base.exists():
        for suffix in ("-wal", "-shm"):  # of the previous run's copy
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(base, db)
        print(f"copied the archive generated before ({base}) in {time.perf_counter() - t0:.1f} s",
              file=sys.stderr)
    else:
        App(environ=env).open_store(create=True)  # the schema, core and plugin
        generate(db, args.customers)
        app = App(environ=env)
        app.store.conn.execute("ANALYZE")
        app.store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        app.store.conn.close()
        if args.keep:
            shutil.copyfile(db, base)
        print(f"generated {args.customers:,} customers / {args.customers * 3:,} visits in"
              f" {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    app = App(environ=env)
    app.store.conn.execute("ANALYZE")

    from crm_callbacks.planner import run_plan
    from crm_callbacks.queue import due_rows

    reference = best(lambda: app.store.conn.execute("SELECT count(*), sum(length(ro_number)) FROM visits").fetchone())
    t0 = time.perf_counter()
    first, _ = run_plan(app, AS_OF - dt.timedelta(days=1))
    first_time = time.perf_counter() - t0

    def daily():
        env2 = {**env, "CRM_NOW": f"{AS_OF.isoformat()}T07:00:00"}
        return run_plan(App(environ=env2), AS_OF)[0]

    t0 = time.perf_counter()
    stats = daily()
    daily_time = time.perf_counter() - t0
    again = best(lambda: daily())
    specialist = app.store.scalar("SELECT assigned_to FROM callback_tasks WHERE status = 'open'"
                                  " GROUP BY assigned_to ORDER BY count(*) DESC LIMIT 1")
    rows = due_rows(app, AS_OF, staff=specialist, limit=200)
    due_time = best(lambda: due_rows(app, AS_OF, staff=specialist, limit=200), runs=5)

    g = "callbacks"
    ref = "full scan of visits"
    n = args.customers
    without = f", without {', '.join(args.without)}" if args.without else ""
    figures = [
        Figure(f"callbacks first plan, {n} customers{without}", first_time, ref, reference, group=g,
               note=f"created {first['created']}"),
        Figure("  daily plan after the first run", daily_time, ref, reference, limit=2.0, group=g,
               note=f"created {stats['created']}, merged {stats['merged']}, skipped {stats['skipped']}"),
        Figure("  second plan the same day", again, ref, reference, limit=2.0, group=g, note="creates nothing"),
        Figure(f"  due for one specialist ({len(rows)} rows)", due_time * 1000, ref, reference * 1000, unit="ms",
               limit=50, group=g),
    ]
    app.store.close()
    if args.before:
        # each figure, then the other checkout's same figure
        figures = [f for pair in zip(figures, before(args.before, base, args.customers, folder)) for f in pair]
    shutil.rmtree(folder, ignore_errors=True)
    return figures


_BEFORE = """
import json, sys
from bench.callbacks_bench import main
print(json.dumps([{k: getattr(f, k) for k in ("name", "value", "reference_name", "reference", "unit", "note", "limit")}
                  for f in main(sys.argv[1:])]))
"""


def before(checkout: str, archive: Path, customers: int, folder: str) -> list:
    """The figures of another checkout's callbacks bench on a copy of ``archive`` (this run's)."""
    import json
    import subprocess

    from bench.common import Figure

    root = Path(checkout).resolve()
    python = root / ".venv" / "bin" / "python"
    if not python.exists():
        raise SystemExit(f"--before {checkout}: no {python} (make its venv: python3 -m venv .venv;"
                         " .venv/bin/pip install -e .)")
    commit = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip() or root.name
    db = Path(folder) / "before.db"
    shutil.copyfile(archive, f"{db}.base")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRM_")}
    done = subprocess.run([str(python), "-c", _BEFORE, "--customers", str(customers), "--db", str(db), "--keep"],
                          cwd=root, env=env, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"--before {checkout}: the bench there failed: {done.stderr.strip()[-500:]}")
    return [Figure(f"    the same, before ({commit})", row["value"], row["reference_name"],
                   row["reference"], unit=row["unit"], group="callbacks", note=row["note"])
            for row in json.loads(done.stdout.strip().splitlines()[-1])]

if __name__ == "__main__":
    import sys

    from bench.common import standalone

    sys.exit(standalone("Callbacks (bench/callbacks_bench.py)", main))
