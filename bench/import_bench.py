"""Import benchmark: ``python -m bench.import_bench [--rows N] [--full] [--xlsx-rows N]``.

Returns (and standalone prints) figures measured in one run:

* ``crm customer import`` of an N-row customer CSV (sampledata, one row per car, 34 columns,
  validation and dedupe) against ``sqlite3 .import`` of the same file into a plain table
  (target ≤ 3×), its peak RSS (target < 200 MB), and the ratio to
  ``sqlite-utils insert --csv``;
* ``crm customer import`` of an XLSX sheet against python-calamine just reading it (≤ 2×).

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


def _crm_import(path: Path, work: Path) -> tuple[float, float]:
    db = work / f"crm-{path.suffix[1:]}.db"
    for p in work.glob(db.name + "*"):
        p.unlink()
    env = dict(os.environ, CRM_DB=str(db), CRM_PLUGINS="", CRM_CONFIG=str(work / "none.toml"),
               CRM_NOW="2026-11-20T10:00:00")
    _seed_staff(env)  # the file's 专员 codes must be staff, as in a dealer's archive (not timed)
    wall, rss, _ = _run([str(VENV_BIN / "crm"), "--quiet", "customer", "import", str(path), "--skip-invalid"], env)
    return wall, rss


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
        crm_s, rss = _crm_import(csv_path, work)
        figures.append(Figure(f"crm customer import, CSV {rows} customers ({lines} rows)", crm_s,
                              "sqlite3 .import" if sqlite3 else "", ref, 3.0 if sqlite3 else None, group=g,
                              note="" if sqlite3 else "no sqlite3 binary: no reference"))
        if sqlite3:
            figures.append(Figure("  floor: Python csv + executemany into one plain table", floor_s,
                                  "sqlite3 .import", ref, group=g,
                                  note="no validation, no dedupe, no index: what any Python importer pays"))
        figures.append(Figure("  peak memory of that CSV import (with its worker)", rss, unit="MB", limit=200, group=g))
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
        read_s, _, _ = _run([sys.executable, "-c",
                             "import sys; from python_calamine import CalamineWorkbook as W; "
                             "b = W.from_path(sys.argv[1]); "
                             "[sum(1 for _ in b.get_sheet_by_name(n).iter_rows()) for n in b.sheet_names]",
                             str(xlsx_path)])
        x_s, x_rss = _crm_import(xlsx_path, work)
        figures.append(Figure(f"crm customer import, XLSX {args.xlsx_rows} customers", x_s,
                              "python-calamine read", read_s, 2.0, group=g))
        figures.append(Figure("  peak memory of that XLSX import (with its worker)", x_rss, unit="MB", limit=200, group=g))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return figures


if __name__ == "__main__":
    sys.exit(standalone("Import (bench/import_bench.py)", main))
