"""crm.sampledata.files: clean and messy CSV/XLSX exports, the bad-row report."""

from __future__ import annotations

import csv
import re
import unicodedata
from datetime import date, datetime

import openpyxl
import pytest

from crm.sampledata import Generator, files
from crm.sampledata.files import (
    BAD_REASONS,
    CUSTOMER_COLUMNS,
    CUSTOMER_HEADERS,
    VISIT_HEADERS,
    write_customers_csv,
    write_customers_xlsx,
    write_visits_csv,
)
from crm.sampledata.vehicles import is_valid_vin

N = 1500  # customers: ~1 800 rows, ~14 bad rows, ~9 duplicates
COL = {f: k for k, (_, _, f) in enumerate(CUSTOMER_COLUMNS)}
DATE_FIELDS = ("birthday", "card_issued", "card_expires", "delivery_date", "insurance_expires",
               "inspection_due")


def read_csv(path, encoding="utf-8") -> list[list[str]]:
    with open(path, encoding=encoding, newline="") as fh:
        return list(csv.reader(fh))


# ------------------------------------------------------------------ a reference cleaner

def parse_date(s: str) -> str | None:
    """ISO date of one of the four messy formats, None if invalid."""
    for pattern in (r"(\d{4})-(\d{2})-(\d{2})", r"(\d{4})/(\d{1,2})/(\d{1,2})",
                    r"(\d{4})年(\d{1,2})月(\d{1,2})日", r"(\d{4})(\d{2})(\d{2})"):
        m = re.fullmatch(pattern, s)
        if m:
            try:
                return date(*map(int, m.groups())).isoformat()
            except ValueError:
                return None
    return None


def clean_phone(s: str) -> str:
    s = re.sub(r"[\s-]", "", s)
    if s.startswith("+86"):
        s = s[3:]
    return s


def normalise(cells: list) -> list[str]:
    """What an importer would make of a messy row (the expected clean values)."""
    out = []
    for k, v in enumerate(cells):
        field = CUSTOMER_COLUMNS[k][2]
        if v is None:
            v = ""
        elif isinstance(v, datetime):
            v = v.date().isoformat()
        elif isinstance(v, date):
            v = v.isoformat()
        v = str(v).strip()
        if v in ("无", "-", "/", "暂无"):
            v = ""
        if field in ("mobile", "mobile2") and v:
            v = clean_phone(unicodedata.normalize("NFKC", v))
        elif field in DATE_FIELDS and v:
            v = parse_date(v) or f"INVALID:{v}"
        elif field == "name" and not re.search(r"[A-Za-z]", v):
            v = v.replace(" ", "")
        elif field == "gender":
            v = {"先生": "男", "女士": "女"}.get(v, v)
        elif field == "vin":
            v = v.upper()
        elif field == "plate":
            v = v.replace("·", "").replace(" ", "").upper()
        out.append(v)
    return out


def problems(row: list[str]) -> set[tuple[str, str]]:
    """(field, reason) of the invalid values of a normalised row."""
    found = set()
    vin = row[COL["vin"]]
    if len(vin) != 17:
        found.add(("vin", "vin_length"))
    elif not is_valid_vin(vin):
        found.add(("vin", "vin_check_digit"))
    if not re.fullmatch(r"1\d{10}", row[COL["mobile"]]):
        found.add(("mobile", "mobile_length"))
    for f in DATE_FIELDS:
        if row[COL[f]].startswith("INVALID:"):
            found.add((f, "date_invalid"))
    return found


# ------------------------------------------------------------------ fixtures

@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    path = tmp_path_factory.mktemp("clean") / "customers.csv"
    report = write_customers_csv(path, N, seed=3)
    return path, report, read_csv(path)


@pytest.fixture(scope="module")
def messy(tmp_path_factory):
    path = tmp_path_factory.mktemp("messy") / "customers.csv"
    report = write_customers_csv(path, N, seed=3, messy=True)
    return path, report, read_csv(path)


# ------------------------------------------------------------------ clean CSV

def test_clean_csv(clean):
    path, report, rows = clean
    assert rows[0] == list(CUSTOMER_HEADERS)
    assert len(rows) - 1 == report.rows == report.vehicles
    assert report.customers == N and report.header_line == 1
    assert report.bad_rows == [] and report.duplicates == [] and report.footer_line is None
    g = Generator(seed=3)
    expected = [files.customer_cells(c) + files.vehicle_cells(v) for c, vs in g.records(N) for v in vs]
    assert rows[1:] == expected
    for row in rows[1:]:
        assert not problems(normalise(row))
        assert row == normalise(row)  # nothing to clean
    assert path.read_bytes().count(b"\r\n") == len(rows)


def test_csv_is_byte_identical_for_a_seed(tmp_path, clean):
    path, _, _ = clean
    again = tmp_path / "again.csv"
    write_customers_csv(again, N, seed=3)
    assert again.read_bytes() == path.read_bytes()
    other = tmp_path / "other.csv"
    write_customers_csv(other, N, seed=4)
    assert other.read_bytes() != path.read_bytes()


def test_gb18030(tmp_path):
    utf8, gb = tmp_path / "u.csv", tmp_path / "g.csv"
    write_customers_csv(utf8, 300, messy=True)
    write_customers_csv(gb, 300, messy=True, encoding="gb18030")
    assert gb.read_bytes().decode("gb18030") == utf8.read_bytes().decode("utf-8")
    with pytest.raises(UnicodeDecodeError):
        gb.read_bytes().decode("utf-8")


# ------------------------------------------------------------------ messy CSV

def test_messy_layout(messy):
    path, report, rows = messy
    assert rows[0][0].startswith("北京德润宝马4S店 客户档案 导出时间:2026年11月20日")
    assert rows[1] == []
    assert report.header_line == 3
    assert [h.strip() for h in rows[2]] == list(CUSTOMER_HEADERS)
    assert rows[2] != list(CUSTOMER_HEADERS)  # stray spaces in the header
    assert report.footer_line == len(rows)
    assert rows[-1] == [f"合计：{report.rows} 条记录"]
    assert report.rows == len(rows) - 4 == report.vehicles + len(report.duplicates)


def test_messy_has_every_feature(messy):
    _, report, rows = messy
    text = "\n".join(",".join(r) for r in rows[3:-1])
    for feature in ("phone_spaces", "phone_dashes", "phone_plus86", "phone_fullwidth", "date_slash",
                    "date_chinese", "date_compact", "stray_spaces", "name_inner_space", "gender_alias",
                    "vin_lowercase", "plate_dot", "plate_space", "plate_lowercase", "placeholder",
                    "duplicate_row", "bad_value", "title_row", "blank_row", "footer_row"):
        assert report.features.get(feature, 0) > 0, feature
    assert re.search(r"\b1\d\d \d{4} \d{4}\b", text)
    assert re.search(r"\b1\d\d-\d{4}-\d{4}\b", text)
    assert re.search(r"\+86 ?1\d{10}", text)
    assert re.search("[１３５７８９][０-９]{10}", text)
    assert re.search(r"\b\d{4}/\d{1,2}/\d{1,2}\b", text)
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", text)
    assert re.search(r",\d{8},", text)
    assert re.search(r"京[A-Z]·", text)
    assert any(r[COL["name"]] != r[COL["name"]].strip() for r in rows[3:-1])


def test_bad_row_report_is_exact(messy, clean):
    """Every row not reported normalises to the clean row; every reported one
    is invalid in exactly the reported way and otherwise clean."""
    _, report, rows = messy
    _, _, clean_rows = clean
    first = report.header_line + 1
    bad = {b.line: b for b in report.bad_rows}
    dups = {d.line: d for d in report.duplicates}
    assert {b.reason for b in report.bad_rows} == set(BAD_REASONS)
    assert 0.004 < len(bad) / report.rows < 0.012
    assert not set(bad) & set(dups)
    src = iter(clean_rows[1:])
    for line in range(first, first + report.rows):
        row = rows[line - 1]
        if line in dups:
            d = dups[line]
            assert row == rows[d.of_line - 1] and d.of_line < line and d.of_line not in bad
            assert row[0] == d.ref
            continue
        expected = next(src)
        got = normalise(row)
        if line in bad:
            b = bad[line]
            assert b.ref == row[0] == expected[0]
            assert row[COL[b.field]] == b.value and CUSTOMER_HEADERS[COL[b.field]] == b.column
            assert problems(got) == {(b.field, b.reason)}
            got[COL[b.field]] = expected[COL[b.field]]
        else:
            assert not problems(got), (line, row)
        assert got == expected, line
    assert next(src, None) is None


def test_messy_and_clean_agree_with_the_generator(tmp_path):
    """The messiness is deterministic too."""
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    ra = write_customers_csv(a, 400, seed=9, messy=True)
    rb = write_customers_csv(b, 400, seed=9, messy=True)
    assert a.read_bytes() == b.read_bytes() and ra == _with_path(rb, a)


def _with_path(report, path):
    report.path = path
    return report


# ------------------------------------------------------------------ XLSX

@pytest.mark.parametrize("engine", ["openpyxl", "fast"])
def test_messy_xlsx_opens_with_a_merged_title(tmp_path, engine, messy):
    path = tmp_path / f"{engine}.xlsx"
    report = write_customers_xlsx(path, 300, seed=3, messy=True, engine=engine)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == report.sheets == ["客户档案"]
    ws = wb["客户档案"]
    assert [str(r) for r in ws.merged_cells.ranges] == ["A1:AH1"]
    assert ws["A1"].value.startswith("北京德润宝马4S店 客户档案")
    assert report.header_line == 3
    assert [c.value for c in ws[3]] == list(CUSTOMER_HEADERS)
    assert ws.cell(report.footer_line, 1).value == f"合计：{report.rows} 条记录"
    types = {type(c.value) for row in ws.iter_rows(min_row=4, max_row=3 + report.rows) for c in row}
    assert {str, int, datetime} <= types  # text, numbers, dates typed as dates
    # same rows as the CSV of the same seed, once normalised
    _, csv_report, csv_rows = messy
    for b in report.bad_rows:
        cells = [c.value for c in ws[b.line]]
        assert cells[0] == b.ref and str(cells[COL[b.field]]) == b.value
        assert problems(normalise(cells)) == {(b.field, b.reason)}
    sheet_rows = [normalise([c.value for c in row])
                  for row in ws.iter_rows(min_row=4, max_row=3 + report.rows)]
    csv_norm = [normalise(r) for r in csv_rows[3:3 + report.rows]]
    assert sheet_rows == csv_norm
    assert [(b.line, b.reason) for b in report.bad_rows] == [
        (b.line, b.reason) for b in csv_report.bad_rows if b.line < 4 + report.rows]


def test_both_xlsx_engines_write_the_same_cells(tmp_path):
    cells = []
    for engine in ("openpyxl", "fast"):
        path = tmp_path / f"{engine}.xlsx"
        write_customers_xlsx(path, 200, seed=2, engine=engine)
        ws = openpyxl.load_workbook(path).active
        cells.append([[c.value for c in row] for row in ws.iter_rows()])
    assert cells[0] == cells[1]
    assert cells[0][0] == list(CUSTOMER_HEADERS)  # clean: header on row 1, no title
    assert isinstance(cells[0][1][COL["delivery_date"]], datetime)
    assert isinstance(cells[0][1][COL["mileage"]], int)
    assert isinstance(cells[0][1][COL["mobile"]], str)


@pytest.mark.parametrize("engine", ["openpyxl", "fast"])
def test_xlsx_is_byte_identical(tmp_path, engine, monkeypatch):
    import openpyxl.writer.excel as excel

    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_customers_xlsx(a, 150, seed=2, messy=True, engine=engine)

    class Later(datetime):  # openpyxl asks the clock when saving; the file must not show it
        @classmethod
        def now(cls, tz=None):
            return datetime(2031, 1, 2, 3, 4, 5)

    monkeypatch.setattr(excel.datetime, "datetime", Later)
    write_customers_xlsx(b, 150, seed=2, messy=True, engine=engine)
    assert a.read_bytes() == b.read_bytes()
    assert b"2026-11-20T09:30:00Z" in _core_xml(b) or engine == "fast"


def _core_xml(path) -> bytes:
    import zipfile

    with zipfile.ZipFile(path) as z:
        return z.read("docProps/core.xml") if "docProps/core.xml" in z.namelist() else b""


def test_xlsx_reads_with_calamine(tmp_path):
    python_calamine = pytest.importorskip("python_calamine")
    path = tmp_path / "c.xlsx"
    report = write_customers_xlsx(path, 100, messy=True, engine="fast")
    rows = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert rows[report.header_line - 1] == list(CUSTOMER_HEADERS)


@pytest.mark.parametrize("engine", ["openpyxl", "fast"])
def test_xlsx_continues_on_new_sheets(tmp_path, monkeypatch, engine):
    monkeypatch.setattr(files, "XLSX_MAX_ROWS", 150)
    path = tmp_path / "split.xlsx"
    report = write_customers_xlsx(path, 400, seed=3, messy=True, engine=engine)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == report.sheets and len(report.sheets) >= 3
    total = 0
    for k, name in enumerate(report.sheets):
        ws = wb[name]
        header = 3 if k == 0 else 1
        assert [c.value for c in ws[header]] == list(CUSTOMER_HEADERS)
        assert ws.max_row <= 150
        total += ws.max_row - header
    assert total - 1 == report.rows  # the footer
    for b in report.bad_rows:
        cells = [c.value for c in wb[b.sheet][b.line]]
        assert cells[0] == b.ref and str(cells[COL[b.field]]) == b.value
    for d in report.duplicates:
        assert [c.value for c in wb[d.sheet][d.line]][0] == d.ref


# ------------------------------------------------------------------ visits

def test_visits_csv(tmp_path):
    path = tmp_path / "visits.csv"
    report = write_visits_csv(path, 400, seed=3, encoding="gb18030")
    rows = read_csv(path, "gb18030")
    assert rows[0] == list(VISIT_HEADERS)
    visits = list(Generator(seed=3).visits(400))
    assert len(rows) - 1 == report.rows == len(visits)
    assert [r[0] for r in rows[1:]] == [v["ro_number"] for v in visits]
    for r in rows[1:]:
        assert r[5] in ("保养", "维修", "索赔", "钣喷", "PDI")
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", r[3])
        assert re.fullmatch(r"\d+\.\d\d", r[8])


# ------------------------------------------------------------------ chunks and worker processes

def test_parallel_csv_is_identical(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "CSV_CHUNK", 256)  # 4 chunks, each with its own messy stream
    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    r1 = write_customers_csv(one, 1000, seed=5, messy=True, jobs=1)
    r2 = write_customers_csv(two, 1000, seed=5, messy=True, jobs=2)
    assert one.read_bytes() == two.read_bytes()
    r2.path = one
    assert r1 == r2
    rows = read_csv(one)
    assert len(r1.bad_rows) >= 6 and {b.reason for b in r1.bad_rows} == set(BAD_REASONS)
    for b in r1.bad_rows:
        row = rows[b.line - 1]
        assert row[0] == b.ref and row[COL[b.field]] == b.value
        assert problems(normalise(row)) == {(b.field, b.reason)}
    for d in r1.duplicates:
        assert rows[d.line - 1] == rows[d.of_line - 1]
    assert rows[r1.footer_line - 1] == [f"合计：{r1.rows} 条记录"]
    # the xlsx of the same seed has the same rows and the same report lines
    xlsx = tmp_path / "x.xlsx"
    rx = write_customers_xlsx(xlsx, 1000, seed=5, messy=True, engine="fast")
    assert [(b.line, b.value) for b in rx.bad_rows] == [(b.line, b.value) for b in r1.bad_rows]
    assert [(d.line, d.of_line) for d in rx.duplicates] == [(d.line, d.of_line) for d in r1.duplicates]
    clean_one = tmp_path / "clean1.csv"
    clean_two = tmp_path / "clean2.csv"
    write_customers_csv(clean_one, 1000, seed=5)
    write_customers_csv(clean_two, 1000, seed=5, jobs=3)
    assert clean_one.read_bytes() == clean_two.read_bytes()
