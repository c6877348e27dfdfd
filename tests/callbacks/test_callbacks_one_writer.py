"""The callbacks plugin writes core tables through the archive: its log entry clears the
customer's first_contact_due (as `crm log add` always did), its appointment is the archive's."""

from callbacks_helpers import customer, plan, tasks, vehicle, visit, write_sql


def _task_for_new_customer(staffed):
    cid = customer(staffed)
    write_sql(staffed, "UPDATE customers SET first_contact_due = '2026-11-22' WHERE id = ?", (cid,))
    visit(staffed, vehicle(staffed, cid), "RO1", "2026-11-19")
    plan(staffed, "2026-11-20")
    return cid, tasks(staffed)[0]["id"]


def rec(staffed, tid, *args, at="2026-11-20T10:00:00"):
    return staffed("--as", "wangfang", "callbacks", "record", tid, *args, env={"CRM_NOW": at})


def test_an_unanswered_call_leaves_the_first_contact_due_and_a_reached_one_clears_it(staffed):
    cid, tid = _task_for_new_customer(staffed)
    rec(staffed, tid, "--result", "unreachable")
    assert staffed.sql("SELECT first_contact_due FROM customers WHERE id = ?", (cid,)) == [("2026-11-22",)]
    rec(staffed, tid, "--result", "satisfied", "--score", "9", at="2026-11-20T15:00:00")
    assert staffed.sql("SELECT first_contact_due FROM customers WHERE id = ?", (cid,)) == [(None,)]
    assert staffed.sql("SELECT staff, channel, kind, outcome FROM interactions WHERE customer_id = ? ORDER BY id",
                       (cid,)) == [("wangfang", "phone", "callback", "unreachable"),
                                   ("wangfang", "phone", "callback", "satisfied")]


def test_a_booked_appointment_is_the_archives_and_shows_in_appointment_list(staffed):
    cid, tid = _task_for_new_customer(staffed)
    rec(staffed, tid, "--result", "satisfied", "--score", "10", "--book", "2026-11-25 10:00")
    rows = staffed.json("--as", "wangfang", "appointment", "list", "--day", "2026-11-25")
    assert [(r["customer_id"], r["status"], r["at"]) for r in rows] == [(cid, "booked", "2026-11-25T10:00:00")]
    # booked the way `crm appointment book` books: audited and in the customer's log
    assert staffed.sql("SELECT count(*) FROM audit_log WHERE action = 'book' AND entity = 'appointment'") == [(1,)]
    assert ("appointment", "booked") in staffed.sql("SELECT kind, outcome FROM interactions WHERE customer_id = ?",
                                                    (cid,))
