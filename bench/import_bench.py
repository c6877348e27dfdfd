"""Import benchmark: ``python -m bench.import_bench [--rows N] [--full] [--xlsx-rows N]``.

Returns (and standalone prints) figures measured in one run:

* the **schema floor**: SQLite copying the rows that import wrote (every crm table) from the
  imported database into an empty crm database with ``INSERT … SELECT`` (ATTACH), the
  indexes and triggers dropped before and rebuilt after, in one transaction with crm's
  pragmas (WAL, ``synchronous = FULL``, foreign keys on) — what no importer of this schema
  can beat, whatever its language;
* ``crm customer import`` of an N-row customer CSV (sampledata, one row per car, 34 columns,
  validation and dedupe) as a ratio to that floor (target ≤ 1.5×) and to ``sqlite3 .import``
  of the same file into a plain table; its peak memory (target < 200 MB); the ratio to
  ``sqlite-utils insert --csv``;
* re-importing the same CSV into the imported archive (every row matches), against the first
  import (target ≤ 1.5×);
* ``crm customer import`` of an XLSX sheet against python-calamine just reading it (≤ 2×)
  and against its own schema floor.

The crm runs have every plugin disabled (``CRM_PLUGINS=``): the figure is the importer's.
Never used by the tests (no test asserts on time).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent

from .common import Figure, run_measured, standalone  # noqa: E402


def _run(cmd: list[str], env: dict | None = None) -> tuple[float, float, int]:
    """(wall seconds, peak RSS MB, exit code) of one child process."""
    return run_measured(cmd, env, ok=(0, 3))


def _children_cpu() -> float:
    """CPU seconds (user + system) of every child process reaped so far (a child's own
    reaped children, such as an import's cleaning worker, included)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run_cpu(cmd: list[str], env: dict | None = None) -> tuple[float, float, float]:
    """(wall seconds, peak MB, CPU seconds) of one child process and its children: on a
    machine shared with other work the CPU seconds compare better than the wall times."""
    before = _children_cpu()
    wall, rss, _ = _run(cmd, env)
    return wall, rss, _children_cpu() - before


def _seed_staff(env: dict) -> None:
    from crm.sampledata.generate import Generator

    Path(env["CRM_CONFIG"]).touch()  # an empty config: the defaults
    subprocess.run([str(VENV_BIN / "crm"), "--quiet", "db", "migrate"], env=env, check=True, stdout=subprocess.DEVNULL)
    staff = sorted((s for s in Generator().staff() if s["active"]), key=lambda s: s["role"] != "manager")
    manager = staff[0]["code"]  # first-time setup adds the manager, who adds the rest
    for s in staff:
        boss = ["--as", manager] if s["code"] != manager else []
        subprocess.run([str(VENV_BIN / "crm"), "--quiet", *boss, "staff", "add", s["code"], "--name", s["name"],
                        "--role", s["role"]], env=env, check=True, stdout=subprocess.DEVNULL)


#: the least a Python importer pays: parse the CSV with the csv module and executemany the
#: raw rows into one table without indexes (no cleaning, no dedupe, no second table)
_PYTHON_FLOOR = """
import csv, os, sqlite3, sys
src, db = sys.argv[1], sys.argv[2]
for p in (db, db + "-wal", db + "-shm"):
    if os.path.exists(p):
        os.unlink(p)
conn = sqlite3.connect(db)
conn.execute("PRAGMA journal_mode = WAL")
with open(src, encoding="utf-8", newline="") as fh:
    rows = csv.reader(fh)
    header = next(rows)
    conn.execute("CREATE TABLE t (" + ", ".join(f"c{i} TEXT" for i in range(len(header))) + ")")
    with conn:
        conn.executemany("INSERT INTO t VALUES (" + ", ".join("?" * len(header)) + ")", rows)
"""


def _crm_env(db: Path, work: Path) -> dict:
    return dict(os.environ, CRM_DB=str(db), CRM_PLUGINS="", CRM_CONFIG=str(work / "none.toml"),
                CRM_NOW="2026-11-20T10:00:00", CRM__IDENTITY__ANONYMOUS="write")  # one person imports (docs/privacy.md)


def _fresh_db(db: Path) -> dict:
    """An empty crm database with the sample staff (as in a dealer's archive); its env."""
    for p in db.parent.glob(db.name + "*"):
        p.unlink()
    env = _crm_env(db, db.parent)
    _seed_staff(env)  # the file's 专员 codes must be staff (not timed)
    return env


def _crm_import(path: Path, work: Path, db: Path | None = None) -> tuple[float, float, float]:
    """Import ``path`` into ``db`` (a fresh database unless ``db`` is given): (seconds, peak MB,
    CPU seconds of the import and its worker)."""
    if db is None:
        db = work / f"crm-{path.suffix[1:]}.db"
        env = _fresh_db(db)
    else:
        env = _crm_env(db, work)
    return _run_cpu([str(VENV_BIN / "crm"), "--quiet", "customer", "import", str(path), "--skip-invalid"], env)


#: the schema floor: SQLite copying every row an import wrote into an empty crm database
#: (same schema, same pragmas as crm's connection), indexes and triggers rebuilt after
_SCHEMA_FLOOR = """
import sqlite3, sys, time
empty, imported = sys.argv[1], sys.argv[2]
conn = sqlite3.connect(empty, isolation_level=None)
conn.execute("PRAGMA journal_mode = WAL")
conn.execute("PRAGMA foreign_keys = ON")
conn.execute("PRAGMA synchronous = FULL")
conn.execute("PRAGMA cache_size = -16384")
conn.execute("ATTACH DATABASE ? AS src", (imported,))
conn.execute("BEGIN IMMEDIATE")
tables = [r[0] for r in conn.execute(
    "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'"
    " AND name NOT LIKE '%_fts%' ORDER BY rootpage")]
copy = []
for t in tables:
    mine = conn.execute(f'SELECT count(*) FROM main."{t}"').fetchone()[0]
    theirs = conn.execute(f'SELECT count(*) FROM src."{t}"').fetchone()[0]
    if theirs > mine:
        copy.append(t)
rebuild = conn.execute(
    "SELECT type, name, sql FROM main.sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL"
    f" AND tbl_name IN ({','.join('?' * len(copy))})", copy).fetchall()
started, cpu = time.perf_counter(), time.process_time()
for kind, name, _sql in rebuild:
    conn.execute(f'DROP {kind.upper()} main."{name}"')
rows = 0
for t in copy:
    cols = ", ".join(f'"{r[1]}"' for r in conn.execute(f'PRAGMA main.table_info("{t}")'))
    have = conn.execute(f'SELECT count(*) FROM main."{t}"').fetchone()[0]
    # rows the import added (staff and their audit rows are in the empty database already)
    only_new = f' WHERE rowid > (SELECT coalesce(max(rowid), 0) FROM main."{t}")' if have else ""
    rows += conn.execute(f'INSERT INTO main."{t}" ({cols}) SELECT {cols} FROM src."{t}"{only_new}').rowcount
for _kind, _name, sql in rebuild:
    conn.execute(sql)
conn.execute("COMMIT")
print(time.perf_counter() - started, time.process_time() - cpu, rows, len(copy))
"""


def _schema_floor(imported: Path, work: Path) -> tuple[float, float]:
    """(seconds, CPU seconds) SQLite takes to copy ``imported``'s rows into an empty crm database."""
    empty = work / f"floor-{imported.stem}.db"
    _fresh_db(empty)
    done = subprocess.run([sys.executable, "-c", _SCHEMA_FLOOR, str(empty), str(imported)],
                          capture_output=True, text=True, check=True)
    wall, cpu = done.stdout.split()[:2]
    return float(wall), float(cpu)  # BEGIN … COMMIT, without the interpreter's start


def main(argv: list[str] | None = None) -> list[Figure]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=200_000, help="customers in the CSV (default 200000)")
    ap.add_argument("--full", action="store_true", help="1,000,000 customers (the issue's figure)")
    ap.add_argument("--xlsx-rows", type=int, default=100_000, help="rows of the XLSX sheet (default 100000)")
    ap.add_argument("--no-sqlite-utils", action="store_true", help="skip the sqlite-utils reference")
    ap.add_argument("--keep", help="work in this folder and keep the files")
    args = ap.parse_args(argv)
    rows = 1_000_000 if args.full else args.rows
    from crm.sampledata.files import write_customers_csv, write_customers_xlsx

    work = Path(args.keep or tempfile.mkdtemp(prefix="crm-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    figures: list[Figure] = []
    g = "import"
    try:
        csv_path = work / f"customers-{rows}.csv"
        if not csv_path.exists():
            write_customers_csv(csv_path, rows)
        lines = sum(1 for _ in open(csv_path, "rb")) - 1
        plain = work / "plain.db"
        for p in work.glob("plain.db*"):
            p.unlink()
        sqlite3 = shutil.which("sqlite3")
        ref, _, _ = _run([sqlite3, str(plain), ".import --csv " + str(csv_path) + " t"]) if sqlite3 else (0, 0, 0)
        floor_s, _, _ = _run([sys.executable, "-c", _PYTHON_FLOOR, str(csv_path), str(work / "floor.db")])
        crm_s, rss, crm_cpu = _crm_import(csv_path, work)
        imported = work / "crm-csv.db"
        schema_s, schema_cpu = _schema_floor(imported, work)
        name = f"crm customer import, CSV {rows} customers ({lines} rows)"
        figures.append(Figure("schema floor: SQLite INSERT … SELECT of the imported rows, indexes rebuilt",
                              schema_s, "sqlite3 .import" if sqlite3 else "", ref, group=g,
                              note="every crm table the import wrote, into an empty crm database"))
        figures.append(Figure(name, crm_s, "schema floor", schema_s, 1.5, group=g))
        figures.append(Figure("  CPU seconds of that import (with its worker)", crm_cpu, "schema floor CPU", schema_cpu,
                              group=g, note="compares better than wall time on a shared machine"))
        if sqlite3:
            figures.append(Figure(name, crm_s, "sqlite3 .import", ref, group=g))
            figures.append(Figure("  floor: Python csv + executemany into one plain table", floor_s,
                                  "sqlite3 .import", ref, group=g,
                                  note="no validation, no dedupe, no index: what any Python importer pays"))
        figures.append(Figure("  peak memory of that CSV import (with its worker)", rss, unit="MB", limit=200, group=g))
        again_s, _again_rss, again_cpu = _crm_import(csv_path, work, db=imported)
        figures.append(Figure("re-import of the same CSV (every row matches)", again_s, "first import", crm_s, 1.5,
                              group=g))
        figures.append(Figure("re-import of the same CSV", again_s, "schema floor", schema_s, group=g))
        figures.append(Figure("  CPU seconds of the re-import", again_cpu, "first import CPU", crm_cpu, group=g))
        if not args.no_sqlite_utils:
            su = VENV_BIN / "sqlite-utils"
            for p in work.glob("su.db*"):
                p.unlink()
            su_s, _, _ = _run([str(su), "insert", str(work / "su.db"), "t", str(csv_path), "--csv"])
            figures.append(Figure("  same CSV import vs sqlite-utils", crm_s, "sqlite-utils insert --csv", su_s,
                                  group=g))
        xlsx_path = work / f"customers-{args.xlsx_rows}.xlsx"
        if not xlsx_path.exists():
            write_customers_xlsx(xlsx_path, args.xlsx_rows, engine="fast")
        read_s, _, read_cpu = _run_cpu([sys.executable, "-c",
                             "import sys; from python_calamine import CalamineWorkbook as W; "
                             "b = W.from_path(sys.argv[1]); "
                             "[sum(1 for _ in b.get_sheet_by_name(n).iter_rows()) for n in b.sheet_names]",
                             str(xlsx_path)])
        x_s, x_rss, x_cpu = _crm_import(xlsx_path, work)
        x_floor, _x_floor_cpu = _schema_floor(work / "crm-xlsx.db", work)
        name = f"crm customer import, XLSX {args.xlsx_rows} customers"
        figures.append(Figure(name, x_s, "python-calamine read", read_s, 2.0, group=g))
        figures.append(Figure(name, x_s, "schema floor", x_floor, group=g))
        figures.append(Figure("  CPU seconds of that XLSX import (with its worker)", x_cpu, "calamine read CPU", read_cpu,
                              group=g))
        if sqlite3:
            figures.append(Figure(name, x_s, "sqlite3 .import (of the CSV)", ref, group=g,
                                  note=f"the CSV has {rows} customers, the sheet {args.xlsx_rows}"))
        figures.append(Figure("  peak memory of that XLSX import (with its worker)", x_rss, unit="MB", limit=200, group=g))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return figures


if __name__ == "__main__":
    sys.exit(standalone("Import (bench/import_bench.py)", main))
