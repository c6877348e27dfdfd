"""A complaint arriving from the manufacturer's portal, handled, and its events queued back."""

import json
import os

import pytest

from crm.context import App

from complaints_helpers import VIN, Recorder, as_, dept, dept_template, only_complaints, step  # noqa: F401


def record(**over):
    rec = {"id": "C-1001", "version": 1, "updated_at": "2026-11-20T01:00:00Z", "deleted": False,
           "customer": {"name": "张三", "phone": "+86 138 1234 5678"}, "vin": VIN, "plate": "京A12345",
           "channel": "hotline_400", "category": "repair_quality", "severity": "urgent",
           "description": "保养后异响, 致电厂家热线", "dispatched_at": "2026-11-20T01:00:00Z",
           "respond_due": "2026-11-20T04:00:00Z", "resolve_due": "2026-11-23T10:00:00Z",
           "oem_status": "dispatched", "x_unknown": "kept by the sync plugin"}
    rec.update(over)
    return rec


def deliver(rec, *, now="2026-11-20T10:00:00", plugins=()):
    """What the sync plugin does: call every plugin's on_portal_record inside one write transaction."""
    app = App(environ=dict(os.environ, CRM_NOW=now), extra_plugins=list(plugins))
    with app.transaction() as tx:
        return app.plugins.call_each("on_portal_record", savepoint=tx.store.savepoint, tx=tx,
                                     stream="complaints", record=rec)


@pytest.fixture
def portal(dept):
    dept.plugins = [Recorder()]
    return dept


def outbox(crm):
    return [(ref, json.loads(p)) for ref, p in crm.sql("SELECT ref, payload FROM test_outbox ORDER BY id")]


def test_portal_complaint_handled_and_events_queued_back(portal):
    crm = portal
    assert deliver(record(), plugins=crm.plugins) == ["complaint #1 opened from portal C-1001"]
    assert deliver(record(), plugins=crm.plugins) == []  # the same version again: nothing
    ticket = crm.json("complaints", "show", "1", env=as_("zhaomin"))
    assert ticket["ticket"]["customer"] == "张三 (#1)"  # matched by phone, not created
    assert ticket["ticket"]["respond_due"] == "2026-11-20 12:00 (manufacturer)"
    assert ticket["ticket"]["source"] == "portal C-1001"
    assert ticket["timings"]["received_at"].startswith("2026-11-20T09:00")

    step(crm, 1, "advance", "accept", now="2026-11-20T10:30:00")
    step(crm, 1, "advance", "investigate", "--dept", "workshop", "--findings", "皮带松动", now="2026-11-20T11:00:00")
    step(crm, 1, "advance", "investigate", "--findings", "已复查", now="2026-11-20T11:05:00")
    step(crm, 1, "advance", "propose", "--solution", "免费更换皮带", now="2026-11-20T11:10:00")
    step(crm, 1, "approve", user="li", now="2026-11-20T11:20:00")
    step(crm, 1, "advance", "implement", "--actions", "已更换", "--confirmed-via", "phone",
         now="2026-11-20T14:00:00")
    step(crm, 1, "advance", "summarize", "--root-cause", "装配", "--lessons", "复检", now="2026-11-20T15:00:00")
    step(crm, 1, "close", now="2026-11-20T16:00:00")
    step(crm, 1, "follow-up", "--result", "satisfied", now="2026-11-25T10:00:00")
    sent = outbox(crm)
    assert {ref for ref, _ in sent} == {"C-1001"}
    assert [p["type"] for _, p in sent] == ["responded", "investigating", "solution_proposed", "customer_confirmed",
                                            "resolved", "followed_up"]
    assert sent[0][1] == {"at": "2026-11-20T10:30:00+08:00", "type": "responded", "note": "已受理",
                          "responsible_dept": None}
    assert sent[1][1]["responsible_dept"] == "workshop" and sent[1][1]["note"] == "皮带松动"
    assert crm.sql("SELECT kind FROM test_outbox GROUP BY kind") == [("complaint_event",)]


def test_a_local_ticket_sends_nothing_to_the_portal(portal):
    portal("complaints", "open", "--customer", "1", "--channel", "phone", "--category", "pricing", "--description",
           "收费不透明", env=as_("zhaomin"))
    step(portal, 1, "advance", "accept")
    assert portal.sql("SELECT name FROM sqlite_master WHERE name = 'test_outbox'") == []


def test_without_a_portal_plugin_the_events_are_a_clean_no_op(dept):
    deliver(record())
    step(dept, 1, "advance", "accept")
    step(dept, 1, "advance", "invalid", "--reason", "x", "--reply", "y", expect=2)  # accepted: not any more
    assert dept.json("complaints", "list", env=as_("zhaomin"))[0]["state"] == "accepted"


def test_oem_status_changes_raise_priority_visibly_and_older_versions_are_ignored(portal):
    crm = portal
    deliver(record(), plugins=crm.plugins)
    assert crm.json("complaints", "list", env=as_("zhaomin"))[0]["priority"] == "P2"
    out = deliver(record(version=3, oem_status="escalated", resolve_due="2026-11-22T10:00:00Z"), plugins=crm.plugins)
    assert out == ["complaint #1 updated from portal (厂家状态 dispatched → escalated, 优先级 P2 → P1, 厂家更新: resolve_due_oem)"]
    assert deliver(record(version=2, oem_status="customer_called_again"), plugins=crm.plugins) == []
    deliver(record(version=4, oem_status="customer_called_again", resolve_due="2026-11-22T10:00:00Z"),
            plugins=crm.plugins)
    row = crm.json("complaints", "list", env=as_("zhaomin"))[0]
    assert row["priority"] == "P0" and "OEM customer_called_again" in row["flags"]
    shown = crm.json("complaints", "show", "1", env=as_("zhaomin"))
    assert shown["ticket"]["resolve_due"] == "2026-11-22 18:00 (manufacturer)"
    assert [e["step"] for e in shown["timeline"]] == ["open", "oem_update", "oem_update"]


def test_oem_reopens_a_closed_ticket(portal):
    crm = portal
    deliver(record(), plugins=crm.plugins)
    step(crm, 1, "close", "--invalid", "--reason", "非质量问题", "--reply", "已解释")
    deliver(record(version=2, oem_status="reopened"), plugins=crm.plugins)
    row = crm.json("complaints", "list", env=as_("zhaomin"))[0]
    assert row["state"] == "reopened" and row["priority"] == "P1"


def test_unknown_customer_is_created_in_the_archive(portal):
    crm = portal
    out = deliver(record(id="C-2", customer={"name": "王五", "phone": "13900002222"}, vin="WBA8E3105JA999999"),
                  plugins=crm.plugins)
    assert out == ["complaint #1 opened from portal C-2"]
    assert crm.sql("SELECT c.name, p.phone FROM customers c JOIN customer_phones p ON p.customer_id = c.id"
                   " WHERE c.id = 2") == [("王五", "13900002222")]
    row = crm.json("complaints", "list", env=as_("zhaomin"))[0]
    assert row["customer"] == "王五" and row["plate"] == "京A12345"
    # a bad phone and a tombstone do not break the sync
    assert deliver(record(id="C-3", customer={"name": "赵六", "phone": "123"}), plugins=crm.plugins)
    assert deliver(record(id="C-3", version=2, deleted=True), plugins=crm.plugins) == [
        "complaint #2: withdrawn at the portal"]
    assert deliver(record(id="C-9", version=1, deleted=True), plugins=crm.plugins) == []
    assert deliver(record(), plugins=crm.plugins, now="2026-11-20T10:00:00") and \
        crm.sql("SELECT count(*) FROM complaints_tickets") == [(3,)]
