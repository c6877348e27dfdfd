"""Shared helpers: paired timing of commands, a result table, the results file."""

from __future__ import annotations

import dataclasses
import json
import os
import platform
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
    name: str
    value: float          # seconds (or ms, see unit)
    reference_name: str
    reference: float
    target: float          # the ratio the issue asks for (ratio <= target passes)
    unit: str = "s"
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.value / self.reference if self.reference else float("inf")

    @property
    def passed(self) -> bool:
        return self.ratio <= self.target

    def row(self) -> dict:
        return {"figure": self.name, "value": round(self.value, 4), "unit": self.unit,
                "reference": f"{self.reference_name} {self.reference:.4f}{self.unit}",
                "ratio": round(self.ratio, 3), "target": f"≤ {self.target}",
                "result": "pass" if self.passed else "FAIL", "note": self.note}


def run_quiet(argv: Sequence[str], env: dict | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(list(argv), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True)
    return time.perf_counter() - start


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


def machine() -> dict:
    return {"python": platform.python_version(), "platform": platform.platform(),
            "cpus": os.cpu_count(), "machine": platform.machine()}


def report(title: str, figures: list[Figure], save_as: str | None = None) -> bool:
    from crm.output import emit

    print(f"\n{title}")
    emit([f.row() for f in figures], "table",
         columns=["figure", "value", "unit", "reference", "ratio", "target", "result"])
    if save_as:
        RESULTS_DIR.mkdir(exist_ok=True)
        path = RESULTS_DIR / f"{save_as}.json"
        path.write_text(json.dumps({"machine": machine(), "at": time.strftime("%Y-%m-%dT%H:%M:%S"),
                                    "figures": [f.row() for f in figures]}, ensure_ascii=False, indent=2))
        print(f"(saved to {path})")
    return all(f.passed for f in figures)
