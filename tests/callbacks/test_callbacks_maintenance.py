"""Issue 17: maintenance reminders at every interval of the model's schedule (months or km,
whichever first; configurable per model), not only the first maintenance (首保)."""

from callbacks_helpers import customer, explain, vehicle, visit


def _made(notes, rule="maintenance"):
    return [n for n in notes if n["rule"] == rule and n["decision"] == "created"]


def test_every_interval_after_the_last_maintenance_by_months(staffed):
    cid = customer(staffed)
    vin = vehicle(staffed, cid, 10, delivered="2025-05-01")
    visit(staffed, vin, "RO1", "2025-11-03")  # first maintenance done (no mileage known)
    visit(staffed, vin, "RO2", "2026-05-04")  # second
    # next: 2026-05-04 + 6 months = 2026-11-04, reminded 14 days before (a working day)
    assert _made(explain(staffed, "2026-10-21"))
    tasks = staffed.sql("SELECT reasons FROM callback_tasks")
    assert len(tasks) == 1 and "应于2026-11-04前保养 (每6个月/10000公里)" in tasks[0][0]


def test_the_next_interval_too_when_the_customer_did_not_come(staffed):
    cid = customer(staffed)
    vin = vehicle(staffed, cid, 10, delivered="2025-05-01")
    visit(staffed, vin, "RO2", "2026-05-04")
    assert _made(explain(staffed, "2027-04-20"))  # 2nd interval after the last visit: 2027-05-04
    assert "应于2027-05-04前保养" in staffed.sql("SELECT reasons FROM callback_tasks")[0][0]


def test_interval_dues_are_pure():
    import datetime as dt

    from crm_callbacks.rules import maintenance_dues

    d = dt.date
    # months only
    assert list(maintenance_dues(d(2025, 5, 1), d(2026, 5, 4), None, 6, None, 1, d(2027, 12, 31))) == [
        (1, d(2026, 11, 4)), (2, d(2027, 5, 4)), (3, d(2027, 11, 4))]
    # 50 km a day since delivery (3,000 km in 60 days): 10,000 km every 200 days, before 12 months
    assert list(maintenance_dues(d(2026, 1, 1), d(2026, 1, 1), (d(2026, 3, 2), 3000), 12, 10000, 2, d(2027, 12, 31))) == [
        (2, d(2026, 1, 1) + dt.timedelta(days=400)), (3, d(2026, 1, 1) + dt.timedelta(days=600))]


def test_mileage_brings_the_reminder_forward(staffed):
    staffed.write_config("[callbacks.rules.maintenance]\nevery_months = 12\nevery_km = 10000\n")
    cid = customer(staffed)
    vin = vehicle(staffed, cid, 10, delivered="2026-01-05")
    # 100 km a day: 10,000 km since the maintenance on 2026-07-06 by mid-October, long before 12 months
    visit(staffed, vin, "RO1", "2026-07-06")
    staffed.execute("UPDATE visits SET mileage = 18000 WHERE ro_number = 'RO1'")
    # ≈ 99 km a day → due 2026-10-15; 14 days before is National Day: the first working day after
    [made] = _made(explain(staffed, "2026-10-09"))
    assert "应于2026-10-15前保养 (每12个月/10000公里)" in staffed.sql("SELECT reasons FROM callback_tasks")[0][0]


def test_per_model_schedule(staffed):
    staffed.write_config('[callbacks.rules.maintenance]\nevery_km = 0\nmodels = {"530Li" = {every_months = 3}}\n')
    cid = customer(staffed)
    vin = vehicle(staffed, cid, 10, delivered="2025-01-06")  # the helper's model is 530Li
    visit(staffed, vin, "RO1", "2026-08-03")
    assert _made(explain(staffed, "2026-10-20"))  # 2026-11-03 − 14 days: the 3-month schedule
    other = customer(staffed, "李四", "13912345678")
    vin2 = vehicle(staffed, other, 11, delivered="2025-01-06")
    staffed.execute("UPDATE vehicles SET model = 'X1' WHERE vin = ?", (vin2,))
    visit(staffed, vin2, "RO2", "2026-08-03")
    notes = explain(staffed, "2026-10-21")
    assert not [n for n in _made(notes) if n["customer_id"] == other]  # X1: the default 6 months


def test_a_customer_who_never_comes_stops_being_reminded(staffed):
    cid = customer(staffed)
    vehicle(staffed, cid, 10, delivered="2020-01-06")
    assert not _made(explain(staffed, "2026-10-21", "--full"))
