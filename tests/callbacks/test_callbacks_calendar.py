"""The dealer's own holiday calendar (config [calendar]) for years chinesecalendar does not
know yet, and the plan's warning weeks before such a year begins."""

import pytest

from callbacks_helpers import customer, plan, tasks, vehicle, visit

UNKNOWN = "2099"  # a year no chinesecalendar release will know while these tests live


def test_plan_warns_weeks_before_a_year_whose_holidays_nobody_gave(staffed):
    out = staffed("callbacks", "plan", "--as-of", f"{UNKNOWN}-06-01")
    assert f"public holidays of {UNKNOWN} are not known" in out.stderr
    assert "[calendar]" in out.stderr and len(out.stderr.strip().splitlines()) == 1
    quiet = staffed("callbacks", "plan", "--as-of", "2025-06-02")  # chinesecalendar knows 2025
    assert "public holidays" not in quiet.stderr


def test_the_unknown_holidays_warning_is_given_once_a_day(staffed):
    first = staffed("callbacks", "plan", "--as-of", f"{UNKNOWN}-06-01")
    assert "public holidays" in first.stderr
    again = staffed("callbacks", "plan", "--as-of", f"{UNKNOWN}-06-02")  # cron, an hour later
    assert "public holidays" not in again.stderr
    tomorrow = staffed("callbacks", "plan", "--as-of", f"{UNKNOWN}-06-02", env={"CRM_NOW": "2026-11-21T08:00:00"})
    assert "public holidays" in tomorrow.stderr


def test_config_holidays_and_make_up_workdays_set_the_call_days(staffed):
    cid = customer(staffed)
    vin = vehicle(staffed, cid)
    visit(staffed, vin, "RO1", f"{UNKNOWN}-02-05")  # a Thursday
    staffed.write_config(f'[calendar]\nholidays = {{ "春节" = ["{UNKNOWN}-02-06..{UNKNOWN}-02-12"] }}\n'
                         f'workdays = ["{UNKNOWN}-02-14"]\n')
    out = staffed("callbacks", "plan", "--as-of", f"{UNKNOWN}-02-13", "--format", "json",
                  env={"CRM_CONFIG": str(staffed.config_path)})
    assert "not known" not in out.stderr  # the config covers the year
    [task] = tasks(staffed)
    # Fri 6 – Thu 12 off (the config); Fri 13, the make-up Saturday 14 and Mon 16 are the three days
    assert (task["start_on"], task["due_on"]) == (f"{UNKNOWN}-02-13", f"{UNKNOWN}-02-16")


def test_without_the_config_the_same_visit_counts_weekdays(staffed):
    cid = customer(staffed)
    vin = vehicle(staffed, cid)
    visit(staffed, vin, "RO1", f"{UNKNOWN}-02-05")
    plan(staffed, f"{UNKNOWN}-02-06")
    [task] = tasks(staffed)  # Fri 6, Mon 9, Tue 10
    assert (task["start_on"], task["due_on"]) == (f"{UNKNOWN}-02-06", f"{UNKNOWN}-02-10")


@pytest.mark.parametrize("text, where", [
    ('[calendar]\nholidays = ["2027-13-01"]\n', "line 2: calendar.holidays has the entry '2027-13-01': not a date"),
    ('[calendar]\nworkdays = ["2027-02-20..2027-02-01"]\n', "calendar.workdays has the entry '2027-02-20..2027-02-01'"),
    ('[calendar]\nholidays = "2027-01-01"\n', "calendar.holidays must be a list"),
])
def test_a_broken_calendar_is_a_one_line_error_naming_file_and_line(staffed, text, where):
    staffed.write_config(text)
    out = staffed("callbacks", "plan", env={"CRM_CONFIG": str(staffed.config_path)}, expect=2)
    assert where in out.stderr and str(staffed.config_path) in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
