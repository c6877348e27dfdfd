"""`crm complaints escalate`: overdue → manager, up a level later; a second run changes nothing."""

from complaints_helpers import as_, dept, dept_template, only_complaints, open_ticket, snapshot, step  # noqa: F401


def test_escalation_is_idempotent_and_climbs_the_ladder(dept):
    late = open_ticket(dept, now="2026-11-20T10:00:00")  # respond due 15:30 (4 working hours)
    fine = open_ticket(dept, now="2026-11-20T15:00:00")
    dept("complaints", "escalate", env=as_("li", "2026-11-20T15:00:00"))
    assert dept.sql("SELECT count(*) FROM complaints_events WHERE action = 'escalate'") == [(0,)]

    r = dept("complaints", "escalate", env={"CRM_NOW": "2026-11-20T16:00:00"})  # cron: nobody named
    assert r.stdout == "" and r.stderr == ""  # quiet on success
    assert dept.sql("SELECT id, escalation_level FROM complaints_tickets ORDER BY id") == [(late, 1), (fine, 0)]
    before = snapshot(dept)
    dept("complaints", "escalate", env={"CRM_NOW": "2026-11-20T16:00:00"})
    assert snapshot(dept) == before  # the second run changes nothing at all

    rows = dept.json("complaints", "escalate", "--dry-run", env={"CRM_NOW": "2026-11-23T16:00:00"})
    assert [(r["id"], r["level"]) for r in rows] == [(late, 2), (fine, 1)]
    assert snapshot(dept) == before  # a dry run is a dry run
    rows = dept.json("complaints", "escalate", env={"CRM_NOW": "2026-11-23T16:00:00"})
    assert {r["id"]: r["to"] for r in rows} == {late: ["总经理"], fine: ["li"]}
    before = snapshot(dept)
    dept("complaints", "escalate", env={"CRM_NOW": "2026-11-23T16:00:00"})
    assert snapshot(dept) == before

    shown = dept.json("complaints", "show", str(late), env=as_("li", "2026-11-23T16:00:00"))
    levels = [e["data"]["level"] for e in shown["timeline"] if e["step"] == "escalate"]
    assert levels == [1, 2]
    row = {r["id"]: r for r in dept.json("complaints", "list", env=as_("li", "2026-11-23T16:00:00"))}[late]
    assert "escalated L2" in row["flags"] and row["overdue"].startswith("respond +")
    # answered: no longer overdue; nothing more to escalate
    step(dept, late, "advance", "accept", now="2026-11-23T16:10:00")
    step(dept, fine, "advance", "accept", now="2026-11-23T16:10:00")
    assert dept.json("complaints", "escalate", "--dry-run", env={"CRM_NOW": "2026-11-23T16:20:00"}) == []


def test_escalation_ladder_from_config(dept):
    dept.write_config('[[complaints.escalation]]\nafter_hours = 2\nto = "li"\n')
    open_ticket(dept, now="2026-11-20T10:00:00")
    assert dept.json("complaints", "escalate", "--dry-run", env={"CRM_NOW": "2026-11-20T16:00:00"}) == []
    rows = dept.json("complaints", "escalate", "--dry-run", env={"CRM_NOW": "2026-11-20T18:00:00"})
    assert [(r["level"], r["to"]) for r in rows] == [(1, ["li"])]


def test_agenda_items_show_deadlines_today_and_escalations(dept):
    from crm.context import App
    import datetime as dt
    import os

    open_ticket(dept, now="2026-11-20T10:00:00")
    dept("complaints", "escalate", env={"CRM_NOW": "2026-11-20T16:00:00"})
    app = App(environ=dict(os.environ, CRM_NOW="2026-11-20T16:00:00"))
    items = app.plugins.call_each("agenda_items", app=app, agenda={"day": dt.date(2026, 11, 20), "staff": "li",
                                                                   "now": app.now()})
    flat = [i for group in items for i in group]
    assert flat and flat[0]["priority"] == 0 and flat[0]["ref"] == "complaint:1"
    items = app.plugins.call_each("agenda_items", app=app, agenda={"day": dt.date(2026, 11, 20), "staff": "wangfang",
                                                                   "now": app.now()})
    assert [i for group in items for i in group] == []
