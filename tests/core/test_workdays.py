import datetime as dt

from crm.workdays import QuietHours, add_working_hours, add_workdays, is_workday, working_hours_between


def test_national_day_2025_and_makeup_workday():
    assert not is_workday(dt.date(2025, 10, 1))
    assert not is_workday(dt.date(2025, 10, 8))
    assert is_workday(dt.date(2025, 9, 28))  # Sunday, a make-up workday
    assert is_workday(dt.date(2025, 10, 11))  # Saturday, a make-up workday
    assert add_workdays(dt.date(2025, 9, 30), 1) == dt.date(2025, 10, 9)


def test_weekend_skipped():
    friday = dt.date(2026, 11, 20)
    assert add_workdays(friday, 1) == dt.date(2026, 11, 23)
    assert add_workdays(friday, 3) == dt.date(2026, 11, 25)


def test_working_hours_across_weekend():
    start = dt.datetime(2026, 11, 20, 17, 0)  # Friday 17:00
    due = add_working_hours(start, 2)
    assert due == dt.datetime(2026, 11, 23, 10, 0)
    assert working_hours_between(start, due) == 2


def test_quiet_hours():
    q = QuietHours("09:00", "20:00", ["12:00-14:00"])
    assert not q.allows(dt.time(8, 59)) and q.allows(dt.time(9, 0))
    assert not q.allows(dt.time(12, 30)) and q.allows(dt.time(14, 0)) and not q.allows(dt.time(20, 0))
    assert q.next_allowed(dt.datetime(2026, 1, 5, 12, 10)) == dt.datetime(2026, 1, 5, 14, 0)
    assert q.next_allowed(dt.datetime(2026, 1, 5, 21, 0)) == dt.datetime(2026, 1, 6, 9, 0)
    assert q.windows() == [(dt.time(9), dt.time(12)), (dt.time(14), dt.time(20))]
