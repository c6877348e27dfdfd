"""complaints_timings: each ticket's timing facts, kept for the dealer group's warehouse (facts.py):
written with every event, filled in and brought up to date by the cron (``escalate``)."""

from complaints_helpers import as_, dept, dept_template, only_complaints, open_ticket, step  # noqa: F401

COLS = ("responded_at, respond_due, respond_hours, respond_on_time, resolved_at, resolve_due, resolve_hours,"
        " resolve_on_time")


def facts(crm, tid):
    return crm.sql(f"SELECT {COLS} FROM complaints_timings WHERE ticket_id = ?", (tid,))


def test_every_event_writes_the_tickets_facts(dept):
    tid = open_ticket(dept, now="2026-11-20T10:00:00")
    # received Friday 10:00: 4 working hours to answer (lunch 12:00-13:30 does not count)
    [(responded, respond_due, hours, on_time, resolved, resolve_due, _h, _ok)] = facts(dept, tid)
    assert (responded, respond_due, hours, on_time, resolved) == (None, "2026-11-20T15:30:00", None, None, None)
    assert resolve_due > "2026-11-26"
    step(dept, tid, "advance", "accept", now="2026-11-20T16:00:00")  # half an hour late
    assert facts(dept, tid)[0][:4] == ("2026-11-20T16:00:00", "2026-11-20T15:30:00", 4.5, 0)
    other = open_ticket(dept, now="2026-11-20T10:00:00")
    step(dept, other, "close", "--invalid", "--reason", "非质量问题", "--reply", "已解释", now="2026-11-20T11:00:00")
    assert facts(dept, other)[0] == ("2026-11-20T11:00:00", "2026-11-20T15:30:00", 1.0, 1,
                                     "2026-11-20T11:00:00", resolve_due, 1.0, 1)


def test_the_cron_fills_in_older_tickets_and_follows_the_settings(dept):
    tid = open_ticket(dept, now="2026-11-20T10:00:00")
    dept.sql("DELETE FROM complaints_timings")  # a ticket from before the table existed
    dept("complaints", "escalate", env={"CRM_NOW": "2026-11-20T11:00:00"})
    assert facts(dept, tid)[0][1] == "2026-11-20T15:30:00"
    written = dept.sql("SELECT updated_at FROM complaints_timings")
    dept("complaints", "escalate", env={"CRM_NOW": "2026-11-20T12:00:00"})
    assert dept.sql("SELECT updated_at FROM complaints_timings") == written  # unchanged: not written again
    [(digest,)] = dept.sql("SELECT computed_with FROM complaints_timings")
    dept.write_config("[complaints]\nrespond_hours = {normal = 2}\n")
    dept("complaints", "escalate", env={"CRM_NOW": "2026-11-20T12:30:00"})
    assert facts(dept, tid)[0][1] == "2026-11-20T12:00:00"  # 10:00 + 2 working hours
    assert dept.sql("SELECT computed_with FROM complaints_timings") != [(digest,)]
