"""The specialist's own written work (issue 16): crm worklog fills the forms' written parts."""

import json


def _form(crm, *args) -> dict:
    return json.loads(crm(*args, "--format", "json").stdout)


def _rows(form: dict, key: str) -> list[dict]:
    return next(s for s in form["sections"] if s["key"] == key)["rows"]


def test_daily_notes_weekly_goals_and_monthly_problems_reach_the_forms(staffed):
    wf = ["--as", "wangfang"]
    staffed(*wf, "worklog", "add", "回访12位客户, 2位不满意已转投诉")
    goal = int(staffed(*wf, "worklog", "plan", "完成本周回访", "--target", "60 calls").stdout)
    staffed(*wf, "worklog", "add", "--kind", "problem", "等待时间长: 增开快修工位, 已解决")
    staffed(*wf, "worklog", "add", "--kind", "plan", "下月会员关怀活动")
    assert "submitted" in staffed(*wf, "worklog", "submit").stderr
    staffed(*wf, "worklog", "done", goal, "--result", "58 calls")

    daily = _form(staffed, *wf, "report", "form", "daily-log", "--me", "--period", "2026-11-20")
    assert [r["content"] for r in _rows(daily, "notes")] == ["回访12位客户, 2位不满意已转投诉"]
    weekly = _form(staffed, *wf, "report", "form", "weekly-plan", "--staff", "wangfang", "--period", "2026-W47")
    [row] = _rows(weekly, "goals")
    assert (row["goal"], row["target"], row["done"]) == ("完成本周回访", "60 calls", "58 calls")
    monthly = _form(staffed, "report", "form", "monthly-summary", "--period", "2026-11")
    assert [r["content"] for r in _rows(monthly, "problems")] == ["等待时间长: 增开快修工位, 已解决"]
    assert [r["content"] for r in _rows(monthly, "next_month")] == ["下月会员关怀活动"]
    shown = staffed.json("worklog", "show", "--period", "2026-11", "--staff", "wangfang")
    assert [r["kind"] for r in shown] == ["goal", "note", "problem", "plan"]


def test_worklog_needs_a_person_and_text(staffed):
    assert "say who you are" in staffed("worklog", "add", "x", expect=2).stderr
    staffed("--as", "wangfang", "worklog", "add", "  ", expect=2)
    staffed("--as", "wangfang", "worklog", "add", "x", "--kind", "goal", expect=2)
    staffed("--as", "wangfang", "worklog", "submit", expect=2)  # nothing planned
    assert staffed.sql("SELECT count(*) FROM worklog") == [(0,)]


def test_the_weekly_report_compares_the_plan_with_what_was_done(staffed):
    """每周工作计划 vs 周报: a target naming a figure is measured ("3 calls" → the person's calls
    of the week); another is compared with what was written; attainment = actual ÷ planned."""
    wf = ["--as", "wangfang"]
    cid = int(staffed("customer", "add", "--name", "张三", "--mobile", "13812345678").stdout)
    staffed(*wf, "worklog", "plan", "完成本周回访电话", "--target", "4 calls")
    staffed(*wf, "worklog", "plan", "整理档案", "--target", "10 份")
    written = int(staffed(*wf, "worklog", "plan", "写周总结").stdout)
    staffed("--as", "zhaomin", "worklog", "plan", "满意度调查", "--target", "2 calls")
    staffed(*wf, "worklog", "done", written - 1, "--result", "8 份")
    for day in ("2026-11-16", "2026-11-17", "2026-11-18"):
        staffed(*wf, "log", "add", "--customer", cid, "--kind", "call", "--outcome", "reached", "--at", f"{day} 10:00")
    staffed("--as", "zhaomin", "log", "add", "--customer", cid, "--kind", "call", "--at", "2026-11-09 10:00")  # last week

    week = staffed.json("report", "weekly", "--period", "2026-W47")
    [section] = [s for s in week["sections"] if s["key"] == "plan_vs_actual"]
    rows = {(r["staff"], r["goal"]): r for r in section["rows"]}
    calls = rows[("wangfang", "完成本周回访电话")]
    assert (calls["planned"], calls["actual"], calls["attainment"]) == (4, 3, 75.0)
    files = rows[("wangfang", "整理档案")]
    assert (files["planned"], files["actual"], files["attainment"]) == (10, 8, 80.0)
    assert rows[("wangfang", "写周总结")]["attainment"] is None
    other = rows[("zhaomin", "满意度调查")]
    assert (other["actual"], other["attainment"]) == (0, 0.0)  # her own calls of this week, not wangfang's
    mine = staffed.json("report", "weekly", "--period", "2026-W47", "--staff", "wangfang")
    [section] = [s for s in mine["sections"] if s["key"] == "plan_vs_actual"]
    assert {r["staff"] for r in section["rows"]} == {"wangfang"}
