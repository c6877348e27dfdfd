"""Run every benchmark the issues name and print one table: `python -m bench` (or `make bench`).

    python -m bench            # the issues' sizes (import/search/callbacks/reports at 1M customers,
                               # sync at 100k owners, a group of 50 stores × 20k): slow, tens of minutes
    python -m bench --quick    # tiny sizes: a smoke run of the whole harness (seconds)
    python -m bench --only startup,import --results /tmp/out

Each figure is printed next to a reference measured in the same run, its ratio, the target
and pass/fail (or "info" when an issue sets no target); the table is written to
``bench/results/bench-<time>.json`` and a Markdown copy ``.md``, with the machine's details
(CPU count and model, memory, Python, SQLite).  Exit 1 if a figure failed its target (with
``--quick``: only if a benchmark did not run, since the targets are for the issues' sizes).
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
import traceback

from bench.common import Figure, print_table, save

#: name -> (module, args for the issues' sizes, args for --quick)
BENCHMARKS: dict[str, tuple[str, list[str], list[str]]] = {
    "startup": ("bench.startup", ["--rounds", "21"], ["--rounds", "3"]),
    "import": ("bench.import_bench", ["--full", "--xlsx-rows", "100000"],
               ["--rows", "300", "--xlsx-rows", "200", "--no-sqlite-utils"]),
    "search": ("bench.search_bench", ["--customers", "1000000"], ["--customers", "2000", "--queries", "10"]),
    "callbacks": ("bench.callbacks_bench", ["--customers", "1000000"], ["--customers", "1000"]),
    "reports": ("bench.report_bench", ["--customers", "1000000"], ["--customers", "1000"]),
    "sync": ("bench.sync_bench", ["--owners", "100000"], ["--owners", "200", "--change", "0.05"]),
    "group": ("bench.group_bench", ["--stores", "50", "--customers", "20000"],
              ["--stores", "2", "--customers", "300", "--rounds", "1"]),
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    size = ap.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run")
    size.add_argument("--full", action="store_true", help="the issues' sizes (the default)")
    ap.add_argument("--only", help=f"comma-separated subset of {','.join(BENCHMARKS)}")
    ap.add_argument("--results", help="folder for the results files (default bench/results)")
    args = ap.parse_args(argv)
    names = [n.strip() for n in args.only.split(",")] if args.only else list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        ap.error(f"unknown benchmark(s): {', '.join(unknown)}")
    figures: list[Figure] = []
    errors: dict[str, str] = {}
    sizes = []
    for name in names:
        module_name, full_args, quick_args = BENCHMARKS[name]
        bench_args = quick_args if args.quick else full_args
        sizes.append(f"{name} {' '.join(bench_args)}")
        print(f"[bench] {name} {' '.join(bench_args)} …", file=sys.stderr, flush=True)
        started = time.perf_counter()
        try:
            module = importlib.import_module(module_name)
            figures.extend(module.main(bench_args))
        except Exception as exc:  # one broken benchmark must not hide the others' figures
            traceback.print_exc(file=sys.stderr)
            errors[name] = f"{type(exc).__name__}: {exc}"
            figures.append(Figure(f"{name}: did not run", 0.0, group=name, note=errors[name][:200]))
        print(f"[bench] {name} done in {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    print_table(figures, f"crm benchmarks ({'quick' if args.quick else 'full'} sizes)")
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = save(figures, f"bench-{'quick-' if args.quick else ''}{stamp}", args.results,
                extra={"mode": "quick" if args.quick else "full", "sizes": "; ".join(sizes), "errors": errors})
    print(f"\nresults: {path} (and {path.with_suffix('.md').name})")
    if args.quick:  # tiny sizes: the targets are the issues' and apply to the full sizes only
        print("(quick run: targets apply at the issues' sizes; only a benchmark that did not run fails)")
        return 1 if errors else 0
    return 1 if errors or any(f.passed is False for f in figures) else 0


if __name__ == "__main__":
    sys.exit(main())
