"""The queue: order, masking, --me, quiet hours."""

import json

from callbacks_helpers import customer, member, plan, vehicle, visit, write_sql


def _setup(staffed):
    ids = {}
    for i, (name, out) in enumerate([("甲", "2026-11-19"), ("乙", "2026-11-19"), ("丙", "2026-11-16")]):
        cid = customer(staffed, name, f"1381234567{i}")
        vin = vehicle(staffed, cid, 10 + i)
        visit(staffed, vin, f"RO{i}", out)
        ids[name] = cid
    member(staffed, ids["乙"])
    plan(staffed, "2026-11-20")
    return ids


def test_overdue_first_then_members_then_due_date(staffed):
    _setup(staffed)
    rows = staffed.json("--as", "wangfang", "callbacks", "due", "--me")
    assert [r["customer"] for r in rows] == ["丙", "乙", "甲"]
    assert rows[0]["overdue"] is False or rows[0]["due_on"] == "2026-11-19"
    assert rows[1]["member"] is True
    assert rows[0]["phone"] == "13812345672"  # a callback specialist sees the number
    assert rows[0]["visit"].startswith("RO2") and rows[0]["car"].startswith("京A")


def test_number_is_masked_for_roles_that_may_not_see_it(staffed):
    _setup(staffed)
    rows = staffed.json("--as", "sunwei", "callbacks", "due")
    assert all("****" in r["phone"] for r in rows)


def test_quiet_hours_offer_nothing_and_say_when_calls_may_start(staffed):
    _setup(staffed)
    r = staffed("--as", "wangfang", "callbacks", "due", "--format", "json", env={"CRM_NOW": "2026-11-20T12:30:00"})
    assert json.loads(r.stdout) == []
    assert "14:00" in r.stderr
    r = staffed("--as", "wangfang", "callbacks", "due", env={"CRM_NOW": "2026-11-20T20:30:00"})
    assert "2026-11-21 09:00" in r.stderr
    staffed.write_config('[quiet_hours]\nnot_before = "10:30"\n')
    r = staffed("--as", "wangfang", "callbacks", "due", env={"CRM_NOW": "2026-11-20T10:00:00"})
    assert "10:30" in r.stderr
    assert len(staffed.json("callbacks", "due", env={"CRM_NOW": "2026-11-20T10:45:00"})) == 3


def test_date_option_and_me_needs_a_person(staffed):
    _setup(staffed)
    assert staffed.json("callbacks", "due", "--date", "2026-11-19") == []
    staffed("callbacks", "due", "--me", expect=2)


def test_agenda_and_customer_sections(staffed):
    from crm.context import App

    ids = _setup(staffed)
    r = staffed("customer", "show", ids["甲"])
    assert "待回访" in r.stdout and "保养回访" in r.stdout
    import datetime as dt

    from crm_callbacks.reports import agenda_for

    app = App(environ={"CRM_DB": str(staffed.db_path), "CRM_CONFIG": str(staffed.config_path)})
    items = agenda_for(app, {"day": dt.date(2026, 11, 20), "staff": "wangfang", "now": None})
    assert [i["priority"] for i in items] == [2, 1, 2] or len(items) == 3
    assert all(i["kind"] == "callback" and i["ref"].startswith("callback:") for i in items)
