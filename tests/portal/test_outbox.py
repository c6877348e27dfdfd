"""The outbox: queued with the local change, sent in order, exactly once."""

from __future__ import annotations

import pytest

from crm.errors import BadInput
from portal_helpers import ask


def first_open_lead(sync, emu):
    return sync.live(emu.control.records("leads"))[0]


def posts(emu):
    return [r for r in emu.control.requests() if r["method"] == "POST" and not r["path"].endswith("/oauth/token")]


def test_followup_is_queued_then_sent_with_key_and_if_match(sync, emu, staffed):
    sync.run()
    lead = first_open_lead(sync, emu)
    result = sync.crm("sync", "followup", lead["id"], "--outcome", "appointment", "--note", "约周六到店试驾",
                      "--next-contact-on", "2026-11-28", env={"CRM_USER": "chenjing"})
    assert "queued" in result.stderr
    key, if_match, status = sync.sql("SELECT idempotency_key, if_match, status FROM portal_outbox")[0]
    assert (if_match, status) == (lead["version"], "queued")
    assert sync.scalar("SELECT count(*) FROM interactions WHERE kind = 'lead_followup'") == 1
    listed = sync.crm.json("sync", "outbox")
    assert [r["status"] for r in listed] == ["queued"]
    sync.run()
    got = emu.control.received("followups")
    assert len(got) == 1 and got[0]["outcome"] == "appointment" and got[0]["next_contact_on"] == "2026-11-28"
    sent = posts(emu)
    assert [(r["idempotency_key"], str(r["if_match"])) for r in sent] == [(key, str(lead["version"]))]
    assert sync.sql("SELECT status FROM portal_outbox") == [("sent",)]
    assert sync.scalar("SELECT last_outcome FROM portal_leads WHERE id = ?", (lead["id"],)) == "appointment"
    sync.run()  # nothing more is sent
    assert len(emu.control.received("followups")) == 1


def test_followup_bad_input(sync, emu, staffed):
    sync.run()
    lead = first_open_lead(sync, emu)
    r = sync.crm("sync", "followup", lead["id"], "--outcome", "maybe", env={"CRM_USER": "chenjing"}, expect=2)
    assert "--outcome" in r.stderr
    sync.crm("sync", "followup", "LEAD-999999", "--outcome", "reached", env={"CRM_USER": "chenjing"}, expect=2)
    sync.crm("sync", "followup", lead["id"], "--outcome", "reached", env={"CRM_USER": "it"}, expect=2)
    assert sync.scalar("SELECT count(*) FROM portal_outbox") == 0


def test_lost_response_is_replayed_with_the_same_key(sync, emu, staffed):
    sync.run()
    lead = first_open_lead(sync, emu)
    sync.crm("sync", "followup", lead["id"], "--outcome", "reached", env={"CRM_USER": "chenjing"})
    emu.control.add_faults("lost_response:path=/leads/*/followups")
    emu.control.clear_requests()
    summary = sync.summary()
    assert summary["outbox"]["sent"] == 1 and summary["outbox"]["replayed"] == 1
    sent = posts(emu)
    assert len(sent) == 2 and sent[0]["status"] is None and len({r["idempotency_key"] for r in sent}) == 1
    assert len(emu.control.received("followups")) == 1


def test_412_merges_the_current_record_and_retries(sync, emu, staffed):
    sync.run()
    lead = first_open_lead(sync, emu)
    sync.crm("sync", "followup", lead["id"], "--outcome", "no_answer", env={"CRM_USER": "chenjing"})
    emu.control.add_faults("412:path=/leads/*/followups")
    sync.run()
    now = emu.control.record("leads", lead["id"])
    assert now["version"] == lead["version"] + 1
    assert len(emu.control.received("followups")) == 1
    sent = posts(emu)
    assert [r["status"] for r in sent][-2:] == [412, 201]
    assert len({r["idempotency_key"] for r in sent}) == 1
    assert sync.sql("SELECT status, if_match FROM portal_outbox") == [("sent", now["version"])]
    # merged: the OEM's newer record landed locally first
    assert sync.scalar("SELECT version FROM portal_leads WHERE id = ?", (lead["id"],)) == now["version"]


def test_order_kinds_and_permanent_errors(sync, emu):
    sync.run()
    owner = sync.live(emu.control.records("owners"))[0]
    complaint = sync.live(emu.control.records("complaints"))[0]
    recall = next(c for c in sync.live(emu.control.records("campaigns")) if c["vins"])
    lead = first_open_lead(sync, emu)
    ids = [
        ask({"kind": "complaint_event", "ref": complaint["id"],
             "payload": {"at": "2026-11-22T10:00:00+08:00", "type": "responded", "note": "已致电客户"}}),
        ask({"kind": "callback", "ref": None,
             "payload": {"vin": owner["vin"], "phone": owner["owner"]["phone"], "visit_on": "2026-11-20",
                         "called_at": "2026-11-22T10:05:00+08:00", "result": "satisfied", "score": 10}}),
        ask({"kind": "callback", "ref": None,  # a VIN with a wrong check digit: 422, parked
             "payload": {"vin": "LBV00000000000000", "phone": "13800138000", "visit_on": "2026-11-20",
                         "called_at": "2026-11-22T10:06:00+08:00", "result": "satisfied", "score": 9}}),
        ask({"kind": "campaign_completion", "ref": recall["id"],
             "payload": {"vin": recall["vins"][0], "completed_on": "2026-11-21"}}),
        ask({"kind": "lead_followup", "ref": lead["id"],
             "payload": {"contacted_at": "2026-11-22T10:10:00+08:00", "outcome": "reached"}}),
    ]
    assert all(isinstance(i, int) for i in ids)
    emu.control.clear_requests()
    result = sync.run("-v", expect=3)
    assert "parked 1" in result.stdout
    order = [r["path"] for r in posts(emu)]
    assert order == [f"/api/v1/complaints/{complaint['id']}/events", "/api/v1/callbacks", "/api/v1/callbacks",
                     f"/api/v1/campaigns/{recall['id']}/completions", f"/api/v1/leads/{lead['id']}/followups"]
    received = emu.control.received()
    assert {k: len(v) for k, v in received.items()} == {"followups": 1, "complaint_events": 1, "callbacks": 1,
                                                        "completions": 1}
    parked = sync.crm.json("sync", "outbox")
    assert [(r["id"], r["status"]) for r in parked] == [(ids[2], "parked")]
    assert "422" in parked[0]["last_error"] and "/callbacks" in parked[0]["last_error"]
    # re-queue: it is refused again (same key, nothing stored), parked again
    sync.crm("sync", "retry", "--all")
    sync.run(expect=3)
    assert len(emu.control.received("callbacks")) == 1
    sync.crm("sync", "cancel", str(ids[2]), env={"CRM_USER": "li"}, expect=2)  # li is not staff in this test
    sync.crm("staff", "add", "li", "--name", "李经理", "--role", "manager")
    sync.crm("sync", "cancel", str(ids[2]), env={"CRM_USER": "li"})
    sync.run()  # nothing waits any more
    sync.crm("sync", "retry", "999", expect=2)
    sync.crm("sync", "retry", expect=2)


def test_transient_failure_keeps_the_item_and_its_key(sync, emu):
    sync.run()
    lead = first_open_lead(sync, emu)
    ask({"kind": "lead_followup", "ref": lead["id"], "payload": {"contacted_at": "2026-11-22T10:10:00+08:00",
                                                                 "outcome": "no_answer"}})
    key = sync.scalar("SELECT idempotency_key FROM portal_outbox")
    emu.control.add_faults("503:path=/leads/*/followups,times=*")
    sync.crm("sync", "outbox", "--send", expect=75)
    assert sync.sql("SELECT status FROM portal_outbox") == [("queued",)]
    emu.control.clear_faults()
    sync.crm("sync", "outbox", "--send")
    assert len(emu.control.received("followups")) == 1
    assert {r["idempotency_key"] for r in posts(emu)} == {key}


def test_answer_to_a_withdrawn_lead_is_parked(sync, emu):
    sync.run()
    lead = first_open_lead(sync, emu)
    ask({"kind": "lead_followup", "ref": lead["id"], "payload": {"contacted_at": "2026-11-22T10:10:00+08:00",
                                                                 "outcome": "invalid_number"}})
    emu.control.delete("leads", lead["id"])
    sync.crm("sync", "outbox", "--send", expect=3)
    reason = sync.scalar("SELECT last_error FROM portal_outbox")
    assert "404" in reason


def test_send_to_portal_refuses_bad_items(sync):
    sync.crm("sync", "status")  # migrate
    with pytest.raises(BadInput, match="unknown kind"):
        ask({"kind": "sms", "payload": {}})
    with pytest.raises(BadInput, match="needs the portal id"):
        ask({"kind": "complaint_event", "payload": {}})
    assert sync.scalar("SELECT count(*) FROM portal_outbox") == 0
