"""Deadlines in working hours: weekends, Spring Festival 2026 and its make-up workdays, pauses,
the manufacturer's deadlines (which win and never pause), all recomputed from the events."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from crm.workdays import Calendar
from crm_complaints import timings
from crm_complaints.settings import Settings, from_section

from complaints_helpers import as_, dept, dept_template, only_complaints  # noqa: F401

TZ = ZoneInfo("Asia/Shanghai")
S = Settings.default()
CALENDAR = Calendar()


def ev(action, at, **data):
    return {"action": action, "at": at + "+08:00" if "+" not in at else at, "data": data,
            "from_state": None, "to_state": {"open": "registered", "accept": "accepted", "invalid": "invalid",
                                             "close": "closed", "reopen": "reopened"}.get(action, "investigating")}


def opened(at, severity="normal", **oem):
    return ev("open", at, received_at=at + "+08:00", set={"severity": severity, **oem})


def when(text):
    return dt.datetime.fromisoformat(text).replace(tzinfo=TZ)


def test_chinesecalendar_knows_spring_festival_2026():
    is_workday = Calendar().is_workday
    assert all(not is_workday(dt.date(2026, 2, d)) for d in range(15, 24))
    assert is_workday(dt.date(2026, 2, 14)) and is_workday(dt.date(2026, 2, 28))  # Saturdays, make-up workdays


@pytest.mark.parametrize("received,severity,respond_due,resolve_due", [
    # Friday afternoon: the weekend does not count
    ("2026-11-20T17:00:00", "normal", "2026-11-23T12:00:00", "2026-11-27T17:00:00"),
    # before Spring Festival: Saturday 14 Feb is a make-up workday, 15–23 Feb are holidays
    ("2026-02-13T16:00:00", "normal", "2026-02-14T11:00:00", "2026-02-27T16:00:00"),
    ("2026-02-14T17:30:00", "critical", "2026-02-24T09:30:00", "2026-02-24T17:30:00"),
    # received on a holiday: the clock starts on the first workday after
    ("2026-02-18T10:00:00", "urgent", "2026-02-24T11:00:00", "2026-02-25T18:00:00"),
    # Saturday 28 Feb is a make-up workday too
    ("2026-02-27T17:00:00", "urgent", "2026-02-28T10:00:00", "2026-03-02T17:00:00"),
])
def test_deadlines_across_weekend_and_spring_festival(received, severity, respond_due, resolve_due):
    t = timings.compute([opened(received, severity)], S, when(received), TZ, CALENDAR)
    assert t["respond_due"] == when(respond_due)
    assert t["resolve_due"] == when(resolve_due)
    assert t["respond_due_source"] == t["resolve_due_source"] == "config"


def test_pause_stops_the_dealer_clock_and_is_explained():
    events = [opened("2026-11-20T10:00:00", "urgent"), ev("accept", "2026-11-20T10:30:00"),
              ev("pause", "2026-11-23T10:00:00", reason="parts"), ev("resume", "2026-11-24T10:00:00")]
    t = timings.compute(events, S, when("2026-11-24T11:00:00"), TZ, CALENDAR)
    assert t["resolve_due"] == when("2026-11-25T10:00:00")  # 15 h + the 7.5 h paused
    assert t["paused_hours"] == 7.5
    assert any("+ 7.5 h while the clock was stopped" in line for line in t["explain"])
    # while paused, the dealer's deadline is suspended, with the hours left
    t = timings.compute(events[:3], S, when("2026-11-30T10:00:00"), TZ, CALENDAR)
    assert t["resolve_due"] is None and t["resolve_hours_left"] == 7.5 and t["overdue"] is None


def test_manufacturer_deadlines_win_and_never_pause():
    events = [opened("2026-11-20T10:00:00", "normal", respond_due_oem="2026-11-20T02:00:00Z",
                     resolve_due_oem="2026-11-21T10:00:00+08:00"),
              ev("accept", "2026-11-20T10:30:00"), ev("pause", "2026-11-20T11:00:00", reason="customer")]
    t = timings.compute(events, S, when("2026-11-23T10:00:00"), TZ, CALENDAR)
    assert t["respond_due"] == when("2026-11-20T10:00:00") and t["respond_due_source"] == "manufacturer"
    assert t["respond_on_time"] is False  # responded 10:30, the OEM wanted 10:00
    assert t["resolve_due"] == when("2026-11-21T10:00:00")  # a Saturday: a moment, not working hours
    assert t["overdue"] == "resolve"  # paused, yet overdue: the OEM's clock never stops


def test_reopen_stops_the_clock_while_closed():
    events = [opened("2026-11-20T10:00:00", "critical"), ev("accept", "2026-11-20T10:10:00"),
              ev("close", "2026-11-20T12:00:00"), ev("reopen", "2026-11-23T09:00:00")]
    t = timings.compute(events, S, when("2026-11-23T10:00:00"), TZ, CALENDAR)
    # 7.5 h: 2 h used before the close, 5.5 h left from Monday 09:00
    assert t["resolve_due"] == when("2026-11-23T16:00:00")
    assert t["resolved_at"] is None and t["resolve_hours"] == 3.0


def test_config_changes_the_hours():
    settings = from_section({"respond_hours": {"normal": 1}, "work_hours": ["08:30-12:00", "13:00-17:30"]})
    t = timings.compute([opened("2026-11-20T17:00:00")], settings, when("2026-11-20T17:00:00"), TZ, CALENDAR)
    assert t["respond_due"] == when("2026-11-23T09:00:00")


def test_bad_config_is_one_clear_line(dept):
    dept.write_config("[complaints]\nrespond_hours = {normal = -1}\n")
    r = dept("complaints", "open", "--customer", "1", "--channel", "phone", "--category", "pricing",
             "--description", "x", env=as_("zhaomin"), expect=2)
    assert "complaints.respond_hours.normal must be a positive number" in r.stderr


def test_deadlines_through_the_cli_across_spring_festival(dept):
    r = dept.json("complaints", "open", "--customer", "1", "--channel", "walk_in", "--category", "parts_delay",
                  "--description", "配件迟迟未到", "--at", "2026-02-13 16:00", env=as_("zhaomin", "2026-02-13T16:05:00"))
    assert (r["respond_due"], r["resolve_due"]) == ("2026-02-14 11:00", "2026-02-27 16:00")
    assert r["promised_at"].startswith("2026-02-27T16:00")  # told to the customer
    over = dept.json("complaints", "overdue", env=as_("zhaomin", "2026-02-24T09:30:00"))
    # due Sat 14th 11:00 (a make-up workday): 5.5 h late that day, 0 h over the holiday, 0.5 h on the 24th
    assert over[0]["overdue"] == "respond +6h"
    text = dept("complaints", "show", "1", "--explain", env=as_("zhaomin", "2026-02-24T09:30:00")).stdout
    assert "not responded yet: overdue by 6 working hours" in text
