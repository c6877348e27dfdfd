"""Run every benchmark: `python -m bench` (or `make bench`)."""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = ["bench.startup"]


def main() -> int:
    ok = True
    for name in BENCHMARKS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            print(f"{name}: not available ({exc})")
            continue
        ok = bool(module.main([])) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
