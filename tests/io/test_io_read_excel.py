import datetime as dt
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from crm.io import FileProblem
from crm.io import readers
from crm.io.readers import read_table

DATA = Path(__file__).parent / "data"


def dealer_workbook(path, *, first_sheet_notes=True):
    """A workbook as dealers make them: a notes sheet first, then the data
    sheet with a merged title, an export-date line, blank rows, the header on
    row 5 starting in column B, a customer merged over two vehicle rows."""
    wb = openpyxl.Workbook()
    if first_sheet_notes:
        notes = wb.active
        notes.title = "填写说明"
        notes["A1"] = "请按模板填写，不要修改表头"
        ws = wb.create_sheet("客户档案")
    else:
        ws = wb.active
        ws.title = "客户档案"
    ws["B1"] = "XX宝马4S店客户档案 2025年"
    ws.merge_cells("B1:G1")
    ws["B2"] = "导出时间：2025-03-05"
    ws.append([])
    ws.append([])
    for col, h in zip("BCDEFG", ["客户姓名", "手机号码*", "车牌号", "购车日期", "里程(km)", "兴趣爱好"]):
        ws[f"{col}5"] = h
    ws["B6"] = "张三"
    ws.merge_cells("B6:B7")
    ws["C6"] = 13812345678
    ws["D6"] = "京A12345"
    ws["E6"] = dt.date(2025, 3, 5)
    ws["F6"] = 12345
    ws["G6"] = "高尔夫"
    ws["C7"] = "139 8765 4321"
    ws["D7"] = "京B54321"
    ws["E7"] = dt.datetime(2024, 12, 31, 10, 30)
    ws["F7"] = 1234.5
    # row 8 blank, then a row whose note is merged across two columns
    ws["B9"] = "李四"
    ws["C9"] = "+86 137 0000 1111"
    ws["F9"] = "1.2万"
    ws["G9"] = "钓鱼"
    ws.merge_cells("F9:G9")  # horizontal merge: must not be copied sideways
    wb.save(path)
    return path


def test_dealer_workbook(tmp_path):
    p = dealer_workbook(tmp_path / "客户.xlsx")
    with read_table(p) as t:
        rows = list(t)
    assert t.kind == "xlsx" and t.sheet == "客户档案" and t.sheets == ["填写说明", "客户档案"]
    assert t.header_row == 5
    assert t.columns == {"name": "B", "mobile": "C", "plate": "D", "delivery_date": "E", "mileage": "F"}
    assert t.unmapped == ["兴趣爱好"]
    assert [r.line for r in rows] == [6, 7, 9]
    assert rows[0].values == {
        "name": "张三",
        "mobile": 13812345678,  # whole floats come back as int
        "plate": "京A12345",
        "delivery_date": dt.date(2025, 3, 5),
        "mileage": 12345,
    }
    assert rows[0].extra == {"兴趣爱好": "高尔夫"}
    assert rows[1]["name"] == "张三"  # vertical merge filled down
    assert rows[1]["delivery_date"] == dt.datetime(2024, 12, 31, 10, 30)
    assert rows[1]["mileage"] == 1234.5
    assert rows[2]["name"] == "李四" and rows[2]["mileage"] == "1.2万"
    assert rows[2].extra == {}  # G9 is part of the F9:G9 merge: not copied


def test_sheet_selection(tmp_path):
    p = dealer_workbook(tmp_path / "c.xlsx")
    assert read_table(p, sheet="客户档案").header_row == 5
    assert read_table(p, sheet=1).sheet == "客户档案"
    with pytest.raises(FileProblem, match=r"sheet '填写说明'.*no header row"):
        read_table(p, sheet="填写说明")
    with pytest.raises(FileProblem, match=r"no sheet named 'Sheet9' \(sheets: 填写说明, 客户档案\)"):
        read_table(p, sheet="Sheet9")
    with pytest.raises(FileProblem, match="no sheet number 5"):
        read_table(p, sheet=5)


def test_no_sheet_has_a_header(tmp_path):
    wb = openpyxl.Workbook()
    wb.active["A1"] = "hello"
    wb.create_sheet("二")["A1"] = "world"
    wb.save(tmp_path / "c.xlsx")
    with pytest.raises(FileProblem, match="no header row found in sheets Sheet, 二"):
        read_table(tmp_path / "c.xlsx")


def test_hidden_sheet_is_skipped(tmp_path):
    wb = openpyxl.Workbook()
    hidden = wb.active
    hidden.title = "旧数据"
    hidden.append(["姓名", "手机"])
    hidden.append(["旧", "1"])
    hidden.sheet_state = "hidden"
    ws = wb.create_sheet("新")
    ws.append(["姓名", "手机"])
    ws.append(["新", "2"])
    wb.save(tmp_path / "c.xlsx")
    with read_table(tmp_path / "c.xlsx") as t:
        assert t.sheet == "新" and [r["name"] for r in t] == ["新"]


def test_two_level_header(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "姓名"
    ws.merge_cells("A1:A2")
    ws["B1"] = "联系方式"
    ws.merge_cells("B1:C1")
    ws["B2"] = "手机"
    ws["C2"] = "座机"
    ws.append(["张三", "13812345678", "010-12345678"])
    wb.save(tmp_path / "c.xlsx")
    with read_table(tmp_path / "c.xlsx") as t:
        rows = list(t)
    assert t.header_row == 2 and t.fields == ["name", "mobile", "phone2"]
    assert rows[0].line == 3 and rows[0]["phone2"] == "010-12345678"


def test_xlsx_with_csv_extension(tmp_path):
    p = dealer_workbook(tmp_path / "c.xlsx")
    q = tmp_path / "renamed.csv"
    q.write_bytes(p.read_bytes())
    assert read_table(q).kind == "xlsx"


def test_real_xls():
    with read_table(DATA / "customers.xls") as t:
        rows = list(t)
    assert t.kind == "xls" and t.header_row == 3
    assert [(r.line, r["name"]) for r in rows] == [(4, "张三"), (5, "张三"), (7, "李四")]
    assert rows[0]["mobile"] == 13812345678
    assert rows[0]["delivery_date"] in (dt.date(2025, 3, 5), dt.datetime(2025, 3, 5))
    assert rows[2]["notes"] == "老客户"


def test_tab_separated_text_named_xls(tmp_path):
    p = tmp_path / "export.xls"
    p.write_bytes("客户姓名\t手机\n张三\t13812345678\n".encode("gbk"))
    with read_table(p) as t:
        assert t.kind == "csv" and t.delimiter == "\t" and [r["name"] for r in t] == ["张三"]


@pytest.mark.parametrize(
    "name, data, reason",
    [
        ("c.xls", b"<html><body><table><tr><td>x</td></tr></table></body></html>", "HTML page"),
        ("c.xlsx", b"%PDF-1.4 ...", "looks like PDF"),
        ("c.csv", b"\x89PNG\r\n\x1a\n" + bytes(100), "looks like PNG"),
        ("c.csv", bytes(range(256)) * 4, "looks like BINARY"),
        ("c.xlsx", b"PK\x03\x04" + b"garbage" * 50, "corrupt XLSX"),
        ("c.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "corrupt or unreadable"),
    ],
)
def test_wrong_or_corrupt_files(tmp_path, name, data, reason):
    p = tmp_path / name
    p.write_bytes(data)
    with pytest.raises(FileProblem, match=reason) as e:
        read_table(p)
    assert "\n" not in str(e.value) and str(e.value).startswith(str(p))


def test_truncated_xlsx(tmp_path):
    p = dealer_workbook(tmp_path / "c.xlsx")
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 2])
    with pytest.raises(FileProblem, match="corrupt"):
        read_table(p)


def test_zip_that_is_not_a_workbook(tmp_path):
    p = tmp_path / "c.xlsx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("word/document.xml", "<w/>")
    with pytest.raises(FileProblem, match="Word document"):
        read_table(p)


def test_workbook_with_damaged_sheet_xml(tmp_path):
    src = dealer_workbook(tmp_path / "ok.xlsx", first_sheet_notes=False)
    p = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(p, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            zout.writestr(item, data)
    with pytest.raises(FileProblem, match="bad.xlsx"):
        list(read_table(p))


def test_openpyxl_fallback_without_calamine(tmp_path, monkeypatch):
    p = dealer_workbook(tmp_path / "c.xlsx")
    monkeypatch.setitem(sys.modules, "python_calamine", None)  # import fails
    with read_table(p) as t:
        rows = list(t)
    assert t.sheet == "客户档案" and t.header_row == 5
    assert [r.line for r in rows] == [6, 7, 9]
    assert rows[0]["mobile"] == 13812345678 and rows[0]["name"] == "张三"


def test_xlrd_fallback_without_calamine(monkeypatch):
    monkeypatch.setitem(sys.modules, "python_calamine", None)
    with read_table(DATA / "customers.xls") as t:
        rows = list(t)
    assert [(r.line, r["name"]) for r in rows] == [(4, "张三"), (5, "张三"), (7, "李四")]
    assert rows[0]["delivery_date"] == dt.date(2025, 3, 5)


def test_column_letter():
    assert [readers.column_letter(i) for i in (0, 1, 25, 26, 27, 51, 52, 701, 702)] == [
        "A", "B", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA",
    ]


def test_openpyxl_used_when_calamine_fails(tmp_path, monkeypatch):
    p = dealer_workbook(tmp_path / "c.xlsx")

    def refuse(path):
        raise FileProblem(path, "corrupt or unreadable workbook (simulated)")

    monkeypatch.setattr(readers, "_calamine_sheets", refuse)
    with read_table(p) as t:
        assert t.header_row == 5 and len(list(t)) == 3
    p.write_bytes(b"PK\x03\x04" + b"x" * 100)
    with pytest.raises(FileProblem, match="corrupt"):
        read_table(p)
