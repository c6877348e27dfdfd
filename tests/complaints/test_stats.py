"""The 顾客投诉分类统计表: figures, formats, the XLSX a manager hands in; sections; merge; forget."""

import datetime as dt
import os
import stat

from crm.context import App

from complaints_helpers import as_, dept, dept_template, only_complaints, open_ticket, run_to_summarized, step  # noqa: F401


def _month(crm):
    """Three November complaints: one closed on time, one invalid, one open and overdue (a repeat)."""
    a = open_ticket(crm, now="2026-11-20T10:00:00")
    run_to_summarized(crm, a)
    step(crm, a, "advance", "confirm", "--via", "phone", now="2026-11-20T15:30:00")
    step(crm, a, "close", now="2026-11-20T16:00:00")
    b = open_ticket(crm, "--customer", "1", category="pricing", channel="hotline_400", now="2026-11-20T10:00:00")
    step(crm, b, "close", "--invalid", "--reason", "价格已公示", "--reply", "已耐心解释", now="2026-11-20T11:00:00")
    c = open_ticket(crm, "--at", "2026-11-23 09:00", category="pricing", severity="urgent", now="2026-11-23T09:00:00")
    open_ticket(crm, now="2026-10-30T10:00:00")  # October: not in the period
    return a, b, c


def test_stats_by_category(dept):
    _month(dept)
    rows = dept.json("complaints", "stats", "--period", "2026-11", env=as_("li", "2026-11-30T10:00:00"))
    by = {r["key"]: r for r in rows}
    assert by["repair_quality"]["count"] == 1 and by["pricing"]["count"] == 2
    total = by["total"]
    assert total["label"] == "合计" and total["count"] == 3 and total["invalid"] == 1
    assert total["invalid_rate"] == round(1 / 3, 4)
    assert total["open"] == 1
    assert total["avg_respond_hours"] == round((0.5 + 1.0) / 2, 2) and total["max_respond_hours"] == 1.0
    assert total["avg_resolve_hours"] == 4.5 and total["max_resolve_hours"] == 4.5  # the valid closed one
    assert total["on_time_rate"] == round(2 / 3, 4)  # the open one is overdue
    assert total["repeat"] == 2  # flagged at registration: b repeats a, c repeats b
    text = dept("complaints", "stats", "--period", "2026-11", "--by", "channel", env=as_("li", "2026-11-30T10:00:00")).stdout
    assert "厂家热线" in text and "33.3%" in text
    assert dept("complaints", "stats", "--period", "2026-13", env=as_("li"), expect=2).stderr.startswith("crm: error: --period")
    assert "use one of" in dept("complaints", "stats", "--period", "2026-11", "--by", "colour", env=as_("li"), expect=2).stderr


def test_stats_by_dept_and_severity(dept):
    _month(dept)
    rows = dept.json("complaints", "stats", "--period", "2026-11-01..2026-11-30", "--by", "dept", env=as_("li", "2026-11-30T10:00:00"))
    assert [(r["key"], r["count"]) for r in rows] == [("workshop", 1), ("unassigned", 2), ("total", 3)]
    rows = dept.json("complaints", "stats", "--period", "2026-Q4", "--by", "severity", env=as_("li", "2026-11-30T10:00:00"))
    assert [(r["key"], r["count"]) for r in rows] == [("normal", 3), ("urgent", 1), ("total", 4)]


def test_xlsx_layout_a_manager_hands_in(dept, tmp_path):
    from openpyxl import load_workbook

    _month(dept)
    out = tmp_path / "投诉统计-2026-11.xlsx"
    dept("complaints", "stats", "--period", "2026-11", "--out", str(out), env=as_("li", "2026-11-30T10:00:00"))
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    wb = load_workbook(out)
    ws = wb["分类统计"]
    assert ws["A1"].value == "顾客投诉分类统计表" and ws["A1"].font.bold
    assert "2026年11月" in ws["A2"].value and "李经理" in ws["A2"].value
    assert [c.value for c in ws[3]][:4] == ["投诉类别", "投诉数", "无效数", "无效率"]
    assert ws.freeze_panes == "B4"
    assert ws["A4"].value == "维修质量" and ws["A5"].value == "价格收费"
    assert ws["A6"].value == "合计" and ws["B6"].value == 3 and ws["A6"].font.bold
    assert ws["D6"].number_format == "0.0%"
    assert ws.column_dimensions["A"].width == 16
    detail = wb["投诉明细"]
    assert [c.value for c in detail[1]][:3] == ["编号", "受理时间", "渠道"] and detail.max_row == 4
    audit = dept.sql("SELECT action, entity FROM audit_log WHERE action = 'export'")
    assert audit == [("export", "complaint_stats")]
    assert dept("complaints", "stats", "--period", "2026-11", "--out", str(tmp_path / "x.csv"), env=as_("li"),
                expect=2).stderr.count("must end in .xlsx") == 1


def test_formula_cells_are_neutralised(dept, tmp_path):
    from crm_complaints import xlsx

    assert xlsx._cell("=HYPERLINK(1)") == "'=HYPERLINK(1)" and xlsx._cell("＋1") == "'＋1" and xlsx._cell(3) == 3


def test_report_sections_and_customer_sections(dept):
    _month(dept)
    app = App(environ=dict(os.environ, CRM_NOW="2026-11-30T10:00:00"))
    sections = app.plugins.call_each("report_sections", app=app, report={
        "kind": "monthly", "start": dt.date(2026, 11, 1), "end": dt.date(2026, 11, 30),
        "previous": (dt.date(2026, 10, 1), dt.date(2026, 10, 31)), "staff": None})
    section = sections[0][0]
    assert section["key"] == "complaints"
    figures = {f["name"]["en"]: f for f in section["figures"]}
    assert figures["complaints"]["name"]["zh_CN"] == "投诉数"
    assert figures["complaints"]["value"] == 3 and figures["complaints"]["previous"] == 1
    assert figures["invalid rate"]["value"] == 33.3 and figures["invalid rate"]["unit"] == "%"
    page = dept.json("customer", "show", "1", env=as_("zhaomin", "2026-11-30T10:00:00"))
    mine = [s for s in page["sections"] if s["title"] == "Complaints (投诉)"][0]
    assert len(mine["rows"]) == 4


def test_merge_moves_tickets_and_forget_erases_personal_text(dept):
    a = open_ticket(dept)
    step(dept, a, "close", "--invalid", "--reason", "张三说车是他老婆开的", "--reply", "已解释")
    app = App(environ=dict(os.environ, CRM_USER="li"))
    with app.transaction() as tx:
        from crm.archive.customers import add_customer

        other = add_customer(tx, {"name": "张三(重复)"})["id"]
        tx.conn.execute("UPDATE complaints_tickets SET customer_id = ?", (other,))
        tx.fire("on_customers_merged", kept_id=1, merged_id=other)
        tx.fire("on_customer_forgotten", customer_id=1, erased={"vins": [], "phones": []})
    assert dept.sql("SELECT customer_id, description, vin, plate FROM complaints_tickets") == [(1, "[erased]", None, None)]
    data = dept.sql("SELECT data FROM complaints_events WHERE action = 'invalid'")[0][0]
    assert "老婆" not in data and "[erased]" in data
    # the anonymous counts survive
    assert dept.json("complaints", "stats", "--period", "2026-11", env=as_("li"))[-1]["invalid"] == 1
