"""Shared helpers: paired timing of commands, one Figure type, the table, the results file.

Every benchmark module exposes ``main(argv) -> list[Figure]``; ``python -m bench`` runs them
all and writes one results file (JSON + Markdown) with the machine's details.
"""

from __future__ import annotations

import dataclasses
import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Sequence

RESULTS_DIR = Path(__file__).resolve().parent / "results"
BIN = Path(sys.executable).parent


@dataclasses.dataclass
class Figure:
    """One measured figure.

    ``target`` is a ratio to ``reference`` (passes when ratio <= target); ``limit`` an
    absolute bound on ``value`` in ``unit`` (passes when value <= limit).  A figure with
    neither is informative only ("info").
    """

    name: str
    value: float
    reference_name: str = ""
    reference: float = 0.0
    target: float | None = None
    unit: str = "s"
    note: str = ""
    limit: float | None = None
    group: str = ""

    @property
    def ratio(self) -> float | None:
        return self.value / self.reference if self.reference else None

    @property
    def passed(self) -> bool | None:
        checks = []
        if self.target is not None:
            checks.append(self.ratio is not None and self.ratio <= self.target)
        if self.limit is not None:
            checks.append(self.value <= self.limit)
        return all(checks) if checks else None

    @property
    def goal(self) -> str:
        parts = []
        if self.target is not None:
            parts.append(f"≤ {self.target}×")
        if self.limit is not None:
            parts.append(f"≤ {self.limit:g} {self.unit}")
        return ", ".join(parts)

    def row(self) -> dict:
        ratio = self.ratio
        return {"group": self.group, "figure": self.name, "value": round(self.value, 4), "unit": self.unit,
                "reference": f"{self.reference_name} {self.reference:.4f}{self.unit}" if self.reference_name else "",
                "ratio": round(ratio, 3) if ratio is not None else None, "target": self.goal,
                "result": {True: "pass", False: "FAIL", None: "info"}[self.passed], "note": self.note}


def run_quiet(argv: Sequence[str], env: dict | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(list(argv), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True)
    return time.perf_counter() - start


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (Linux /proc; just ``pid`` elsewhere)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            todo.extend(int(c) for c in Path(f"/proc/{p}/task/{p}/children").read_text().split())
        except (OSError, ValueError):
            pass
    return out


def _pss_kb(pid: int) -> int:
    """Proportional set size of one process (shared pages split between the sharers), in KiB."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def run_measured(argv: Sequence[str], env: dict | None = None, ok=(0,)) -> tuple[float, float, int]:
    """(wall seconds, peak memory in MB, exit code) of one child process.

    The peak memory is the larger of the process's own peak RSS (``wait4`` rusage) and the
    peak, sampled every 50 ms, of the summed PSS of the process and every process it started
    (an import's cleaning worker counts: copy-on-write pages shared after a fork count once)."""
    import threading

    started = time.perf_counter()
    proc = subprocess.Popen(list(argv), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak_kb = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            peak_kb[0] = max(peak_kb[0], sum(_pss_kb(p) for p in _tree(proc.pid)))

    sampler = threading.Thread(target=sample, daemon=True)
    if Path(f"/proc/{proc.pid}/smaps_rollup").exists():
        sampler.start()
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    done.set()
    if sampler.is_alive():
        sampler.join()
    code = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    if code not in ok:
        raise RuntimeError(f"{' '.join(map(str, argv[:3]))} … failed ({code}): {err.strip()[:300]}")
    return wall, max(usage.ru_maxrss, peak_kb[0]) / 1024, code


def paired(subject: Callable[[], float], reference: Callable[[], float], rounds: int) -> tuple[float, float]:
    """Alternate subject and reference ``rounds`` times; return both medians."""
    subject(), reference()  # warm the OS file cache for both
    s, r = [], []
    for i in range(rounds):
        if i % 2:
            s.append(subject()); r.append(reference())
        else:
            r.append(reference()); s.append(subject())
    return statistics.median(s), statistics.median(r)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith(("model name", "hardware", "cpu model")):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_mb() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) // 1024
    except OSError:
        pass
    return None


def machine() -> dict:
    return {"python": platform.python_version(), "platform": platform.platform(),
            "cpus": os.cpu_count(), "cpu_model": _cpu_model(), "memory_mb": _memory_mb(),
            "machine": platform.machine(), "sqlite": sqlite3.sqlite_version,
            "load_average": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None}


COLUMNS = ["group", "figure", "value", "unit", "reference", "ratio", "target", "result"]


def print_table(figures: list[Figure], title: str | None = None) -> None:
    from crm.output import emit

    if title:
        print(f"\n{title}")
    emit([f.row() for f in figures], "table", columns=COLUMNS)


def markdown(figures: list[Figure], meta: dict) -> str:
    lines = [f"# crm benchmarks, {meta['at']}", ""]
    m = meta["machine"]
    lines.append(f"Machine: {m['cpus']} × {m['cpu_model']}, {m['memory_mb']} MB, Python {m['python']}, "
                 f"SQLite {m['sqlite']}, {m['platform']} (load {m['load_average']}).  Sizes: {meta['sizes']}.")
    lines += ["", "| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for f in figures:
        row = f.row()
        lines.append("| " + " | ".join("" if row[c] is None else str(row[c]).replace("|", "\\|")
                                      for c in COLUMNS) + " |")
    return "\n".join(lines) + "\n"


def save(figures: list[Figure], name: str, results_dir: Path | None = None, extra: dict | None = None) -> Path:
    """Write ``<name>.json`` and ``<name>.md`` into the results folder; return the JSON path."""
    folder = Path(results_dir or RESULTS_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    meta = {"machine": machine(), "at": time.strftime("%Y-%m-%dT%H:%M:%S"), **(extra or {})}
    meta.setdefault("sizes", "")
    path = folder / f"{name}.json"
    path.write_text(json.dumps({**meta, "figures": [f.row() for f in figures]}, ensure_ascii=False, indent=2),
                    encoding="utf-8")
    path.with_suffix(".md").write_text(markdown(figures, meta), encoding="utf-8")
    return path


def report(title: str, figures: list[Figure], save_as: str | None = None) -> bool:
    """Print one benchmark's table (standalone runs) and optionally save it."""
    print_table(figures, title)
    if save_as:
        path = save(figures, save_as)
        print(f"(saved to {path})")
    return all(f.passed is not False for f in figures)


def standalone(title: str, main: Callable[[list[str] | None], list[Figure]], save_as: str | None = None) -> int:
    """``python -m bench.X``: run, print the table, exit 1 if a figure failed."""
    return 0 if report(title, main(sys.argv[1:]), save_as) else 1
