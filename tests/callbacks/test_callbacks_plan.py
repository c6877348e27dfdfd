"""The planner: idempotent and incremental, merging, consent, capacity, advisors, expiry, explain."""

from callbacks_helpers import customer, explain, member, plan, tasks, vehicle, visit, write_sql


def test_second_run_creates_nothing_and_later_runs_see_only_new_visits(staffed):
    cid = customer(staffed)
    vin = vehicle(staffed, cid)
    visit(staffed, vin, "RO1", "2026-11-19")
    assert plan(staffed, "2026-11-20")["created"] == 1
    again = plan(staffed, "2026-11-20")
    assert again["created"] == 0 and again["merged"] == 0
    # a visit closed late (left on the 17th, entered today) is still called: new since the watermark
    other = customer(staffed, "李四", "13912345678")
    vin2 = vehicle(staffed, other, 11)
    visit(staffed, vin2, "RO2", "2026-11-17", date_in="2026-11-16")
    stats = plan(staffed, "2026-11-20", env={"CRM_NOW": "2026-11-20T11:00:00"})
    assert stats["created"] == 1
    assert plan(staffed, "2026-11-20", env={"CRM_NOW": "2026-11-20T12:00:00"})["considered"] == 0
    assert len(tasks(staffed)) == 2


def test_same_customer_same_day_tasks_merge_into_one_call(staffed):
    cid = customer(staffed, birthday="1990-11-20")
    vin = vehicle(staffed, cid, delivered="2025-11-20")
    visit(staffed, vin, "RO1", "2026-11-19")
    notes = explain(staffed, "2026-11-20")
    [task] = tasks(staffed)
    assert set(task["rules"].split(",")) == {"service_visit", "birthday", "anniversary"}
    assert task["start_on"] == task["due_on"] == "2026-11-20"  # the windows' intersection
    decisions = sorted(n["decision"] for n in notes if n["customer_id"] == cid)
    assert decisions == ["created", "merged", "merged"]
    # a reason found on a later day joins the open task instead of a second call
    write_sql(staffed, "UPDATE vehicles SET insurance_expires = '2026-12-21'")
    plan(staffed, "2026-11-21", "--full")
    assert len(tasks(staffed)) == 1 or tasks(staffed)[0]["status"] != "open"


def test_do_not_contact_and_no_phone_consent_are_respected(staffed):
    a = customer(staffed, birthday="1990-11-20", do_not_contact=1)
    b = customer(staffed, "李四", "13912345678", birthday="1990-11-20")
    write_sql(staffed, "UPDATE customer_consents SET granted = 0 WHERE customer_id = ? AND channel = 'phone'", (b,))
    c = customer(staffed, "王五", "13712345678", birthday="1990-11-20")
    notes = {n["customer_id"]: n for n in explain(staffed, "2026-11-20")}
    assert "do not contact" in notes[a]["why"] and notes[a]["decision"] == "skipped"
    assert "consent" in notes[b]["why"]
    assert notes[c]["decision"] == "created"
    assert [t["customer_id"] for t in tasks(staffed)] == [c]


def test_work_is_spread_within_capacity_and_never_to_the_visits_advisor(staffed):
    staffed("--as", "li", "staff", "add", "lina", "--name", "李娜", "--role", "callback", "--capacity", "2")
    staffed("--as", "li", "staff", "edit", "wangfang", "--capacity", "2")
    vins = []
    for i in range(6):
        cid = customer(staffed, f"客户{i}", f"1381234560{i}")
        vins.append(vehicle(staffed, cid, 10 + i))
    for i, vin in enumerate(vins):
        # wangfang was the advisor of the first visit: she must not call that customer
        visit(staffed, vin, f"RO{i}", "2026-11-18", advisor="wangfang" if i == 0 else "sunwei")
    plan(staffed, "2026-11-19")  # out Wednesday: Thursday and Friday (Saturday 21 is off: due Friday)
    rows = tasks(staffed)
    assert rows[0]["assigned_to"] == "lina"
    per_day = {}
    for t in rows:
        per_day[(t["assigned_to"], t["scheduled_on"])] = per_day.get((t["assigned_to"], t["scheduled_on"]), 0) + 1
        assert t["start_on"] <= t["scheduled_on"] <= t["due_on"]
    assert max(per_day.values()) <= 2
    assert {d for _, d in per_day} == {"2026-11-19", "2026-11-20"}


def test_over_capacity_is_explained(staffed):
    staffed("--as", "li", "staff", "edit", "wangfang", "--capacity", "1")
    for i in range(4):
        customer(staffed, f"客户{i}", f"1381234560{i}", birthday="1990-11-20")
    notes = explain(staffed, "2026-11-20")
    assert sum("capacity" in n["why"] for n in notes) == 3


def test_tasks_expire_as_missed_after_their_last_day(staffed):
    cid = customer(staffed)
    vin = vehicle(staffed, cid)
    visit(staffed, vin, "RO1", "2026-11-19")
    plan(staffed, "2026-11-20")
    assert plan(staffed, "2026-12-04")["expired"] == 0  # last day is 4 December (day 15)
    assert plan(staffed, "2026-12-05")["expired"] == 1
    assert tasks(staffed)[0]["status"] == "missed"


def test_explain_tells_why_nothing_was_made(staffed):
    cid = customer(staffed)
    vin = vehicle(staffed, cid)
    visit(staffed, vin, "RO1", "2026-11-04", date_in="2026-11-03")
    notes = explain(staffed, "2026-11-20")
    assert notes[0]["decision"] == "skipped" and "window passed" in notes[0]["why"]
    table = staffed("callbacks", "plan", "--as-of", "2026-11-21", "--explain").stdout
    assert "quiet hours" in table and "nothing new" in table


def test_dry_run_changes_nothing(staffed):
    customer(staffed, birthday="1990-11-20")
    assert plan(staffed, "2026-11-20", "--dry-run")["created"] == 1
    assert tasks(staffed) == []
    assert plan(staffed, "2026-11-20")["created"] == 1


def test_members_are_remembered_on_the_task(staffed):
    cid = customer(staffed, birthday="1990-11-20")
    member(staffed, cid)
    plan(staffed, "2026-11-20")
    assert tasks(staffed)[0]["member"] == 1


def test_bad_as_of_is_exit_2(staffed):
    r = staffed("callbacks", "plan", "--as-of", "2026-13-01", expect=2)
    assert "not a date" in r.stderr


def test_a_visit_closed_late_is_planned_from_its_close_event(staffed):
    cid = customer(staffed)
    vin = vehicle(staffed, cid)
    staffed("visit", "add", "--ro", "RO1", "--vin", vin, "--in", "2026-11-16", "--advisor", "sunwei")  # still open
    assert plan(staffed, "2026-11-20")["created"] == 0
    staffed("visit", "close", "RO1", "--out", "2026-11-17")  # entered after the plan ran
    assert plan(staffed, "2026-11-20", env={"CRM_NOW": "2026-11-20T15:00:00"})["created"] == 1
    assert staffed.sql("SELECT count(*) FROM callback_visit_events") == [(0,)]
    assert plan(staffed, "2026-11-20", env={"CRM_NOW": "2026-11-20T16:00:00"})["considered"] == 0
