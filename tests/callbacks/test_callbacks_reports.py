"""The record sheet, the summary report, and the plugin's hooks (schedule, merge, forget)."""

import csv
import json

from crm import hookimpl

from callbacks_helpers import customer, member, plan, tasks, vehicle, visit, write_sql


def _month(staffed):
    ids = []
    for i in range(3):
        cid = customer(staffed, f"客户{i}", f"1381234567{i}")
        member(staffed, cid)
        vin = vehicle(staffed, cid, 10 + i)
        visit(staffed, vin, f"RO{i}", "2026-11-19")
        ids.append(cid)
    plan(staffed, "2026-11-20")
    rec = lambda tid, *a: staffed("--as", "wangfang", "callbacks", "record", tid, *a)  # noqa: E731
    rec(1, "--result", "satisfied", "--score", "9")
    rec(2, "--result", "dissatisfied", "--score", "3", "--aspect", "price", "--note", "=SUM(A1)")
    rec(3, "--result", "unreachable")
    return ids


def test_record_sheet_csv_and_xlsx(staffed, tmp_path):
    _month(staffed)
    out = tmp_path / "sheet.csv"
    staffed("--as", "wangfang", "callbacks", "sheet", "--period", "2026-11", "--out", out)
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0][:5] == ["序号", "回访日期", "回访时间", "客户姓名", "联系电话"]
    assert len(rows) == 4 and rows[2][13] == "不满意" and rows[2][16] == "'=SUM(A1)"
    assert rows[1][10] == "孙伟" and rows[1][20] == "王芳"
    xlsx = tmp_path / "sheet.xlsx"
    staffed("--as", "sunwei", "callbacks", "sheet", "--period", "2026-11-01..2026-11-30", "--out", xlsx)
    from openpyxl import load_workbook

    ws = load_workbook(xlsx).active
    assert ws.title == "回访记录表" and ws.max_row == 4 and "****" in ws.cell(2, 5).value
    assert staffed.sql("SELECT count(*) FROM audit_log WHERE action = 'export'") == [(2,)]
    staffed("callbacks", "sheet", "--period", "2026-13", "--out", xlsx, expect=2)


def test_summary_report(staffed):
    _month(staffed)
    report = staffed.json("callbacks", "summary", "--period", "2026-11")
    figures = {f["name"]: f["value"] for f in report["callbacks"]["figures"]}
    assert figures["回访次数"] == 3 and figures["接通次数"] == 2 and figures["接通率"] == 66.7
    members = {f["name"]: f["value"] for f in report["callbacks_members"]["figures"]}
    assert members == {"应回访会员": 3, "已回访会员": 2, "会员覆盖率": 66.7, "其他渠道回访会员": 0}
    assert [r["customer"] for r in report["callbacks_members"]["rows"]] == ["客户2"]
    assert report["callbacks_aspects"]["rows"] == [{"方面": "价格", "次数": 1}]
    [spec] = report["callbacks_staff"]["rows"]
    assert spec["回访专员"] == "wangfang" and spec["回访次数"] == 3
    text = staffed("callbacks", "summary", "--period", "2026-11").stdout
    assert "会员回访覆盖" in text and "满意度分布" in text


class Asker:
    """Another plugin asking for a callback through the service hook."""

    __name__ = "asker"

    @hookimpl
    def on_visit_closed(self, tx, visit):
        self.answer = tx.ask("schedule_callback", request={
            "customer_id": visit["customer_id"], "reason": "投诉处理后回访", "due_on": "2026-11-24",
            "rule": "complaint_followup", "ref": f"complaint:{visit['ro_number']}", "note": "确认满意"})


def test_schedule_callback_service(staffed):
    asker = Asker()
    staffed.plugins = [asker]
    cid = customer(staffed)
    vin = vehicle(staffed, cid)
    visit(staffed, vin, "RO1", "2026-11-20")
    [task] = tasks(staffed)
    assert asker.answer == task["id"]
    assert task["rules"] == "complaint_followup" and task["due_on"] == "2026-11-24" and task["note"] == "确认满意"
    assert task["assigned_to"] == "wangfang"


def test_merge_and_forget_hooks(staffed):
    from crm.context import App

    ids = _month(staffed)
    app = App(environ={"CRM_DB": str(staffed.db_path), "CRM_CONFIG": str(staffed.config_path),
                       "CRM_NOW": "2026-11-20T10:00:00", "CRM_USER": "li"})
    with app.transaction() as tx:
        tx.fire("on_customers_merged", kept_id=ids[0], merged_id=ids[1])
        tx.fire("on_customer_forgotten", customer_id=ids[2], erased={"vins": [], "phones": []})
    assert staffed.sql("SELECT count(*) FROM callback_tasks WHERE customer_id = ?", (ids[0],)) == [(2,)]
    assert staffed.sql("SELECT status FROM callback_tasks WHERE customer_id = ?", (ids[2],)) == [("cancelled",)]
    write_sql(staffed, "SELECT 1")
    assert staffed.sql("SELECT note FROM callback_calls WHERE customer_id = ?", (ids[0],)) == [(None,), ("=SUM(A1)",)]
