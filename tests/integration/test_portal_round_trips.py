"""End to end over HTTP: the emulated portal dispatches, the plugins act, the answers go back.

Each test runs the real CLI against a real SQLite file and the emulator on 127.0.0.1, with
all four built-in plugins loaded: the sync plugin hands records to the complaints and
campaigns plugins only through hooks, and their answers travel back through the outbox.
"""

import json

import pytest

from crm_portal_emulator.server import Emulator

SECRET = "e2e-Secret-5b1c"
START = "2026-11-20T02:00:00Z"  # 10:00 in Beijing, a Friday
NOW = "2026-11-20T10:00:00"


@pytest.fixture
def portal(staffed):
    with Emulator(seed=11, owners=40, leads=5, complaints=4, campaigns=4, surveys=8, start_time=START,
                  frozen_clock=True, client_secret=SECRET, client_id="demo-client") as emu:
        staffed.write_config(f'dealer_code = "BJ001"\n[portal]\nurl = "{emu.base_url}"\nclient_id = "demo-client"\n'
                             f'retries = 2\nbackoff = 0.01\nbackoff_max = 0.02\n')
        yield emu


def sync(crm, expect=(0, 3)):
    result = crm("--as", "it", "sync", "run", "--format", "json", expect=None,
                 env={"CRM_PORTAL_SECRET": SECRET, "CRM_NOW": NOW})
    assert result.exit_code in expect, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_recall_dispatched_completed_in_the_workshop_and_reported_back(staffed, portal):
    recall = next(c for c in portal.control.records("campaigns", include_deleted=False)
                  if c["kind"] in ("recall", "service_campaign") and c["vins"])
    sync(staffed)
    known = {row[0] for row in staffed.sql("SELECT vin FROM vehicles")}
    vin = next(v for v in recall["vins"] if v in known)
    staffed("visit", "add", "--ro", "RO-E2E-1", "--vin", vin, "--type", "warranty",
            "--in", f"{recall['starts_on']}T09:00", "--out", f"{recall['starts_on']}T16:00",
            env={"CRM_NOW": NOW}, expect=None)
    day = max(recall["starts_on"], "2026-11-19")
    staffed("visit", "add", "--ro", "RO-E2E-2", "--vin", vin, "--type", "repair",
            "--in", f"{day}T09:00", "--out", f"{day}T15:00", env={"CRM_NOW": NOW}, expect=None)
    sync(staffed)
    completions = portal.control.received("completions")
    assert [(c["campaign_id"], c["vin"]) for c in completions].count((recall["id"], vin)) == 1
    sync(staffed)  # nothing is sent twice
    assert len(portal.control.received("completions")) == len(completions)


def test_complaint_dispatched_handled_and_events_sent_once(staffed, portal):
    sync(staffed)
    tickets = staffed.json("--as", "li", "complaints", "list", env={"CRM_NOW": NOW})
    portal_ids = {c["id"] for c in portal.control.records("complaints", include_deleted=False)}
    assert tickets and len(tickets) >= len(portal_ids)
    ticket = tickets[0]["id"]
    staffed("--as", "li", "complaints", "advance", str(ticket), "accept", "--note", "已联系客户",
            env={"CRM_NOW": NOW})
    sync(staffed)
    events = portal.control.received("complaint_events")
    assert [e["type"] for e in events] == ["responded"]
    assert events[0]["complaint_id"] in portal_ids
    sync(staffed)
    assert len(portal.control.received("complaint_events")) == 1


def test_service_callback_result_reaches_the_portal(staffed, portal):
    sync(staffed)
    vin = staffed.sql("SELECT vin FROM vehicles WHERE customer_id IS NOT NULL LIMIT 1")[0][0]
    staffed("visit", "add", "--ro", "RO-E2E-3", "--vin", vin, "--type", "maintenance", "--advisor", "sunwei",
            "--in", "2026-11-19T09:00", "--out", "2026-11-19T16:00", env={"CRM_NOW": NOW})
    staffed("--as", "it", "callbacks", "plan", env={"CRM_NOW": NOW})
    tasks = staffed.json("--as", "wangfang", "callbacks", "due", env={"CRM_NOW": NOW})
    task = next(t for t in tasks if t.get("visit"))
    staffed("--as", "wangfang", "callbacks", "record", str(task["id"]), "--result", "satisfied", "--score", "9",
            env={"CRM_NOW": NOW})
    sync(staffed)
    [callback] = portal.control.received("callbacks")
    body = callback
    assert body["vin"] == vin and body["result"] == "satisfied" and body["visit_on"] == "2026-11-19"
