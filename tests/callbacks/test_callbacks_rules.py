"""Each built-in rule, a rule added by another plugin, and the working-day windows."""

from crm import hookimpl

from callbacks_helpers import customer, explain, member, plan, tasks, vehicle, visit, write_sql


def test_service_visit_call_within_three_days_across_a_weekend(staffed):
    cid = customer(staffed)
    vin = vehicle(staffed, cid)
    visit(staffed, vin, "RO1", "2026-11-20")  # a Friday
    assert plan(staffed, "2026-11-20")["created"] == 0  # the call starts the next working day
    assert plan(staffed, "2026-11-23")["created"] == 1
    [task] = tasks(staffed)
    assert (task["start_on"], task["due_on"]) == ("2026-11-23", "2026-11-23")  # Mon 23 is day 3: the last day
    assert task["rules"] == "service_visit" and task["visit_id"] == 1
    assert task["assigned_to"] == "wangfang" and task["avoid_staff"] == "sunwei"
    assert task["last_on"] == "2026-12-05"  # day 15 after the car left


def test_service_visit_window_across_national_day_2025_and_its_make_up_workdays(staffed):
    cid = customer(staffed)
    vin = vehicle(staffed, cid)
    visit(staffed, vin, "RO1", "2025-09-30")
    visit(staffed, vin, "RO2", "2025-09-26", date_in="2025-09-25")  # Friday before the make-up Sunday
    plan(staffed, "2025-09-28")
    first = tasks(staffed)
    assert [(t["start_on"], t["due_on"]) for t in first] == [("2025-09-28", "2025-09-29")]  # Sun 28 is a workday
    staffed("--as", "wangfang", "callbacks", "record", first[0]["id"], "--result", "satisfied", "--score", "10",
            env={"CRM_NOW": "2025-09-28T10:00:00"})
    plan(staffed, "2025-09-30")
    second = tasks(staffed)[1]
    # 1–8 October are off: the call moves earlier, to the day the car left (三天之内回访)
    assert (second["start_on"], second["due_on"]) == ("2025-09-30", "2025-09-30")


def test_service_visit_types_are_configurable(staffed):
    staffed.write_config('[callbacks.rules.service_visit]\nvisit_types = ["repair"]\n')
    cid = customer(staffed)
    vin = vehicle(staffed, cid)
    visit(staffed, vin, "RO1", "2026-11-19", vtype="maintenance")
    visit(staffed, vin, "RO2", "2026-11-19", vtype="repair")
    plan(staffed, "2026-11-20")
    [task] = tasks(staffed)
    assert task["visit_id"] == 2


def test_delivery_calls_on_day_1_7_30(staffed):
    cid = customer(staffed)
    vehicle(staffed, cid, delivered="2026-11-02")  # a Monday
    days = {}
    for as_of in ("2026-11-03", "2026-11-09", "2026-12-02"):
        plan(staffed, as_of)
        days[as_of] = [t for t in tasks(staffed) if t["start_on"] == as_of]
        for t in days[as_of]:
            staffed("--as", "wangfang", "callbacks", "record", t["id"], "--result", "satisfied",
                    env={"CRM_NOW": as_of + "T10:00:00"})
    assert all(len(v) == 1 for v in days.values()), days
    assert [t["reasons"][0]["key"] for t in tasks(staffed)] == ["delivery:1:d1", "delivery:1:d7", "delivery:1:d30"]


def test_first_maintenance_reminder_unless_done(staffed):
    a, b = customer(staffed), customer(staffed, "李四", "13912345678")
    vehicle(staffed, a, 10, delivered="2026-06-01")
    vin_b = vehicle(staffed, b, 11, delivered="2026-06-01")
    visit(staffed, vin_b, "RO1", "2026-10-01")
    notes = explain(staffed, "2026-11-17")  # 1 Dec due − 14 days
    mine = {n["customer_id"]: n for n in notes if n["rule"] == "first_maintenance"}
    assert mine[a]["decision"] == "created"
    assert mine[b]["decision"] == "skipped" and "already done" in mine[b]["why"]


def test_card_insurance_inspection_reminders(staffed):
    a = customer(staffed)
    member(staffed, a, expires="2026-12-20")  # 30 days before: 20 Nov
    vehicle(staffed, a, 10, insurance_expires="2026-12-20", inspection_due="2026-12-20")
    plan(staffed, "2026-11-20")
    [task] = tasks(staffed)  # three reasons, one call
    assert set(task["rules"].split(",")) == {"card_expiry", "insurance", "inspection"}
    assert len(task["reasons"]) == 3


def test_birthday_on_a_sunday_is_called_on_the_friday_before(staffed):
    cid = customer(staffed, birthday="1980-11-22")  # 22 Nov 2026 is a Sunday
    plan(staffed, "2026-11-20")
    [task] = tasks(staffed)
    assert task["rules"] == "birthday" and task["start_on"] == task["due_on"] == "2026-11-20"
    assert task["customer_id"] == cid


def test_purchase_anniversary(staffed):
    cid = customer(staffed)
    vehicle(staffed, cid, delivered="2024-11-20")
    plan(staffed, "2026-11-20")
    # (the regular maintenance reminder of the 4th interval is planned too: issue 17)
    [task] = [t for t in tasks(staffed) if "anniversary" in t["rules"]]
    assert task["rules"] == "anniversary" and "2周年" in task["reasons"][0]["reason"]


def test_holiday_care_calls_go_to_members_before_national_day(staffed):
    a, b = customer(staffed), customer(staffed, "李四", "13912345678")
    member(staffed, a)
    plan(staffed, "2026-09-29")  # the two working days before 1 October 2026 are 29 and 30 September
    assert [(t["customer_id"], t["start_on"], t["due_on"]) for t in tasks(staffed)] == [(a, "2026-09-29", "2026-09-30")]
    assert b not in [t["customer_id"] for t in tasks(staffed)]


def test_disabled_rule_makes_nothing(staffed):
    staffed.write_config("[callbacks.rules.birthday]\nenabled = false\n")
    customer(staffed, birthday="1980-11-20")
    assert plan(staffed, "2026-11-20")["created"] == 0


class RecallRule:
    """Another plugin adds a rule through the hook, without importing callbacks."""

    __name__ = "recall_rule"

    @hookimpl(optionalhook=True)
    def register_callback_rules(self, register, settings):
        import datetime as dt

        def find(ctx, lo, hi):
            for (cid,) in ctx.conn.execute("SELECT id FROM customers WHERE city = 'recall'"):
                yield {"customer_id": cid, "on": dt.date(2026, 11, 20), "key": f"recall:{cid}",
                       "reason": "召回完成回访"}

        register("recall_done", find, title="召回完成回访", window_days=2)


def test_a_plugin_adds_a_rule(staffed):
    staffed.plugins = [RecallRule()]
    cid = customer(staffed, city="recall")
    plan(staffed, "2026-11-20")
    [task] = tasks(staffed)
    assert task["customer_id"] == cid and task["rules"] == "recall_done" and task["due_on"] == "2026-11-23"
    rules = {r["name"]: r for r in staffed.json("callbacks", "rules")}
    assert rules["recall_done"]["source"] == "plugin"
