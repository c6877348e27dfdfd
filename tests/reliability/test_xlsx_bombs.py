"""XLSX bombs (issue 15 item 5): refused with one line and exit 2, in bounded memory.

A 2 MB file holding 2 GB of whitespace peaked at 2.07 GB RSS; a 2 MB file with 3,000,000
rows ran 74 s at 939 MB. Peak memory is measured as the child's own ``ru_maxrss``
(``os.wait4``), never time.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from crm.io import FileProblem
from crm.io.readers import EXCEL_MAX_ROWS, check_xlsx, read_table

CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                 'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
                 'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
                 '"/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.'
                 'main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
                 'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
WORKBOOK = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
            '2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
WB_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
           '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
           'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
HEAD = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        '2006/main">{dimension}<sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c><c r="B1" t="inlineStr"><is><t>mobile</t></is>'
        '</c></row>')
TAIL = "</sheetData></worksheet>"


def _workbook(path: Path, body_chunks, dimension: str = "") -> Path:
    """A minimal valid XLSX whose sheet XML is HEAD + the chunks + TAIL, streamed into the zip."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WB_RELS)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(HEAD.format(dimension=dimension).encode())
            for chunk in body_chunks:
                sheet.write(chunk)
            sheet.write(TAIL.encode())
    return path


def whitespace_bomb(path: Path, megabytes: int) -> Path:
    block = b" " * (1 << 20)
    return _workbook(path, (block for _ in range(megabytes)))


def rows_bomb(path: Path, rows: int, dimension: str = "") -> Path:
    def chunks():
        for start in range(2, rows + 2, 10_000):
            yield "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>'
                          for r in range(start, min(start + 10_000, rows + 2))).encode()
    return _workbook(path, chunks(), dimension)


_MEASURE = (
    "import os, subprocess, sys\n"
    "p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
    "_pid, status, usage = os.wait4(p.pid, 0)\n"
    "print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)\n"
)


def run_measured(args: list[str], env: dict) -> tuple[int, str, int]:
    """Run ``crm`` and return (exit status, stderr, the child's own peak RSS in MB).

    A small Python process starts crm and reads its rusage (``os.wait4``): forked from the
    test process itself, crm's ``ru_maxrss`` would count the test process's pages touched
    between fork and exec."""
    exe = str(Path(sys.executable).with_name("crm"))
    err_path = Path(env["CRM_DB"]).with_suffix(".stderr")
    with open(err_path, "wb") as err:
        out = subprocess.run([sys.executable, "-c", _MEASURE, exe, *args], stdout=subprocess.PIPE, stderr=err,
                             env={**os.environ, **env}, check=True, timeout=600).stdout.decode()
    code, rss_kb = (int(x) for x in out.split())
    return code, err_path.read_text(encoding="utf-8"), rss_kb // 1024


@pytest.fixture
def env(tmp_path):
    # the empty database file and config that tests/conftest.py makes for every test
    return {"CRM_DB": str(tmp_path / "crm.db"), "CRM_CONFIG": str(tmp_path / "config.toml")}


def test_a_clean_small_import_for_the_baseline(tmp_path, env):
    path = rows_bomb(tmp_path / "ok.xlsx", 10)
    code, err, _rss = run_measured(["customer", "import", str(path), "--skip-invalid"], env)
    assert code in (0, 3), err


def test_whitespace_bomb_refused_in_bounded_memory(tmp_path, env):
    path = whitespace_bomb(tmp_path / "bomb.xlsx", 600)  # 600 MB of whitespace in < 1 MB
    assert path.stat().st_size < 2 << 20
    code, err, rss = run_measured(["customer", "import", str(path)], env)
    assert code == 2, err
    assert "zip bomb" in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    print(f"peak RSS {rss} MB")
    assert rss < 200, f"peak RSS {rss} MB"


def test_three_million_rows_refused_in_bounded_memory(tmp_path, env):
    path = rows_bomb(tmp_path / "rows.xlsx", 3_000_000)  # no <dimension>: the rows are counted
    code, err, rss = run_measured(["customer", "import", str(path)], env)
    assert code == 2, err
    assert "more than 1,048,576 rows" in err and len(err.strip().splitlines()) == 1
    print(f"peak RSS {rss} MB")
    assert rss < 200, f"peak RSS {rss} MB"


def test_a_declared_dimension_over_the_limit_is_refused_at_once(tmp_path):
    path = rows_bomb(tmp_path / "dim.xlsx", 5, dimension='<dimension ref="A1:B3000000"/>')
    with pytest.raises(FileProblem, match="declares 3,000,000 rows"):
        check_xlsx(path)


def test_the_row_limit_is_exact(tmp_path):
    at_limit = rows_bomb(tmp_path / "max.xlsx", EXCEL_MAX_ROWS - 1)  # + the header row
    check_xlsx(at_limit)
    over = rows_bomb(tmp_path / "over.xlsx", EXCEL_MAX_ROWS)
    with pytest.raises(FileProblem, match="Excel's limit"):
        check_xlsx(over)


def test_a_large_sheet_is_read_streaming(tmp_path, monkeypatch):
    """Above STREAM_FROM_BYTES the sheet is read by openpyxl's streaming reader, row by row."""
    import crm.io.readers as readers

    monkeypatch.setattr(readers, "STREAM_FROM_BYTES", 1000)
    path = rows_bomb(tmp_path / "big.xlsx", 200)
    with read_table(path) as table:
        rows = list(table)
    assert len(rows) == 200 and rows[0]["name"] == 2


def test_plugin_readers_check_too(staffed, tmp_path):
    path = whitespace_bomb(tmp_path / "bomb.xlsx", 40)
    r = staffed("--as", "li", "callbacks", "import-results", path, expect=2)
    assert "zip bomb" in r.stderr and "not a readable .xlsx" in r.stderr
