"""Benchmark: a dealer group (issue 21) — incremental export and the group's monthly report.

    .venv/bin/python -m bench.group_bench                      # 50 stores × 20 000 customers
    .venv/bin/python -m bench.group_bench --stores 5 --customers 2000   # a quick run

- **Incremental export of a 1 % change**, as a ratio of the full export's time (target ≤ 3 %):
  every store exported in full, then 1 % of each store's customers changed (a city, through
  SQL: the capture triggers log them as any writer's change would) and exported again with
  ``--since last``. Both are ``crm group export`` run in this process (CliRunner: the
  command with its config, transaction, audit and Parquet writing; not the interpreter's
  start-up, the same for both), summed over the stores.
- **``group report monthly`` on DuckDB** for the whole group, as a ratio of DuckDB scanning
  the same Parquet files once: one ``SELECT count(*)`` a table the report reads
  (appointments, customers, visits, interactions; vehicles have no date) over every store's
  full export, with the report's date filter (the rows of this month, the previous month and
  the same month last year). Target ≤ 5×. Both warm, alternated, medians of ``--rounds``.

Generating a store's archive takes a while (the generator, then the real import), so ONE
store is generated and copied ``--stores`` times under other dealer codes
(bench/group_store.py: ``copy_store`` changes only the config's dealer code): the stores'
data are the same, their codes and exports are not.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.common import Figure, standalone

MONTH = "2026-11"


def _runner(root: Path):
    from click.testing import CliRunner

    from bench.group_store import store_env
    from crm.cli import make_app

    env = store_env(root)

    def run(*args) -> str:
        result = CliRunner().invoke(make_app(environ=env), [str(a) for a in args], env=env, catch_exceptions=False)
        if result.exit_code != 0:
            raise RuntimeError(f"crm {' '.join(map(str, args))} -> {result.exit_code}: {result.stderr[-500:]}")
        return result.stdout
    return run


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def _change(root: Path, share: float) -> int:
    """Change ``share`` of the store's customers (their city), as one write transaction."""
    conn = sqlite3.connect(root / "crm.db")
    try:
        n = conn.execute("SELECT count(*) FROM customers").fetchone()[0]
        step = max(1, round(1 / share))
        with conn:
            cur = conn.execute("UPDATE customers SET city = CASE WHEN city = '天津' THEN '廊坊' ELSE '天津' END,"
                               " updated_at = ? WHERE id % ? = 0", ("2026-11-20T10:00:00+08:00", step))
        return cur.rowcount if n else 0
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> list[Figure]:
    ap = argparse.ArgumentParser(prog="python -m bench.group_bench", description=__doc__.splitlines()[0])
    ap.add_argument("--stores", type=int, default=50)
    ap.add_argument("--customers", type=int, default=20_000, help="customers of each store")
    ap.add_argument("--change", type=float, default=0.01, help="share of customers changed (default 1%%)")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--dir", type=Path, help="work folder (default: a temporary one, removed)")
    args = ap.parse_args(argv)
    if args.dir:
        args.dir.mkdir(parents=True, exist_ok=True)
        return _bench(args, args.dir)
    with tempfile.TemporaryDirectory(prefix="group-bench-") as tmp:
        return _bench(args, Path(tmp))


def _bench(args, work: Path) -> list[Figure]:
    from bench.group_store import MANAGER, build_store, copy_store, store_env

    g = "group"
    say = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    t = time.perf_counter()
    model = build_store(work / "model", "GEN000", args.customers, seed=1)
    say(f"  one store of {args.customers} customers generated and imported in {time.perf_counter() - t:.0f} s")
    codes = [f"ST{i:03d}" for i in range(1, args.stores + 1)]
    roots = {c: copy_store(model, work / c, c) for c in codes}
    out = work / "exports"
    runners = {c: _runner(r) for c, r in roots.items()}
    runners[codes[0]]("--as", MANAGER, "group", "status")  # warm: imports, plugins
    full = sum(_timed(lambda c=c: runners[c]("--as", MANAGER, "group", "export", "--out", out)) for c in codes)
    full_rows = _rows(out)
    say(f"  full exports: {full:.1f} s, {full_rows} rows")
    changed = sum(_change(roots[c], args.change) for c in codes)
    before = set(out.iterdir())
    incr = sum(_timed(lambda c=c: runners[c]("--as", MANAGER, "group", "export", "--out", out, "--since", "last"))
               for c in codes)
    incr_dirs = sorted(set(out.iterdir()) - before)
    incr_rows = sum(_rows_of(d) for d in incr_dirs)
    say(f"  incremental exports: {incr:.2f} s, {incr_rows} rows")

    from crm.context import App
    from crm.group import report as rep
    from crm.group import warehouse as wh_mod
    from crm.group.connect import open_warehouse

    target = work / "group.duckdb"
    full_dirs = sorted(d for d in out.iterdir() if d not in incr_dirs)
    wh = open_warehouse(str(target), create=True)
    load_full = _timed(lambda: wh_mod.load(wh, wh_mod.find_exports(full_dirs)))
    load_incr = _timed(lambda: wh_mod.load(wh, wh_mod.find_exports(incr_dirs)))
    wh.close()
    say(f"  loaded into DuckDB: full {load_full:.1f} s, incremental {load_incr:.2f} s")

    import duckdb

    app = App(environ={**store_env(work), "CRM_CONFIG": str(work / "group.toml")})
    (work / "group.toml").write_text("", encoding="utf-8")
    p, spans = rep.spans(MONTH, app.today())
    wh = open_warehouse(str(target))
    files = {t: [str(d / f"{t}.parquet") for d in full_dirs if (d / f"{t}.parquet").exists()]
             for t in ("appointments", "customers", "visits", "interactions")}
    col = {"appointments": '"at"', "customers": "created_at", "visits": "date_in", "interactions": '"at"'}
    def spans_filter(c: str) -> str:  # the report's WHERE: the rows of this month, the previous one, last year's
        return " OR ".join(f"({c} >= '{s.lo}' AND {c} < '{s.hi}')" for s in spans)

    scan_sql = " + ".join(f"(SELECT count(*) FROM read_parquet({files[t]!r}) WHERE {spans_filter(col[t])})"
                          for t in files if files[t])
    con = duckdb.connect()

    def report() -> float:
        return _timed(lambda: rep.monthly_rows(rep.compute(wh, app, MONTH)))

    def scan() -> float:
        return _timed(lambda: con.execute(f"SELECT {scan_sql}").fetchone())

    report(), scan()
    r_times, s_times = [], []
    for i in range(args.rounds):
        if i % 2:
            r_times.append(report()); s_times.append(scan())
        else:
            s_times.append(scan()); r_times.append(report())
    wh.close()
    con.close()
    rt, st = statistics.median(r_times), statistics.median(s_times)
    size = f"{args.stores} stores × {args.customers} customers"
    return [
        Figure(f"group export, full, {size} (sum over stores)", full, group=g,
               note=f"{full_rows} rows"),
        Figure(f"  incremental export of a {args.change:.0%} change ({changed} customers)", incr,
               "full export", full, 0.03, group=g, note=f"{incr_rows} rows"),
        Figure("  group load into DuckDB, full exports", load_full, group=g),
        Figure("  group load into DuckDB, the incremental exports", load_incr, "load of the full exports", load_full,
               group=g),
        Figure(f"group report monthly {MONTH}, whole group, DuckDB", rt,
               "DuckDB count(*) over the Parquet files, report's filters", st, 5.0, group=g),
    ]


def _rows_of(d: Path) -> int:
    import json

    m = json.loads((d / "manifest.json").read_text(encoding="utf-8"))
    return sum(t["rows"] for t in m["tables"].values())


def _rows(out: Path) -> int:
    return sum(_rows_of(d) for d in out.iterdir() if (d / "manifest.json").exists())


if __name__ == "__main__":
    os.environ.pop("CRM_DB", None)
    sys.exit(standalone("Dealer group (bench/group_bench.py)", main))
