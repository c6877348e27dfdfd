"""Streaming: constant memory whatever the row count, and the command line."""

from __future__ import annotations

import json
import subprocess
import sys

from crm.sampledata import Generator
from crm.sampledata.files import write_customers_csv


_CHILD = r"""
import resource, sys
from crm.sampledata import Generator

def peak_kib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

g = Generator(seed=1)
rows = sum(1 + len(vs) for _, vs in g.records(2_000))
visits = sum(1 for _ in g.visits(500))
small = peak_kib()
rows = sum(1 + len(vs) for _, vs in g.records(92_000))  # ~200 000 customer and vehicle rows
visits = sum(1 for _ in g.visits(8_000))  # ~24 000 repair orders
print(small, peak_kib(), rows, visits)
"""


def test_streaming_keeps_memory_constant():
    """Peak RSS after streaming ~200k rows is within a few MB of that after 2k rows.

    (A child process and its peak RSS rather than tracemalloc: tracemalloc makes
    this allocation-heavy loop ~45x slower.)  Keeping the rows would cost
    hundreds of MB.
    """
    out = subprocess.run([sys.executable, "-c", _CHILD], capture_output=True, text=True, check=True)
    small, large, rows, visits = map(int, out.stdout.split())
    assert rows > 195_000 and visits > 20_000
    assert large - small < 8 * 1024, (small, large)  # KiB


def test_cli_customers(tmp_path):
    out, report = tmp_path / "c.csv", tmp_path / "bad.json"
    proc = subprocess.run(
        [sys.executable, "-m", "crm.sampledata", "customers", "--rows", "400", "--out", str(out),
         "--messy", "--seed", "3", "--bad-rows", str(report)],
        capture_output=True, text=True, check=True)
    assert "wrote" in proc.stderr and "rows/s" in proc.stderr
    same = tmp_path / "same.csv"
    expected = write_customers_csv(same, 400, seed=3, messy=True)
    assert out.read_bytes() == same.read_bytes()
    data = json.loads(report.read_text(encoding="utf-8"))
    assert [b["line"] for b in data["bad_rows"]] == [b.line for b in expected.bad_rows]
    assert data["bad_rows"][0].keys() == {"line", "ref", "column", "field", "value", "reason", "sheet"}


def test_cli_xlsx_and_jsonl(tmp_path):
    import openpyxl

    xlsx = tmp_path / "c.xlsx"
    subprocess.run([sys.executable, "-m", "crm.sampledata", "customers", "-n", "50", "--out", str(xlsx)],
                   check=True, capture_output=True)
    assert openpyxl.load_workbook(xlsx).active.max_row > 50
    staff = tmp_path / "staff.jsonl"
    subprocess.run([sys.executable, "-m", "crm.sampledata", "jsonl", "staff", "--out", str(staff)],
                   check=True, capture_output=True)
    lines = staff.read_text(encoding="utf-8").splitlines()
    assert [json.loads(x) for x in lines] == list(Generator().staff())
