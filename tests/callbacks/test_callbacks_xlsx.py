"""The offline round trip: export the queue, fill it in, import it back (validated, idempotent)."""

import os

import pytest

from openpyxl import load_workbook

from callbacks_helpers import customer, plan, vehicle, visit


def _queue(staffed, n=3):
    for i in range(n):
        cid = customer(staffed, f"客户{i}", f"1381234567{i}")
        vin = vehicle(staffed, cid, 10 + i)
        visit(staffed, vin, f"RO{i}", "2026-11-19")
    plan(staffed, "2026-11-20")


def _export(staffed, path):
    staffed("--as", "wangfang", "callbacks", "export-queue", path, "--me")
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"
    wb = load_workbook(path)
    return wb, wb.active


def _imp(staffed, path, *extra, expect=0):
    return staffed("--as", "wangfang", "callbacks", "import-results", path, *extra, "--format", "json",
                   expect=expect)


def test_round_trip_with_a_row_edited_badly(staffed, tmp_path):
    import json

    _queue(staffed)
    path = tmp_path / "queue.xlsx"
    wb, ws = _export(staffed, path)
    head = [c.value for c in ws[1]]
    col = {h: head.index(h) + 1 for h in head}
    assert ws.max_row == 4 and head[:3] == ["任务ID", "客户", "电话"]
    fills = [("2026-11-20 09:30", "满意", 9, None, "很好"),
             ("2026-11-20 09:40", "不满意", 15, "价格", "太贵"),  # score out of range
             ("2026-11-20 09:50", "未接通", None, None, None)]
    for row, (at, result, score, aspects, note) in zip(range(2, 5), fills):
        ws.cell(row, col["回访时间"], at)
        ws.cell(row, col["结果"], result)
        ws.cell(row, col["评分"], score)
        ws.cell(row, col["不满意方面"], aspects)
        ws.cell(row, col["备注"], note)
    wb.save(path)

    r = _imp(staffed, path, expect=2)
    problems = json.loads(r.stdout)
    assert problems == [{"row": 3, "column": "评分", "value": "15",
                         "reason": "score 15 must be a whole number from 0 to 10"}]
    assert staffed.sql("SELECT count(*) FROM callback_calls") == [(0,)]  # all or nothing

    _imp(staffed, path, "--dry-run", expect=2)
    r = _imp(staffed, path, "--skip-invalid", expect=3)
    assert staffed.sql("SELECT count(*) FROM callback_calls") == [(2,)]
    assert staffed.sql("SELECT count(*) FROM interactions") == [(2,)]

    ws.cell(3, col["评分"], 4)  # fixed
    wb.save(path)
    _imp(staffed, path, "--dry-run")
    _imp(staffed, path)
    _imp(staffed, path)  # again: idempotent
    assert staffed.sql("SELECT result, source FROM callback_calls ORDER BY id") == [
        ("satisfied", "xlsx:queue.xlsx"), ("unreachable", "xlsx:queue.xlsx"), ("dissatisfied", "xlsx:queue.xlsx")]
    assert staffed.sql("SELECT status, attempts FROM callback_tasks ORDER BY id") == [
        ("done", 1), ("done", 1), ("open", 1)]


def test_every_bad_row_is_reported_with_column_and_reason(staffed, tmp_path):
    import json

    _queue(staffed)
    path = tmp_path / "queue.xlsx"
    wb, ws = _export(staffed, path)
    head = [c.value for c in ws[1]]
    col = {h: head.index(h) + 1 for h in head}
    ws.cell(2, col["结果"], "好极了")
    ws.cell(2, col["回访时间"], "2026-11-20 09:30")
    ws.cell(3, col["结果"], "满意")  # no call time
    ws.cell(4, col["结果"], "满意")
    ws.cell(4, col["回访时间"], "2030-01-01 10:00")  # the future
    ws.cell(4, col["回访专员"], "sunwei")  # the advisor of the visit
    wb.save(path)
    problems = json.loads(_imp(staffed, path, expect=2).stdout)
    assert [(p["row"], p["column"]) for p in problems] == [(2, "结果"), (3, "回访时间"), (4, "回访时间"), (4, "回访专员")]


def test_a_task_recorded_after_the_export_is_not_overwritten(staffed, tmp_path):
    import json

    _queue(staffed, 1)
    path = tmp_path / "queue.xlsx"
    wb, ws = _export(staffed, path)
    staffed("--as", "wangfang", "callbacks", "record", "1", "--result", "unreachable")
    head = [c.value for c in ws[1]]
    ws.cell(2, head.index("结果") + 1, "满意")
    ws.cell(2, head.index("回访时间") + 1, "2026-11-20 09:30")
    wb.save(path)
    problems = json.loads(_imp(staffed, path, expect=2).stdout)
    assert problems[0]["column"] == "已尝试" and "changed since the export" in problems[0]["reason"]


def test_not_a_workbook_is_exit_2(staffed, tmp_path):
    bad = tmp_path / "x.xlsx"
    bad.write_text("hello")
    r = _imp(staffed, bad, expect=2)
    assert "not a readable .xlsx" in r.stderr


def test_formulas_are_neutralised_in_the_export(staffed, tmp_path):
    cid = customer(staffed, "=HYPERLINK(1)", "13812345670")
    vin = vehicle(staffed, cid)
    visit(staffed, vin, "RO1", "2026-11-19")
    plan(staffed, "2026-11-20")
    wb, ws = _export(staffed, tmp_path / "q.xlsx")
    assert ws.cell(2, 2).value == "'=HYPERLINK(1)"


def _filled(staffed, tmp_path, at="2026-11-20 09:30", result="满意"):
    _queue(staffed, n=2)
    path = tmp_path / "queue.xlsx"
    wb, ws = _export(staffed, path)
    head = [c.value for c in ws[1]]
    col = {h: head.index(h) + 1 for h in head}
    for row in (2, 3):
        ws.cell(row, col["回访时间"], at)
        ws.cell(row, col["结果"], result)
        ws.cell(row, col["评分"], 9)
    wb.save(path)
    return path, wb, ws, col


@pytest.mark.parametrize("typed", ["2026/11/20 9:30", "2026年11月20日 09:30", "2026.11.20 上午9:30", "20261120 0930"])
def test_results_take_the_times_people_type(staffed, tmp_path, typed):
    """Issue 18 §2: one parser for dates and times (the importer's) everywhere."""
    path, *_ = _filled(staffed, tmp_path, at=typed)
    _imp(staffed, path)
    assert staffed.sql("SELECT called_at FROM callback_calls") == [("2026-11-20T09:30:00+08:00",)] * 2


def test_a_corrected_sheet_is_a_conflict_and_an_invalid_value_is_reported(staffed, tmp_path):
    """Issue 18 §3: a re-imported row that changed → exit 3, the recorded call unchanged;
    an invalid value in it → exit 2, nothing imported."""
    import json

    path, wb, ws, col = _filled(staffed, tmp_path)
    _imp(staffed, path)
    before = staffed.sql("SELECT * FROM callback_calls ORDER BY id")
    ws.cell(2, col["结果"], "不满意")
    ws.cell(2, col["不满意方面"], "价格")
    wb.save(path)
    out = _imp(staffed, path, expect=3)
    rows = json.loads(out.stdout)
    assert [(r["row"], r["column"], r["value"]) for r in rows] == [(2, "结果", "不满意"), (2, "不满意方面", "价格")]
    assert "already imported as '满意'" in rows[0]["reason"]
    assert "changed" in out.stderr and staffed.sql("SELECT * FROM callback_calls ORDER BY id") == before

    ws.cell(3, col["结果"], "很好")  # not a result at all
    wb.save(path)
    out = _imp(staffed, path, expect=2)
    assert any(r["row"] == 3 and r["value"] == "很好" for r in json.loads(out.stdout))
    assert staffed.sql("SELECT * FROM callback_calls ORDER BY id") == before
