"""Whatever bytes a file holds, read_table raises nothing but FileProblem."""

import io
import zipfile
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm.io import FileProblem
from crm.io.readers import read_table

PREFIXES = [b"", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\xef\xbb\xbf", b"\xff\xfe", "姓名,手机\n".encode(), "姓名,手机\n".encode("gbk"), b"<html>"]


def _xlsx_bytes():
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "手机"])
    wb.active.append(["张三", 13812345678])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


XLSX = _xlsx_bytes()
XLS = (Path(__file__).parent / "data" / "customers.xls").read_bytes()


def consume(path):
    try:
        with read_table(path) as t:
            for _ in t:
                pass
    except FileProblem as exc:
        assert "\n" not in str(exc)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(prefix=st.sampled_from(PREFIXES), body=st.binary(max_size=400))
def test_random_bytes(tmp_path_factory, prefix, body):
    p = tmp_path_factory.mktemp("fz") / "f.csv"
    p.write_bytes(prefix + body)
    consume(p)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    which=st.sampled_from(["xlsx", "xls"]),
    cut=st.floats(min_value=0, max_value=1),
    flips=st.lists(st.tuples(st.floats(min_value=0, max_value=0.9999), st.integers(0, 255)), max_size=3),
)
def test_damaged_workbooks(tmp_path_factory, which, cut, flips):
    data = bytearray(XLSX if which == "xlsx" else XLS)
    for where, byte in flips:
        data[int(where * len(data))] = byte
    p = tmp_path_factory.mktemp("fz") / f"f.{which}"
    p.write_bytes(bytes(data[: max(int(cut * len(data)), 8)]))
    consume(p)


def test_zip_with_garbage_workbook(tmp_path):
    p = tmp_path / "f.xlsx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("xl/workbook.xml", "not xml at all <<<")
        z.writestr("[Content_Types].xml", "<x/>")
    consume(p)


def test_truncated_xls_does_not_escape_as_a_rust_panic(tmp_path):
    # calamine panics (pyo3 PanicException, a BaseException) on some cuts.
    for size in (16, 64, 512, 600, 1024, 2048, len(XLS) - 1):
        p = tmp_path / f"cut{size}.xls"
        p.write_bytes(XLS[:size])
        consume(p)
