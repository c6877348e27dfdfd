import datetime as dt

from crm.workdays import Calendar, QuietHours

CHINA = Calendar()  # the State Council's dates only (no config)
is_workday, add_workdays = CHINA.is_workday, CHINA.add_workdays
add_working_hours, working_hours_between = CHINA.add_working_hours, CHINA.working_hours_between


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


def test_each_calendar_keeps_its_own_days_and_none_changes_another():
    """The dealer's [calendar] lives in the App's calendar object, not in module state."""
    day = dt.date(2099, 2, 6)  # a Friday of a year chinesecalendar does not know
    dealer = Calendar.from_config({"holidays": {"春节": ["2099-02-06..2099-02-12"]}, "workdays": ["2099-02-14"]})
    assert not dealer.is_workday(day) and dealer.holiday_name(day) == "春节"
    assert dealer.add_workdays(day, 1) == dt.date(2099, 2, 14)  # the make-up Saturday
    assert CHINA.is_workday(day) and CHINA.holiday_name(day) is None  # untouched by the dealer's calendar
    assert Calendar().add_workdays(day, 1) == dt.date(2099, 2, 9)
    assert dealer.known_year(2099) and not CHINA.known_year(2099)
    assert dealer.warning(day, day) is None and "2099" in CHINA.warning(day, day)


def test_the_app_builds_its_calendar_from_the_config(tmp_path):
    from crm.context import App

    config = tmp_path / "c.toml"
    config.write_text('[calendar]\nholidays = ["2099-03-02"]\n', encoding="utf-8")
    app = App(environ={"CRM_CONFIG": str(config), "CRM_DB": str(tmp_path / "x.db"), "CRM_PLUGINS": ""})
    assert not app.calendar.is_workday(dt.date(2099, 3, 2))
    other = App(environ={"CRM_CONFIG": str(tmp_path / "config.toml"), "CRM_DB": str(tmp_path / "x.db"), "CRM_PLUGINS": ""})
    assert other.calendar.is_workday(dt.date(2099, 3, 2))  # reading one config changed nothing for another
