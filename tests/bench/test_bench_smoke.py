"""`python -m bench --quick`: every benchmark runs and the table and results files have their shape.

Never asserts on wall-clock figures (those vary with the machine); only on the shape.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path



ROOT = Path(__file__).resolve().parents[2]


def test_quick_bench_prints_one_table_and_writes_results(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRM_")}
    done = subprocess.run([sys.executable, "-m", "bench", "--quick", "--results", str(tmp_path)], cwd=ROOT,
                          capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    for column in ("figure", "value", "reference", "ratio", "target", "result"):
        assert column in out
    files = sorted(tmp_path.glob("bench-quick-*.json"))
    assert len(files) == 1
    data = json.loads(files[0].read_text(encoding="utf-8"))
    m = data["machine"]
    for key in ("cpus", "cpu_model", "memory_mb", "python", "sqlite"):
        assert m[key], key
    assert data["mode"] == "quick" and data["errors"] == {}
    groups = {f["group"] for f in data["figures"]}
    assert groups == {"startup", "import", "search", "callbacks", "reports", "sync", "group"}
    for f in data["figures"]:
        assert set(f) >= {"figure", "value", "unit", "reference", "ratio", "target", "result"}
        assert f["result"] in ("pass", "FAIL", "info")
        assert isinstance(f["value"], (int, float)) and f["value"] >= 0
    rss = [f for f in data["figures"] if f["unit"] == "MB"]
    assert len(rss) >= 4 and all(f["value"] > 1 for f in rss)  # peak RSS of each import and sync run
    md = files[0].with_suffix(".md").read_text(encoding="utf-8")
    assert md.startswith("# crm benchmarks") and "| figure |" in md.replace("| group | figure", "| figure")
    assert md.count("\n|") >= len(data["figures"]) + 2
