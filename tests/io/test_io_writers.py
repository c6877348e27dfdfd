import datetime as dt
import json
import os
import signal
import subprocess
import sys
import textwrap
from decimal import Decimal

import openpyxl
import pytest

from crm.io import FileProblem
from crm.io.readers import read_table
from crm.io.writers import (
    atomic_write,
    display_width,
    neutralise,
    write_csv,
    write_json,
    write_jsonl,
    write_table,
    write_xlsx,
)

ROWS = [
    {"name": "张三", "mobile": "13812345678", "amount": Decimal("1234.50"), "date": dt.date(2025, 3, 5), "visits": 3},
    {"name": "=1+1", "mobile": "+8613812345678", "amount": -12.5, "date": dt.datetime(2025, 3, 5, 14, 30), "visits": None},
]
COLS = ["name", "mobile", "amount", "date", "visits"]
TITLES = ["姓名", "手机", "金额", "日期", "次数"]

DANGEROUS = ["=cmd|' /C calc'!A0", "+1+1", "-1+1", "@SUM(A1:A2)", "\t=1", "\r=1", "＝1+1", "＋1", "－1", "＠x", "  =1+1"]


@pytest.mark.parametrize("value", DANGEROUS)
def test_neutralise_dangerous(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["张三", "a=b", "-12.5", "+86", "-1e5", "", "  ", "'=already"])
def test_neutralise_harmless_text(value):
    assert neutralise(value) == value


@pytest.mark.parametrize("value", [-5, -1.5, Decimal("-3"), None, True, dt.date(2025, 1, 1)])
def test_neutralise_leaves_non_text(value):
    assert neutralise(value) is value


def test_display_width():
    assert display_width("ABC") == 3
    assert display_width("张三") == 4
    assert display_width("ＡＢ") == 4
    assert display_width("京A·12345") == 9


def mode(path):
    return os.stat(path).st_mode & 0o777


def test_csv_utf8_bom_and_injection(tmp_path):
    p = tmp_path / "out.csv"
    assert write_csv(p, ROWS, COLS, titles=TITLES) == 2
    raw = p.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert text.splitlines() == [
        "姓名,手机,金额,日期,次数",
        "张三,13812345678,1234.50,2025-03-05,3",
        "'=1+1,+8613812345678,-12.5,2025-03-05 14:30:00,",
    ]
    assert mode(p) == 0o600


@pytest.mark.parametrize("value", DANGEROUS)
def test_csv_every_trigger(tmp_path, value):
    p = tmp_path / "out.csv"
    write_csv(p, [[value, 5]], titles=["a", "b"])
    with read_table(p, header_aliases={}, mapping={"a": "a", "b": "b"}) as t:
        row = next(iter(t))
    assert row["a"] == "'" + value and row["b"] == "5"


def test_csv_gb18030(tmp_path):
    p = tmp_path / "out.csv"
    write_csv(p, ROWS, COLS, titles=TITLES, encoding="gb18030")
    assert p.read_bytes().decode("gb18030").startswith("姓名,手机")
    with read_table(p) as t:
        assert t.encoding == "gb18030" and next(iter(t))["name"] == "张三"


def test_csv_unencodable_value(tmp_path):
    with pytest.raises(FileProblem, match="cannot be written as gbk"):
        write_csv(tmp_path / "x.csv", [{"n": "😀"}], encoding="gbk")
    assert [p for p in tmp_path.iterdir() if p.name not in ("crm.db", "config.toml")] == []


def test_csv_default_columns_and_sequences(tmp_path):
    p = tmp_path / "a.csv"
    assert write_csv(p, iter([{"x": 1, "y": 2}, {"x": 3, "y": 4}])) == 2
    assert p.read_text(encoding="utf-8-sig").splitlines() == ["x,y", "1,2", "3,4"]
    assert write_csv(p, [[1, 2]]) == 1
    assert p.read_text(encoding="utf-8-sig").splitlines() == ["1,2"]
    assert write_csv(p, []) == 0


def test_xlsx(tmp_path):
    p = tmp_path / "out.xlsx"
    assert write_xlsx(p, ROWS, COLS, titles=TITLES, sheet="客户") == 2
    assert mode(p) == 0o600
    wb = openpyxl.load_workbook(p)
    ws = wb["客户"]
    assert ws.freeze_panes == "A2"
    assert [c.value for c in ws[1]] == TITLES and all(c.font.b for c in ws[1])
    assert ws["A2"].value == "张三"
    assert ws["A3"].value == "'=1+1" and ws["A3"].data_type == "s"  # text, not a formula
    assert ws["B3"].value == "+8613812345678"
    assert ws["C2"].value == 1234.5 and ws["C3"].value == -12.5
    assert ws["D2"].value == dt.datetime(2025, 3, 5) and ws["D2"].number_format == "yyyy-mm-dd"
    assert ws["D3"].value == dt.datetime(2025, 3, 5, 14, 30)
    assert ws["E2"].value == 3 and ws["E3"].value is None
    # widths: CJK counts double
    assert ws.column_dimensions["A"].width == 7  # max("姓名"=4, "张三"=4, "'=1+1"=5) + 2
    assert ws.column_dimensions["B"].width == len("+8613812345678") + 2


def test_xlsx_formula_injection_every_trigger(tmp_path):
    p = tmp_path / "x.xlsx"
    write_xlsx(p, [[v] for v in DANGEROUS], titles=["a"])
    ws = openpyxl.load_workbook(p).active
    values = [ws.cell(row=i + 2, column=1) for i in range(len(DANGEROUS))]
    assert all(c.data_type == "s" for c in values)
    for c, v in zip(values, DANGEROUS):
        assert c.value.startswith("'") and c.value[1:].strip() == v.strip()


def test_xlsx_roundtrip_through_reader(tmp_path):
    p = tmp_path / "rt.xlsx"
    rows = [{"姓名": f"客户{i}", "手机": f"138{i:08d}", "里程": i * 10} for i in range(3000)]
    write_xlsx(p, rows)
    with read_table(p) as t:
        back = list(t)
    assert len(back) == 3000
    assert back[1].values == {"name": "客户1", "mobile": "13800000001", "mileage": 10}
    assert back[-1].line == 3001


def test_xlsx_odd_values(tmp_path):
    p = tmp_path / "odd.xlsx"
    aware = dt.datetime(2025, 3, 5, 6, 30, tzinfo=dt.timezone.utc)
    write_xlsx(p, [["bell\x07char", aware, float("nan"), dt.time(9, 30), "x" * 40000]], titles=["a", "b", "c", "d", "e"])
    ws = openpyxl.load_workbook(p).active
    assert ws["A2"].value == "bellchar"
    assert ws["B2"].value == dt.datetime(2025, 3, 5, 14, 30)
    assert ws["C2"].value is None
    assert ws["D2"].value == "09:30:00"
    assert len(ws["E2"].value) == 32767


def test_json_and_jsonl(tmp_path):
    pj, pl = tmp_path / "o.json", tmp_path / "o.jsonl"
    assert write_json(pj, ROWS, COLS) == 2
    assert write_jsonl(pl, ROWS) == 2
    data = json.loads(pj.read_text(encoding="utf-8"))
    assert data[0] == {"name": "张三", "mobile": "13812345678", "amount": "1234.50", "date": "2025-03-05", "visits": 3}
    assert data[1]["name"] == "=1+1"  # JSON is not a spreadsheet: no quoting
    assert data[1]["date"] == "2025-03-05 14:30:00"
    lines = pl.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and json.loads(lines[0])["name"] == "张三"
    assert "张三" in pj.read_text(encoding="utf-8")  # not \\u-escaped
    assert mode(pj) == mode(pl) == 0o600
    assert write_json(pj, []) == 0 and json.loads(pj.read_text()) == []
    write_jsonl(pl, [[1, 2]], ["a", "b"])
    assert json.loads(pl.read_text()) == {"a": 1, "b": 2}


def test_write_table_dispatch(tmp_path):
    for ext in ("csv", "xlsx", "json", "jsonl", "tsv"):
        assert write_table(tmp_path / f"o.{ext}", ROWS, COLS) == 2
    assert write_table(tmp_path / "g.csv", ROWS, COLS, format="csv-gb18030") == 2
    assert "\t" in (tmp_path / "o.tsv").read_text(encoding="utf-8-sig")
    with pytest.raises(ValueError, match="unknown output format"):
        write_table(tmp_path / "o.pdf", ROWS)


def test_mode_0600_replaces_existing_permissions(tmp_path):
    p = tmp_path / "o.csv"
    p.write_text("old")
    os.chmod(p, 0o644)
    old_umask = os.umask(0)
    try:
        write_csv(p, ROWS, COLS)
    finally:
        os.umask(old_umask)
    assert mode(p) == 0o600


def test_atomic_on_exception(tmp_path):
    p = tmp_path / "o.csv"
    write_csv(p, ROWS, COLS)
    before = p.read_bytes()

    def broken():
        yield ROWS[0]
        raise RuntimeError("disk full, say")

    for writer in (write_csv, write_xlsx, write_json, write_jsonl):
        with pytest.raises(RuntimeError):
            writer(p, broken(), COLS)
        assert p.read_bytes() == before
    assert [x.name for x in tmp_path.iterdir() if x.name not in ("crm.db", "config.toml")] == ["o.csv"]  # no temp files left


def test_atomic_write_context(tmp_path):
    p = tmp_path / "x.bin"
    with atomic_write(p, "wb") as f:
        f.write(b"abc")
        assert not p.exists()  # nothing visible until the block ends
    assert p.read_bytes() == b"abc"
    with pytest.raises(ValueError):
        with atomic_write(p, "a"):
            pass
    with pytest.raises(FileProblem, match="directory does not exist"):
        with atomic_write(tmp_path / "nope" / "x.csv"):
            pass


def test_crash_never_leaves_half_a_file(tmp_path):
    """A process killed (SIGKILL) in the middle of writing leaves the old file intact."""
    target = tmp_path / "export.csv"
    target.write_text("old complete file\n")
    script = textwrap.dedent(
        f"""
        import os, signal
        from crm.io.writers import write_csv
        def rows():
            for i in range(100000):
                if i == 50000:
                    os.kill(os.getpid(), signal.SIGKILL)
                yield {{"name": f"客户{{i}}", "mobile": f"138{{i:08d}}"}}
        write_csv({str(target)!r}, rows())
        """
    )
    proc = subprocess.run([sys.executable, "-c", script])
    assert proc.returncode == -signal.SIGKILL
    assert target.read_text() == "old complete file\n"
