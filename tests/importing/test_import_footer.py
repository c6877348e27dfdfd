"""Issue 18 §1: totals, signatures and notes under the table are skipped and counted, not rejected."""

import datetime as dt

import pytest

from crm.io.readers import read_table

SHEET = ("姓名,手机,城市\n"
         "张三,13812345678,北京\n"
         "李四,13987654321,上海\n"
         "{footer}")


def _import(crm, tmp_path, footer: str, *extra, expect=0):
    import json

    path = tmp_path / "f.csv"
    path.write_text(SHEET.format(footer=footer), encoding="utf-8")
    out = crm("customer", "import", path, "--format", "json", *extra, expect=expect)
    return json.loads(out.stdout)


@pytest.mark.parametrize("worker", ["0", "1"])  # read in this process, or in the import's worker process
def test_totals_signature_and_notes_are_skipped_and_listed(crm, tmp_path, monkeypatch, worker):
    monkeypatch.setenv("CRM_IMPORT_WORKER", worker)
    footer = ("合计：2 条,,\n小计,,\n,,\n制表人：王芳,,审核：李经理\n2026年12月4日,,\n"
              "注：数据截至 2026-11-20，仅供内部使用,,\n")
    out = _import(crm, tmp_path, footer)
    s = out["summary"]
    assert (s["inserted"], s["rejected"], s["rows_read"]) == (2, 0, 2)
    assert s["skipped"].startswith("5 footer rows: row 4 合计：2 条; row 5 小计; row 7 制表人：王芳 审核：李经理")
    assert crm.sql("SELECT count(*) FROM customers") == [(2,)]


def test_a_note_after_a_blank_row_is_a_footer(crm, tmp_path):
    s = _import(crm, tmp_path, ",,\n以下客户请于月底前完成回访确认,,\n")["summary"]
    assert (s["inserted"], s["rejected"]) == (2, 0) and s["skipped"].startswith("1 footer row: row 5 以下")


def test_customers_are_never_taken_for_footers(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("姓名,手机\n小明,13812345678\n共同,13812345679\n,\n审慧,13812345670\n", encoding="utf-8")
    with read_table(path) as t:
        assert [r.values["name"] for r in t] == ["小明", "共同", "审慧"] and t.footer_rows == []


def test_the_projects_messy_sample_imports(crm, tmp_path):
    """`python -m crm.sampledata customers -n 100 --messy` then `crm customer import --dry-run`:
    the 合计 line is a footer; only the sample's own listed bad rows are rejected."""
    import json

    from importing_helpers import _as_manager

    from crm.sampledata import Generator
    from crm.sampledata.files import write_customers_csv

    for person in Generator(seed=1, as_of=dt.date(2026, 11, 20), city="北京").staff():
        if person["active"]:
            crm(*_as_manager(crm), "staff", "add", person["code"], "--name", person["name"], "--role", person["role"])
    rep = write_customers_csv(tmp_path / "m.csv", 100, messy=True)
    out = json.loads(crm("customer", "import", tmp_path / "m.csv", "--dry-run", "--skip-invalid", "--format", "json",
                         expect=None).stdout)
    assert {r["row"] for r in out["rejects"]} == {b.line for b in rep.bad_rows}
    assert out["summary"]["skipped"] == f"1 footer row: row {rep.footer_line} 合计：{rep.rows} 条记录"
