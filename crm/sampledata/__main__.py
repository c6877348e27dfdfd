"""Command line: ``python -m crm.sampledata {customers,visits,jsonl} ...``.

Examples::

    python -m crm.sampledata customers --rows 1000000 --out bench/customers.csv --jobs 0
    python -m crm.sampledata customers --rows 5000 --out dealer.xlsx --messy --bad-rows bad.json
    python -m crm.sampledata visits --customers 100000 --out bench/visits.csv
    python -m crm.sampledata jsonl vehicles --customers 1000 --out vehicles.jsonl

A one-line summary (rows, seconds, rows/s) goes to standard error.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from datetime import date
from pathlib import Path

from .generate import Generator
from .places import CITY_MIXES

TABLES = ("staff", "customers", "vehicles", "visits", "appointments", "interactions")


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", required=True, type=Path, help="file to write")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 11, 20),
                   help="the generator's 'today', YYYY-MM-DD (default 2026-11-20)")
    p.add_argument("--city", default="北京", choices=list(CITY_MIXES), help="dealer city (default 北京)")


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m crm.sampledata",
                                 description="Deterministic sample data of a Chinese BMW dealer.")
    sub = ap.add_subparsers(dest="command", required=True)

    c = sub.add_parser("customers", help="customer/vehicle export, one row per vehicle")
    c.add_argument("--rows", "--customers", "-n", dest="n", type=int, required=True,
                   help="number of customers (rows are about 1.19 per customer)")
    c.add_argument("--format", choices=("csv", "xlsx"), help="default: from --out's suffix")
    c.add_argument("--messy", action="store_true", help="dealer-style file: title, mixed formats, bad rows")
    c.add_argument("--encoding", default="utf-8", help="CSV encoding, e.g. gb18030 (default utf-8)")
    c.add_argument("--engine", choices=("fast", "openpyxl"), default="fast",
                   help="xlsx writer (default fast; openpyxl is ~6x slower)")
    c.add_argument("--no-title", action="store_true", help="xlsx: no merged title row even if messy")
    c.add_argument("--bad-rows", type=Path, help="write the report (bad rows, duplicates) as JSON")
    c.add_argument("--jobs", "-j", type=int, default=1,
                   help="CSV: worker processes (0: one per CPU); the output is the same")
    _common(c)

    v = sub.add_parser("visits", help="repair-order export (CSV)")
    v.add_argument("--customers", "--rows", "-n", dest="n", type=int, required=True)
    v.add_argument("--encoding", default="utf-8")
    _common(v)

    j = sub.add_parser("jsonl", help="one table as JSON lines, with the archive's field names")
    j.add_argument("table", choices=TABLES)
    j.add_argument("--customers", "--rows", "-n", dest="n", type=int, default=1000)
    _common(j)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from . import files

    t0 = time.perf_counter()
    if args.command == "customers":
        fmt = args.format or ("xlsx" if args.out.suffix.lower() == ".xlsx" else "csv")
        if fmt == "xlsx":
            report = files.write_customers_xlsx(
                args.out, args.n, seed=args.seed, messy=args.messy, as_of=args.as_of, city=args.city,
                engine=args.engine, title=False if args.no_title else None)
        else:
            report = files.write_customers_csv(
                args.out, args.n, seed=args.seed, messy=args.messy, encoding=args.encoding,
                as_of=args.as_of, city=args.city, jobs=args.jobs)
        rows = report.rows
        what = f"{rows:,} rows ({report.customers:,} customers, {report.vehicles:,} vehicles"
        if args.messy:
            what += f", {len(report.bad_rows)} bad, {len(report.duplicates)} duplicates"
        what += ")"
        if args.bad_rows:
            data = dataclasses.asdict(report)
            data["path"] = str(report.path)
            args.bad_rows.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    elif args.command == "visits":
        report = files.write_visits_csv(args.out, args.n, seed=args.seed, encoding=args.encoding,
                                        as_of=args.as_of, city=args.city)
        rows = report.rows
        what = f"{rows:,} repair orders of {args.n:,} customers"
    else:
        gen = Generator(seed=args.seed, as_of=args.as_of, city=args.city)
        source = gen.staff() if args.table == "staff" else getattr(gen, args.table)(args.n)
        rows = 0
        with args.out.open("w", encoding="utf-8", newline="\n") as fh:
            for rec in source:
                fh.write(json.dumps(rec, ensure_ascii=False))
                fh.write("\n")
                rows += 1
        what = f"{rows:,} {args.table}"
    dt = time.perf_counter() - t0
    print(f"wrote {what} to {args.out} in {dt:.1f} s ({rows / max(dt, 1e-9):,.0f} rows/s)",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
