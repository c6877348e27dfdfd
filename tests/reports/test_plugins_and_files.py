"""Reports with plugins (an in-process probe, the real complaints plugin, none), XLSX and HTML files."""

import os
import sqlite3
from html.parser import HTMLParser

import pytest

from crm import hookimpl


class Probe:
    """A plugin contributing one section with a known figure; last year's call has no 'previous'."""

    __name__ = "probe"

    def __init__(self):
        self.calls = []

    @hookimpl
    def report_sections(self, app, report):
        self.calls.append(report)
        this_year = report["previous"] is not None
        return [{"key": "probe", "title": "Probe 满意度", "columns": ["aspect", "score"],
                 "rows": [{"aspect": "=SUM(A1)", "score": 9}],
                 "figures": [{"name": "satisfaction", "value": 88.5 if this_year else 70.0,
                              "previous": 80.0 if this_year else None, "unit": "%",
                              "doc": "satisfied callbacks / reached"}]}]


def figures(report):
    return {f["key"]: f for f in report["figures"]}


def test_plugin_figures_get_previous_and_last_year(dept):
    probe = Probe()
    dept.plugins = [probe]
    report = dept.json("report", "monthly", "--period", "2026-11", env={"CRM_PLUGINS": ""})
    f = figures(report)["probe.satisfaction"]
    assert (f["value"], f["previous"], f["last_year"]) == (88.5, 80.0, 70.0)
    assert f["trend"] == "▲" and f["trend_year"] == "▲"
    assert f["doc"] == "docs/reports.md#plugin-figures" and f["how"] == "satisfied callbacks / reached"
    first = probe.calls[0]
    assert first["kind"] == "monthly" and str(first["start"]) == "2026-11-01" and str(first["end"]) == "2026-11-20"
    assert [str(d) for d in first["previous"]] == ["2026-10-01", "2026-10-20"]
    assert str(probe.calls[1]["start"]) == "2025-11-01"
    rows = dept.json("report", "monthly", "--details", "satisfaction", env={"CRM_PLUGINS": ""})
    assert rows == [{"aspect": "=SUM(A1)", "score": 9}]


def test_with_and_without_the_complaints_plugin(dept):
    with_ = dept.json("report", "monthly", env={"CRM_PLUGINS": "complaints"})
    assert "complaints" in {s["key"] for s in with_["sections"]}
    assert figures(with_)["complaints.complaints"]["value"] == 0
    without = dept.json("report", "monthly", env={"CRM_PLUGINS": ""})
    assert {s["source"] for s in without["sections"]} == {"core"}
    assert figures(without)["appointment_success_rate"]["value"] == 50.0
    everything = dept.json("report", "monthly")  # every installed plugin
    assert figures(everything)["appointment_success_rate"]["value"] == 50.0


def test_a_failing_plugin_is_named_and_the_report_goes_on(dept):
    class Broken:
        __name__ = "broken"

        @hookimpl
        def report_sections(self, app, report):
            raise RuntimeError("boom")

    dept.plugins = [Broken()]
    result = dept("report", "kpi", env={"CRM_PLUGINS": ""})
    assert "broken" in result.stderr and "预约成功率" in result.stdout


def test_xlsx_cell_by_cell(dept, tmp_path):
    from openpyxl import load_workbook

    dept.plugins = [Probe()]
    out = tmp_path / "月报.xlsx"
    dept("report", "monthly", "--period", "2026-11", "--out", str(out), env={"CRM_PLUGINS": ""})
    assert oct(os.stat(out).st_mode & 0o777) == "0o600"
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]
    wb = load_workbook(out)
    assert wb.sheetnames[:2] == ["关键指标", "专员绩效"]
    assert "Probe 满意度" in wb.sheetnames
    ws = wb["关键指标"]
    assert ws["A1"].value == "客户关系部月报"
    assert "2026-11-01" in ws["A2"].value and "制表: " in ws["A2"].value
    assert [c.value for c in ws[3]] == ["栏目", "指标", "本期", "上期", "环比", "去年同期", "同比", "单位"]
    assert ws.freeze_panes == "A4" and ws.print_title_rows == "$1:$3"
    assert int(ws.page_setup.paperSize) == 9 and ws.page_setup.fitToWidth == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert "客户关系部月报" in ws.oddHeader.center.text and "2026" in ws.oddHeader.center.text
    rows = {r[1].value: r for r in ws.iter_rows(min_row=4)}
    rate = rows["预约成功率"]
    assert rate[2].value == pytest.approx(0.5) and rate[2].number_format == "0.0%"
    assert rate[3].value == pytest.approx(0.667) and rate[4].value == "▼ -16.7 pt"
    assert rate[5].value == pytest.approx(1.0) and rate[3].number_format == "0.0%"
    assert rows["预约数"][2].value == 5 and rows["预约数"][2].number_format == "#,##0"
    assert rows["satisfaction"][2].value == pytest.approx(0.885)
    assert ws.column_dimensions["B"].width >= 14  # CJK names count double
    defs = {r[0].value: r[1].value for r in wb["口径说明"].iter_rows(min_row=4)}
    assert defs["预约成功率"].startswith("预约成功率 = 到店数") and defs["satisfaction"] == "satisfied callbacks / reached"
    spec = wb["专员绩效"]
    assert [c.value for c in spec[3]][:3] == ["姓名", "岗位", "外呼数"]
    chen = next(r for r in spec.iter_rows(min_row=4) if r[0].value == "陈静")
    assert chen[1].value == "预约专员"
    assert chen[7].value == pytest.approx(0.333) and chen[7].number_format == "0.0%"
    assert len(spec._charts) == 1 and spec.freeze_panes == "A4"
    assert len(wb["每日趋势"]._charts) == 1
    assert type(wb["每日趋势"]._charts[0]).__name__ == "LineChart"
    assert wb["Probe 满意度"]["A4"].value == "'=SUM(A1)"   # formula neutralised
    audit = dept.sql("SELECT action, entity, detail FROM audit_log WHERE action = 'export'")
    assert audit and audit[0][1] == "report" and "xlsx" in audit[0][2]


class Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []
        self.text = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def test_html_single_file_with_charts(dept, tmp_path):
    out = tmp_path / "r.html"
    dept("report", "monthly", "--period", "2026-11", "--out", str(out), env={"CRM_PLUGINS": "complaints"})
    assert oct(os.stat(out).st_mode & 0o777) == "0o600"
    page = out.read_text(encoding="utf-8")
    parser = Collect()
    parser.feed(page)
    tags = [t for t, _ in parser.tags]
    assert tags.count("svg") >= 4
    assert "script" not in tags and "link" not in tags
    assert any(t == "rect" and a.get("class") == "bar" for t, a in parser.tags)
    assert any(t == "polyline" for t, _ in parser.tags)
    assert "@media print" in page and "page-break-before" in page
    text = "".join(parser.text)
    assert "预约成功率" in text and "50%" in text and "▼ -16.7 pt" in text
    assert "顾客投诉分类统计" in text   # the complaints plugin's section
    sections = [a.get("id") for t, a in parser.tags if t == "section"]
    assert sections[:3] == ["kpi", "specialists", "daily"]


def test_out_refuses_bad_names(dept, tmp_path):
    assert "must end in" in dept("report", "kpi", "--out", str(tmp_path / "r.pdf"), expect=2).stderr
    assert "does not exist" in dept("report", "kpi", "--out", str(tmp_path / "no" / "r.xlsx"), expect=2).stderr
