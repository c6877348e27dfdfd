"""--format table|json|jsonl|csv on listing commands; CJK tables line up."""

import csv
import io
import json

from crm.output import display_width, emit, neutralise_formula, render_table


def test_table_aligns_chinese_text():
    text = render_table([{"name": "张三", "city": "北京"}, {"name": "Li Lei", "city": "上海市浦东"}], ["name", "city"])
    lines = text.splitlines()
    positions = {display_width(line[: line.index(city)]) for line, city in zip(lines[2:], ["北京", "上海市浦东"])}
    assert len(positions) == 1


def test_formats_of_a_listing_command(staffed):
    table = staffed("staff", "list").stdout
    assert "王芳" in table and "──" in table
    data = staffed.json("staff", "list")
    assert {r["code"] for r in data} >= {"li", "wangfang"}
    lines = staffed("staff", "list", "--format", "jsonl").stdout.splitlines()
    assert len(lines) == len(data) and json.loads(lines[0])["code"]
    rows = list(csv.DictReader(io.StringIO(staffed("staff", "list", "-f", "csv").stdout)))
    assert len(rows) == len(data) and rows[0]["code"]


def test_bad_format_is_usage_error(staffed):
    result = staffed("staff", "list", "--format", "xml", expect=2)
    assert "xml" in result.stderr


def test_csv_neutralises_formulas_but_not_numbers():
    assert neutralise_formula("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert neutralise_formula("＝1+1") == "'＝1+1"
    assert neutralise_formula("-12.5") == "-12.5"
    assert neutralise_formula("@SUM(A1)") == "'@SUM(A1)"
    out = io.StringIO()
    emit([{"note": "+86 138"}], "csv", out=out)
    assert "'+86 138" in out.getvalue()


def test_json_dates_are_iso():
    import datetime as dt

    out = io.StringIO()
    emit([{"at": dt.datetime(2026, 1, 2, 3, 4, 5), "on": dt.date(2026, 1, 2)}], "json", out=out)
    assert json.loads(out.getvalue()) == [{"at": "2026-01-02T03:04:05", "on": "2026-01-02"}]


def test_one_formula_neutraliser_and_one_display_width():
    """Issue 14: one neutraliser (crm.output.neutralise_formula), one width rule (crm.output.display_width)."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    copies = re.compile(r"east_asian_width|＝＋－＠|\"=\", \"\+\", \"-\", \"@\"|def neutralise|def display_width")
    found = [f"{p.relative_to(root)}:{n}" for folder in ("crm", "plugins") for p in sorted((root / folder).rglob("*.py"))
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if copies.search(line) and p.relative_to(root).as_posix() != "crm/output.py"]
    assert found == []
