"""Each core KPI against the hand-counted data set in reportdata.py."""

import pytest

NO_PLUGINS = {"CRM_PLUGINS": ""}


def figures(report: dict) -> dict:
    return {f["key"]: f for f in report["figures"]}


def test_monthly_department_figures_by_hand(dept):
    report = dept.json("report", "monthly", "--period", "2026-11", env=NO_PLUGINS)
    assert report["period"]["start"] == "2026-11-01" and report["period"]["end"] == "2026-11-20"
    assert report["period"]["to_date"] is True
    assert report["previous"]["start"] == "2026-10-01" and report["previous"]["end"] == "2026-10-20"
    assert report["last_year"]["start"] == "2025-11-01" and report["last_year"]["end"] == "2025-11-20"
    f = figures(report)
    # November 1–20: arrived 1, 6; no-show 2; booked and passed 3; cancelled 4; later today 5
    assert f["appointments"]["value"] == 5
    assert f["appointments_arrived"]["value"] == 2
    assert f["appointment_success_rate"]["value"] == 50.0      # 2 / (2 + 1 + 1)
    assert f["no_shows"]["value"] == 1
    assert f["no_show_rate"]["value"] == 25.0                  # 1 / 4
    assert f["appointments_cancelled"]["value"] == 1
    # October 1–20: 7, 8 arrived, 9 no-show (10 is on the 25th, outside the to-date cut)
    assert f["appointments"]["previous"] == 3
    assert f["appointment_success_rate"]["previous"] == 66.7
    assert f["appointment_success_rate"]["trend"] == "▼"
    assert f["appointment_success_rate"]["last_year"] == 100.0  # appointment 11
    assert f["appointment_success_rate"]["trend_year"] == "▼"
    # customers 1 and 2 are new in November (50 and 15 points), 3 in October (50), 4 a year ago (15)
    assert f["new_customers"]["value"] == 2 and f["new_customers"]["previous"] == 1
    assert f["new_customers"]["last_year"] == 1 and f["new_customers"]["trend"] == "▲"
    assert f["new_archive_completeness"]["value"] == 32.5
    assert f["new_archive_completeness"]["previous"] == 50.0
    assert f["new_archive_completeness"]["last_year"] == 15.0
    # snapshot: (50 + 15 + 50 + 15) / 4
    assert f["archive_completeness"]["value"] == 32.5
    assert f["archive_completeness"]["previous"] is None
    assert f["visits"]["value"] == 2 and f["visits"]["previous"] == 1
    # outgoing: two calls by wangfang and one SMS by chenjing; the incoming call does not count
    assert f["calls_made"]["value"] == 2 and f["calls_made"]["previous"] == 1
    assert f["contacts"]["value"] == 3
    assert f["customers_contacted"]["value"] == 2
    assert all(x["doc"].startswith("docs/reports.md#") for x in report["figures"])


def test_per_specialist_rows(dept):
    report = dept.json("report", "kpi", "--period", "2026-11", env=NO_PLUGINS)
    rows = {r["staff"]: r for r in next(s for s in report["sections"] if s["key"] == "specialists")["rows"]}
    assert "li" not in rows and "it" not in rows
    c = rows["chenjing"]
    assert (c["appointments"], c["arrived"], c["no_show"], c["success_rate"]) == (4, 1, 1, 33.3)
    assert (c["new_customers"], c["customers"], c["completeness"]) == (2, 2, 32.5)
    assert c["contacts"] == 1 and c["calls"] == 0
    w = rows["wangfang"]
    assert (w["calls"], w["appointments"], w["success_rate"]) == (2, 1, 100.0)
    assert rows["liuyang"]["completeness"] == 50.0


def test_one_specialist(dept):
    f = figures(dept.json("report", "monthly", "--period", "2026-11", "--staff", "chenjing", env=NO_PLUGINS))
    assert f["appointments"]["value"] == 4
    assert f["appointment_success_rate"]["value"] == 33.3   # 1 / (1 + 1 + 1)
    assert f["appointment_success_rate"]["previous"] == 66.7
    assert f["new_customers"]["value"] == 2
    assert f["archive_completeness"]["value"] == 32.5
    assert f["visits"]["value"] == 2                          # visits of chenjing's customers
    assert f["contacts"]["value"] == 1 and f["calls_made"]["value"] == 0


def test_weekly_and_daily_periods(dept):
    week = dept.json("report", "weekly", env=NO_PLUGINS)
    assert week["period"]["label"] == "2026-W47"
    assert (week["period"]["start"], week["period"]["end"]) == ("2026-11-16", "2026-11-20")
    assert week["previous"]["start"] == "2026-11-09" and week["previous"]["end"] == "2026-11-13"
    assert week["last_year"]["start"] == "2025-11-17"
    f = figures(week)
    assert f["calls_made"]["value"] == 2 and f["visits"]["value"] == 0
    day = figures(dept.json("report", "daily", "--period", "2026-11-19", env=NO_PLUGINS))
    assert day["calls_made"]["value"] == 1 and day["calls_made"]["previous"] == 0
    rng = dept.json("report", "kpi", "--period", "2026-11-01..2026-11-10", env=NO_PLUGINS)
    assert rng["previous"]["start"] == "2026-10-22" and rng["previous"]["end"] == "2026-10-31"
    assert figures(rng)["appointments"]["previous"] == 1     # appointment 10 on Oct 25


def test_details_list_the_records(dept):
    rows = dept.json("report", "monthly", "--period", "2026-11", "--details", "appointment_success_rate",
                     env=NO_PLUGINS)
    assert [r["id"] for r in rows] == [1, 2, 6, 3, 5]
    roles = {r["id"]: r["counts_as"] for r in rows}
    assert roles[3] == "failure (passed, still booked)" and roles[5] == "not counted yet (upcoming)"
    calls = dept.json("report", "monthly", "--period", "2026-11", "--details", "calls_made", env=NO_PLUGINS)
    assert len(calls) == 2
    new = dept.json("report", "monthly", "--period", "2026-11", "--details", "新建档案数", env=NO_PLUGINS)
    assert {r["customer_id"]: r["rate"] for r in new} == {1: 50.0, 2: 15.0}
    text = dept("report", "monthly", "--details", "visits", env=NO_PLUGINS).stdout
    assert "RO1" in text and "docs/reports.md#visits" in text
    bad = dept("report", "monthly", "--details", "nonsense", env=NO_PLUGINS, expect=2)
    assert "no such figure" in bad.stderr


@pytest.mark.parametrize("period", ["2026-13", "2027-01", "bogus", "2026-11-10..2026-11-01"])
def test_bad_periods(dept, period):
    result = dept("report", "kpi", "--period", period, env=NO_PLUGINS, expect=2)
    assert "--period" in result.stderr and "Traceback" not in result.stderr


def test_bad_options(dept):
    assert "no such staff" in dept("report", "kpi", "--staff", "nobody", expect=2).stderr
    assert "--as" in dept("report", "daily", "--me", expect=2).stderr
    assert "choose one" in dept("report", "kpi", "--staff", "li", "--me", expect=2).stderr


def test_csv_and_terminal(dept):
    text = dept("report", "monthly", env=NO_PLUGINS).stdout
    assert "预约成功率" in text and "▼ -16.7 pt" in text
    csv = dept("report", "monthly", "--format", "csv", env=NO_PLUGINS).stdout.splitlines()
    assert csv[0].startswith("section,key,name,value")
    assert any(line.startswith("appointments,appointment_success_rate,") and ",50," in line for line in csv)
    en = dept("report", "monthly", env={**NO_PLUGINS, "CRM_LOCALE": "en_US"}).stdout
    assert "appointment success rate" in en


def test_daily_log_of_my_own_work(dept):
    dept.sql  # data is there
    import sqlite3

    conn = sqlite3.connect(dept.db_path)
    with conn:
        conn.execute("INSERT INTO audit_log (at, actor, role, command, action, entity, record_ids, detail)"
                     " VALUES ('2026-11-20T09:40:00+08:00', 'wangfang', 'callback', 'crm complaints respond',"
                     " 'respond', 'complaint', '[7]', '{\"from\": \"received\", \"to\": \"responded\"}')")
    conn.close()
    report = dept.json("report", "daily", "--me", env={**NO_PLUGINS, "CRM_USER": "wangfang"})
    assert report["staff"] == "wangfang"
    sections = {s["key"]: s for s in report["sections"]}
    work = {r["item"]: r["count"] for r in sections["my_work"]["rows"]}
    assert work["外呼"] == 1
    assert work["  结果: 已接通"] == 1
    assert work["投诉处理"] == 1
    assert [c["outcome"] for c in sections["my_calls"]["rows"]] == ["reached"]
    assert sections["my_actions"]["rows"][0]["detail"] == "received → responded"
