"""Property tests: whatever text goes out through the writers comes back
through the reader (formula-looking cells with their protective quote)."""

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm.io.readers import read_table
from crm.io.writers import write_csv, write_xlsx
from crm.output import neutralise_formula as neutralise

CHARS = string.ascii_letters + string.digits + ' ,;"\'\t=+-@|\n' + "张三京沪粤，。＝＋－＠　"
cells = st.text(alphabet=CHARS, max_size=12)


def expected(value):
    v = neutralise(value)
    return None if v == "" or v.isspace() else v


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.lists(st.tuples(cells, cells), min_size=1, max_size=5))
def test_csv_roundtrip(tmp_path_factory, data):
    p = tmp_path_factory.mktemp("rt") / "x.csv"
    rows = [("姓名" + a.replace("\n", ""), b) for a, b in data]  # a non-blank first cell keeps rows
    write_csv(p, rows, titles=["姓名", "备注"])
    with read_table(p) as t:
        back = [(r["name"], r["notes"]) for r in t]
    assert back == [(expected(a), expected(b)) for a, b in rows]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.lists(st.tuples(cells, cells), min_size=1, max_size=5))
def test_xlsx_roundtrip(tmp_path_factory, data):
    p = tmp_path_factory.mktemp("rt") / "x.xlsx"
    rows = [("姓名" + a.replace("\n", ""), b.replace("\r", "")) for a, b in data]
    write_xlsx(p, rows, titles=["姓名", "备注"])
    with read_table(p) as t:
        back = [(r["name"], r["notes"]) for r in t]
    assert back == [(expected(a), expected(b)) for a, b in rows]
