"""The whole six-step loop through the CLI, and every illegal transition refused (exit 2)."""

import json

import pytest

from complaints_helpers import Recorder, as_, at_state, dept, dept_template, only_complaints, states_template, open_ticket, run_to_summarized, snapshot, step  # noqa: F401


def test_the_whole_loop_end_to_end(dept):
    crm = dept
    tid = open_ticket(crm, "--at", "2026-11-20 09:40", now="2026-11-20T10:00:00")
    run_to_summarized(crm, tid)
    step(crm, tid, "advance", "confirm", "--via", "signature", now="2026-11-20T15:30:00")
    out = step(crm, tid, "close", now="2026-11-20T16:00:00").stdout
    assert "close → closed" in out and "回访安排 2026-11-25" in out
    step(crm, tid, "follow-up", "--result", "satisfied", "-m", "顾客满意", now="2026-11-25T10:00:00")

    shown = crm.json("complaints", "show", str(tid), env=as_("zhaomin", "2026-11-25T11:00:00"))
    steps = [e["step"] for e in shown["timeline"]]
    assert steps == ["open", "accept", "investigate", "propose", "approve", "implement", "summarize", "confirm",
                     "close", "follow_up"]
    assert [e["actor"] for e in shown["timeline"]][4] == "li"
    assert shown["timeline"][0]["at"] == "2026-11-20 09:40"  # received when the customer called
    t = shown["timings"]
    assert t["respond_on_time"] is True and t["resolve_on_time"] is True
    assert t["respond_hours"] == 0.83
    assert shown["ticket"]["responsible_dept"] == "workshop (售后车间)"
    # the table form is the full timeline with every detail, and --explain tells why
    text = crm("complaints", "show", str(tid), "--explain", env=as_("zhaomin", "2026-11-25T11:00:00")).stdout
    assert "螺丝未紧固" in text and "顾客确认: 张三 / 签字" in text and "received + 37.5 working hours" in text
    # the interaction log holds the confirmation and the follow-up call
    kinds = [r[0] for r in crm.sql("SELECT kind FROM interactions WHERE ref = ? ORDER BY id", (f"complaint:{tid}",))]
    assert kinds == ["complaint", "complaint_confirmation", "complaint_followup"]
    assert crm.json("complaints", "list", env=as_("zhaomin")) == []
    assert [r["id"] for r in crm.json("complaints", "list", "--all", env=as_("zhaomin"))] == [tid]


def test_invalid_complaint_is_closed_with_reason_and_reply(dept):
    tid = open_ticket(dept)
    step(dept, tid, "close", "--invalid", "--reason", "超出保修范围", expect=2)
    step(dept, tid, "close", "--invalid", "--reason", "超出保修范围", "--reply", "已向顾客耐心解释保修条款")
    shown = dept.json("complaints", "show", str(tid), env=as_("zhaomin"))
    assert shown["ticket"]["state"].startswith("invalid")
    last = shown["timeline"][-1]
    assert last["data"] == {"reason": "超出保修范围", "reply": "已向顾客耐心解释保修条款"}
    # the customer insists: reopen, then investigate again
    step(dept, tid, "reopen", "--reason", "顾客不认可")
    step(dept, tid, "advance", "investigate", "--dept", "service")


def test_unhappy_at_follow_up_reopens_and_needs_a_new_confirmation(dept):
    tid = open_ticket(dept)
    run_to_summarized(dept, tid)
    step(dept, tid, "advance", "confirm", "--via", "phone", now="2026-11-20T15:30:00")
    step(dept, tid, "close", now="2026-11-20T16:00:00")
    out = step(dept, tid, "follow-up", "--result", "unsatisfied", now="2026-11-25T10:00:00").stdout
    assert "reopen → reopened" in out
    step(dept, tid, "advance", now="2026-11-25T10:10:00")  # natural next step: investigate (dept kept)
    step(dept, tid, "advance", "propose", "--solution", "更换部件", now="2026-11-25T10:20:00")
    step(dept, tid, "approve", user="li", now="2026-11-25T10:30:00")
    step(dept, tid, "advance", "implement", "--actions", "已更换", now="2026-11-25T11:00:00")
    step(dept, tid, "advance", "summarize", "--root-cause", "配件缺陷", "--lessons", "入库检验", "--category",
         "product_quality", now="2026-11-25T11:10:00")
    r = step(dept, tid, "close", now="2026-11-25T11:20:00", expect=2)
    assert "without the customer's confirmation" in r.stderr
    step(dept, tid, "advance", "confirm", "--via", "phone", now="2026-11-25T11:30:00")
    step(dept, tid, "close", now="2026-11-25T11:40:00")
    row = dept.json("complaints", "list", "--all", env=as_("zhaomin"))[0]
    assert row["category"] == "product_quality" and row["state"] == "closed"


ILLEGAL = [
    ("registered", ("advance", "investigate", "--dept", "workshop"), "zhaomin", "cannot investigate"),
    ("registered", ("approve",), "li", "cannot approve"),
    ("registered", ("close",), "zhaomin", "cannot close"),
    ("accepted", ("advance", "propose", "--solution", "s"), "zhaomin", "cannot propose"),
    ("investigating", ("advance", "implement", "--actions", "a"), "zhaomin", "before a manager approves"),
    ("investigating", ("advance", "summarize", "--root-cause", "r", "--lessons", "l"), "zhaomin", "cannot summarize"),
    ("proposed", ("approve",), "zhaomin", "only manager may approve a solution"),
    ("proposed", ("approve",), "sunwei", "only manager may approve"),
    ("proposed", ("decline", "-m", "no"), "zhaomin", "only manager may send a solution back"),
    ("proposed", ("advance", "implement", "--actions", "a"), "zhaomin", "before a manager approves"),
    ("approved", ("close",), "zhaomin", "cannot close"),
    ("implemented", ("close",), "zhaomin", "cannot close"),
    ("summarized", ("close",), "zhaomin", "without the customer's confirmation"),
    ("registered", ("follow-up", "--result", "satisfied"), "zhaomin", "cannot follow_up"),
    ("investigating", ("reopen", "--reason", "x"), "zhaomin", "only a closed ticket can be reopened"),
    ("registered", ("advance", "accept"), "it", "may accept a complaint"),
    ("registered", ("pause", "--reason", "parts"), "zhaomin", "cannot pause"),
    ("investigating", ("resume",), "zhaomin", "is not paused"),
    ("registered", ("close", "--invalid", "--reason", "r"), "zhaomin", "needs --reply"),
    ("investigating", ("advance", "propose"), "zhaomin", "needs --solution"),
    ("approved", ("advance", "confirm", "--via", "phone"), "zhaomin", "cannot confirm"),
    ("implemented", ("advance", "confirm", "--via", "fax"), "zhaomin", "unknown confirmation channel"),
]


@pytest.mark.parametrize("state,args,user,message", ILLEGAL, ids=[f"{s}-{a[0]}-{a[1] if len(a) > 1 else ''}-{u}" for s, a, u, _ in ILLEGAL])
def test_illegal_transitions_are_refused_and_change_nothing(crm, at_state, state, args, user, message):
    dept = crm
    tid = at_state(state)
    before = snapshot(dept)
    result = step(dept, tid, *args, user=user, expect=2)
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert snapshot(dept) == before


def test_paused_ticket_must_be_resumed_first(crm, at_state):
    dept = crm
    tid = at_state("investigating")
    step(dept, tid, "pause", "--reason", "customer")
    r = step(dept, tid, "advance", "propose", "--solution", "x", expect=2)
    assert "is paused (waiting on customer): resume it first" in r.stderr
    step(dept, tid, "pause", "--reason", "parts", expect=2)
    step(dept, tid, "resume")
    step(dept, tid, "advance", "propose", "--solution", "x")


def test_backdating_is_checked(dept):
    tid = open_ticket(dept, now="2026-11-20T10:00:00")
    r = step(dept, tid, "advance", "accept", "--at", "2026-11-20 09:00", now="2026-11-20T11:00:00", expect=2)
    assert "before the ticket's last event" in r.stderr
    r = step(dept, tid, "advance", "accept", "--at", "2026-11-21 09:00", now="2026-11-20T11:00:00", expect=2)
    assert "in the future" in r.stderr


def test_unknown_id_and_bad_values(dept):
    assert "no complaint with id 99" in step(dept, 99, "show", expect=2).stderr
    r = dept("complaints", "open", "--customer", "1", "--channel", "fax", "--category", "pricing", "--description", "x",
             env=as_("zhaomin"), expect=2)
    assert "unknown channel 'fax'" in r.stderr
    r = dept("complaints", "open", "--channel", "phone", "--category", "pricing", "--description", "x",
             env=as_("zhaomin"), expect=2)
    assert "who is complaining" in r.stderr
    assert dept.sql("SELECT count(*) FROM complaints_tickets") == [(0,)]


def test_open_by_phone_creates_the_complainant_and_labels_work(dept):
    r = dept.json("complaints", "open", "--phone", "13900001111", "--name", "李四", "--channel", "到店",
                  "--category", "服务态度", "--severity", "紧急", "--description", "接待态度差", env=as_("zhaomin"))
    row = dept.json("complaints", "list", env=as_("zhaomin"))[0]
    assert (row["channel"], row["category"], row["severity"]) == ("walk_in", "service_attitude", "urgent")
    assert dept.sql("SELECT name FROM customers WHERE id = ?", (r["customer_id"],)) == [("李四",)]


def test_repeat_complaints_are_flagged(dept):
    first = open_ticket(dept, now="2026-09-01T10:00:00")
    second = open_ticket(dept, "--vin", "WBA8E3105JA123456", customer="1", now="2026-11-20T10:00:00")
    rows = {r["id"]: r for r in dept.json("complaints", "list", env=as_("zhaomin"))}
    assert rows[second]["flags"].startswith(f"repeat of #{first}")
    assert rows[first]["flags"] is None
    dept.write_config("[complaints]\nrepeat_window_days = 30\n")
    third = open_ticket(dept, now="2026-11-21T10:00:00")
    assert dept.sql("SELECT repeat_of FROM complaints_tickets WHERE id = ?", (third,)) == [(second,)]


def test_close_schedules_the_follow_up_through_the_callbacks_hook(dept):
    dept.plugins = [Recorder()]
    tid = open_ticket(dept)
    run_to_summarized(dept, tid)
    step(dept, tid, "advance", "confirm", "--via", "phone", now="2026-11-20T15:30:00")
    step(dept, tid, "close", now="2026-11-20T16:00:00")
    assert dept.sql("SELECT customer_id, due_on, ref, rule FROM test_callbacks") == [
        (1, "2026-11-25", f"complaint:{tid}", "complaint_followup")]
    close = dept.json("complaints", "show", str(tid), env=as_("zhaomin"))["timeline"][-1]
    assert close["data"]["followup"] == {"due_on": "2026-11-25", "task": 1}


def test_dissatisfied_callback_opens_a_complaint_through_the_hook(dept):
    from crm.api import Ref
    from crm.context import App
    import os

    app = App(environ=dict(os.environ, CRM_USER="wangfang"))
    request = {"customer_id": 1, "vehicle_id": None, "channel": "phone", "source": "callback", "source_ref": "task-7",
               "category": "waiting time", "severity": None, "description": "等待时间太长"}
    with app.transaction() as tx:
        first = tx.ask("open_complaint", request=request)
        again = tx.ask("open_complaint", request=request)
    assert first == again == 1
    row = dept.json("complaints", "list", env=as_("zhaomin"))[0]
    assert (row["channel"], row["category"], row["severity"], row["plate"]) == ("phone", "waiting_time", "normal", "京A12345")
    # the follow-up call we scheduled comes back dissatisfied: our ticket reopens, no new one
    step(dept, 1, "advance", "invalid", "--reason", "正常等待", "--reply", "已解释")
    with app.transaction() as tx:
        assert tx.ask("open_complaint", request={"customer_id": 1, "source": "callback", "about": Ref("complaint", 1),
                                                 "description": "仍不满意"}) == 1
    assert dept.json("complaints", "list", env=as_("zhaomin"))[0]["state"] == "reopened"


def test_assign_note_and_list_filters(dept):
    a = open_ticket(dept, severity="critical")
    b = open_ticket(dept, category="pricing", channel="hotline_400")
    step(dept, b, "assign", "--to", "wangfang")
    step(dept, b, "note", "顾客来电催促")
    assert step(dept, b, "assign", "--to", "nobody", expect=2).stderr.count("no active staff member") == 1
    ids = lambda *args: [r["id"] for r in dept.json("complaints", "list", *args, env=as_("zhaomin"))]  # noqa: E731
    assert ids() == [a, b]  # P1 (critical) first
    assert ids("--severity", "critical") == [a]
    assert ids("--channel", "hotline_400") == [b]
    assert ids("--category", "pricing") == [b]
    assert ids("--handler", "wangfang") == [b]
    assert ids("--state", "registered") == [a, b]
    assert ids("--customer", "1") == [a, b]
    csv = dept("complaints", "list", "--format", "csv", env=as_("zhaomin")).stdout
    assert csv.splitlines()[0].startswith("id,received,customer")
    lines = dept("complaints", "list", "--format", "jsonl", env=as_("zhaomin")).stdout.splitlines()
    assert [json.loads(x)["id"] for x in lines] == [a, b]
    assert dept("complaints", "list", "--state", "bogus", env=as_("zhaomin"), expect=2)


def test_phone_is_masked_for_roles_that_may_not_see_it(dept):
    tid = open_ticket(dept)
    assert dept.json("complaints", "show", str(tid), env=as_("sunwei"))["ticket"]["phone"] == "138****5678"
    assert dept.json("complaints", "show", str(tid), env=as_("zhaomin"))["ticket"]["phone"] == "13812345678"


def test_follow_up_due_shows_in_the_agenda_without_the_callbacks_plugin(dept):
    import datetime as dt
    import os

    from crm.context import App

    tid = open_ticket(dept)
    run_to_summarized(dept, tid)
    step(dept, tid, "advance", "confirm", "--via", "phone", now="2026-11-20T15:30:00")
    step(dept, tid, "close", now="2026-11-20T16:00:00")
    app = App(environ=dict(os.environ, CRM_NOW="2026-11-25T09:00:00"))
    items = [i for g in app.plugins.call_each("agenda_items", app=app, agenda={
        "day": dt.date(2026, 11, 25), "staff": "zhaomin", "now": app.now()}) for i in g]
    assert [(i["kind"], i["ref"]) for i in items] == [("complaint_followup", f"complaint:{tid}")]
    step(dept, tid, "follow-up", "--result", "satisfied", now="2026-11-25T10:00:00")
    items = [i for g in app.plugins.call_each("agenda_items", app=app, agenda={
        "day": dt.date(2026, 11, 25), "staff": "zhaomin", "now": app.now()}) for i in g]
    assert items == []
