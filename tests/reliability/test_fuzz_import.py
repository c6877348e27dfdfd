"""Random and hostile CSV/XLSX files into `crm customer import`: never a traceback, exit 0/2/3
with one clear line, nothing partial on exit 2."""

from __future__ import annotations

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

HEADERS = ["姓名", "客户姓名", "手机", "联系电话", "车牌号", "VIN", "车架号", "购车日期", "性别", "生日", "地址",
           "城市", "备注", "标签", "邮箱", "车型", "name", "mobile", "plate", "vin", "", "=SUM(A1)", "姓名"]
HOSTILE = ["=cmd|'/c calc'!A1", "+1+1", "-2", "@SUM(1)", "' OR 1=1 --", "%", "_", "\"", "''", "\\", "\x00",
           "\r\n", "13812345678", "138 1234 5678", "+86 138-1234-5678", "1381234567", "京A12345", "WBA8E3105JA123456",
           "WBA8E3105JA12345X", "2026-02-30", "1900-01-01", "45000", "45000.5", "1e308", "NaN", "张三", "李" * 300,
           "\ufeff姓名", "🚗", "<script>", "${jndi:x}", "NULL", "None", "   "]
cells = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=20), st.integers().map(str))


def _csv(header, rows) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8", "surrogatepass")


def _check(crm, path, before):
    result = crm("customer", "import", path, expect=None)
    assert result.exit_code in (0, 2, 3), (result.exit_code, result.stderr)
    err = [line for line in result.stderr.splitlines() if line.strip()]
    if result.exit_code == 2:
        assert len(err) == 1 and err[0].startswith("crm"), result.stderr
        assert crm.sql("SELECT count(*), coalesce(max(id), 0) FROM customers") == before  # nothing partial
        assert crm.sql("SELECT count(*) FROM vehicles")[0][0] == crm._vehicles_before
    assert "Traceback" not in result.stderr + result.stdout
    return result


def _snapshot(crm):
    crm("customer", "list")
    before = crm.sql("SELECT count(*), coalesce(max(id), 0) FROM customers")
    crm._vehicles_before = crm.sql("SELECT count(*) FROM vehicles")[0][0]
    return before


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(header=st.lists(st.sampled_from(HEADERS), min_size=1, max_size=8),
       rows=st.lists(st.lists(cells, max_size=9), max_size=6))
def test_hostile_csv(crm, tmp_path, header, rows):
    path = tmp_path / "in.csv"
    try:
        path.write_bytes(_csv(header, rows))
    except UnicodeEncodeError:
        return
    _check(crm, path, _snapshot(crm))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=400))
def test_binary_garbage_as_csv_and_xlsx(crm, tmp_path, data):
    before = _snapshot(crm)
    for name in ("in.csv", "in.xlsx"):
        path = tmp_path / name
        path.write_bytes(data)
        _check(crm, path, before)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(header=st.lists(st.sampled_from(HEADERS), min_size=1, max_size=6),
       rows=st.lists(st.lists(st.one_of(cells, st.integers(-10**12, 10**12), st.floats(allow_nan=True),
                                        st.booleans(), st.dates()), max_size=7), max_size=5),
       title=st.booleans())
def test_hostile_xlsx(crm, tmp_path, header, rows, title):
    from openpyxl import Workbook
    from openpyxl.utils.exceptions import IllegalCharacterError

    wb = Workbook()
    ws = wb.active
    try:
        if title:
            ws.append(["某某4S店客户档案"])
        ws.append(header)
        for row in rows:
            ws.append(row)
    except (IllegalCharacterError, ValueError):
        return
    path = tmp_path / "in.xlsx"
    wb.save(path)
    _check(crm, path, _snapshot(crm))


def test_a_truncated_xlsx_and_a_directory_and_a_missing_file(crm, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["姓名", "手机"])
    wb.active.append(["张三", "13812345678"])
    good = tmp_path / "good.xlsx"
    wb.save(good)
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    before = _snapshot(crm)
    for path in (cut, tmp_path, tmp_path / "missing.csv"):
        result = crm("customer", "import", path, expect=2)
        assert len(result.stderr.strip().splitlines()) == 1
    assert crm.sql("SELECT count(*), coalesce(max(id), 0) FROM customers") == before
