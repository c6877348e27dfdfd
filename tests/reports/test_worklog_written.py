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
