"""Dealer writes: the four endpoints, idempotency, If-Match / 412, validation."""

from __future__ import annotations

import json
import uuid

import pytest


def _live(emu, stream, **match):
    for record in emu.control.records(stream, include_deleted=False):
        if all(record.get(k) == v for k, v in match.items()):
            return record
    raise AssertionError(f"no {stream} record matching {match}")


FOLLOWUP = {"contacted_at": "2026-11-22T09:30:00+08:00", "outcome": "appointment", "note": "周六上午到店试驾",
            "next_contact_on": "2026-11-28"}


def test_followup_is_stored(emu, portal):
    lead = _live(emu, "leads")
    answer = portal.post(f"/leads/{lead['id']}/followups", FOLLOWUP, if_match=lead["version"])
    assert answer.status_code == 201, answer.text
    stored = answer.json()
    assert stored["id"] == "FUP-000001"
    assert stored["lead_id"] == lead["id"]
    assert stored["contacted_at"] == "2026-11-22T01:30:00Z"
    assert stored["outcome"] == "appointment"
    assert stored["lead_version"] == lead["version"]
    assert stored["received_at"] == "2026-11-22T08:00:00Z"
    assert answer.headers["ETag"] == f'"{lead["version"]}"'
    assert emu.control.received("followups") == [stored]
    # The dealer's write does not change the OEM's record.
    assert emu.control.record("leads", lead["id"]) == lead


def test_complaint_event_measures_deadlines(emu, portal):
    complaint = _live(emu, "complaints")
    path = f"/complaints/{complaint['id']}/events"
    on_time = portal.post(path, {"at": complaint["dispatched_at"], "type": "responded", "note": "已致电客户",
                                 "responsible_dept": "售后服务部"}, if_match=complaint["version"])
    assert on_time.status_code == 201, on_time.text
    assert on_time.json()["sla"] == {"deadline": "respond_due", "due": complaint["respond_due"], "met": True}
    late = portal.post(path, {"at": "2030-01-01T00:00:00Z", "type": "resolved"}, if_match=complaint["version"])
    assert late.json()["sla"] == {"deadline": "resolve_due", "due": complaint["resolve_due"], "met": False}
    other = portal.post(path, {"at": "2026-11-22T08:00:00Z", "type": "investigating"}, if_match=complaint["version"])
    assert other.json()["sla"] is None
    assert other.json()["note"] is None and other.json()["responsible_dept"] is None


def test_callback_links_the_owner(emu, portal):
    owner = _live(emu, "owners")
    body = {"vin": owner["vin"], "phone": owner["owner"]["phone"], "visit_on": "2026-11-20",
            "called_at": "2026-11-22T08:00:00Z", "result": "satisfied", "score": 9, "note": "满意"}
    answer = portal.post("/callbacks", body)
    assert answer.status_code == 201, answer.text
    assert answer.json()["owner_id"] == owner["id"]
    assert "ETag" not in answer.headers
    unreachable = dict(body, result="unreachable", score=None)
    assert portal.post("/callbacks", unreachable).status_code == 201
    assert portal.post("/callbacks", dict(body, score=None)).status_code == 422


def test_campaign_completion(emu, portal):
    recall = _live(emu, "campaigns", kind="recall")
    path = f"/campaigns/{recall['id']}/completions"
    body = {"vin": recall["vins"][0], "completed_on": "2026-11-21"}
    first = portal.post(path, body, if_match=recall["version"])
    assert first.status_code == 201, first.text
    again = portal.post(path, body, if_match=recall["version"])  # another key, same VIN: already done
    assert again.status_code == 200
    assert again.json() == first.json()
    assert len(emu.control.received("completions")) == 1
    stranger = portal.post(path, {"vin": "LBV21G068RZ123456", "completed_on": "2026-11-21"}, if_match=recall["version"])
    assert stranger.status_code == 422
    assert stranger.json()["type"].endswith("/vin-not-in-campaign")


def test_marketing_event_takes_no_completion(emu, portal):
    event = _live(emu, "campaigns", kind="marketing_event")
    assert event["vins"] == []
    answer = portal.post(f"/campaigns/{event['id']}/completions",
                         {"vin": "LBV21G068RZ123456", "completed_on": "2026-11-21"}, if_match=event["version"])
    assert answer.status_code == 422


def test_idempotent_replay(emu, portal):
    lead = _live(emu, "leads")
    key = str(uuid.uuid4())
    first = portal.post(f"/leads/{lead['id']}/followups", FOLLOWUP, key=key, if_match=lead["version"])
    emu.control.advance_clock(10)
    emu.control.touch("leads", lead["id"])  # the OEM changed the lead meanwhile: the replay still answers
    again = portal.post(f"/leads/{lead['id']}/followups", FOLLOWUP, key=key, if_match=lead["version"])
    assert again.status_code == first.status_code == 201
    assert again.content == first.content
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(emu.control.received("followups")) == 1


def test_replay_ignores_json_formatting(emu, portal):
    owner = _live(emu, "owners")
    body = {"vin": owner["vin"], "phone": owner["owner"]["phone"], "visit_on": "2026-11-20",
            "called_at": "2026-11-22T08:00:00Z", "result": "neutral", "score": 7, "note": ""}
    key = str(uuid.uuid4())
    first = portal.post("/callbacks", body, key=key)
    raw = json.dumps(dict(reversed(list(body.items()))), indent=2)
    again = portal.http.post(f"{emu.base_url}/callbacks", data=raw.encode(), headers=portal.headers(
        **{"Idempotency-Key": key, "Content-Type": "application/json"}), timeout=5)
    assert again.status_code == 201 and again.json() == first.json()


def test_same_key_different_body_is_422(emu, portal):
    lead = _live(emu, "leads")
    key = str(uuid.uuid4())
    assert portal.post(f"/leads/{lead['id']}/followups", FOLLOWUP, key=key, if_match=lead["version"]).status_code == 201
    changed = dict(FOLLOWUP, outcome="no_answer")
    answer = portal.post(f"/leads/{lead['id']}/followups", changed, key=key, if_match=lead["version"])
    assert answer.status_code == 422
    assert answer.json()["type"].endswith("/idempotency-key-reused")
    assert len(emu.control.received("followups")) == 1


def test_failed_write_does_not_burn_the_key(emu, portal):
    lead = _live(emu, "leads")
    key = str(uuid.uuid4())
    stale = portal.post(f"/leads/{lead['id']}/followups", FOLLOWUP, key=key, if_match=lead["version"] - 1 or 99)
    assert stale.status_code == 412
    ok = portal.post(f"/leads/{lead['id']}/followups", FOLLOWUP, key=key, if_match=lead["version"])
    assert ok.status_code == 201


def test_missing_idempotency_key_is_400(emu, portal):
    answer = portal.http.post(f"{emu.base_url}/callbacks", json={}, headers=portal.headers(), timeout=5)
    assert answer.status_code == 400
    assert answer.json()["type"].endswith("/missing-idempotency-key")


def test_stale_if_match_is_412_with_current_record(emu, portal):
    lead = _live(emu, "leads")
    emu.control.advance_clock(1)
    current = emu.control.update("leads", lead["id"], comments="客户改约下周")
    answer = portal.post(f"/leads/{lead['id']}/followups", FOLLOWUP, if_match=lead["version"])
    assert answer.status_code == 412
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert answer.headers["ETag"] == f'"{current["version"]}"'
    assert answer.json()["current"] == current
    retried = portal.post(f"/leads/{lead['id']}/followups", FOLLOWUP, if_match=current["version"])
    assert retried.status_code == 201


@pytest.mark.parametrize("header", ['"{v}"', 'W/"{v}"', "{v}", "*"])
def test_if_match_forms(emu, portal, header):
    lead = _live(emu, "leads")
    answer = portal.post(f"/leads/{lead['id']}/followups", FOLLOWUP, if_match=header.format(v=lead["version"]))
    assert answer.status_code == 201


def test_missing_if_match_is_428(emu, portal):
    lead = _live(emu, "leads")
    answer = portal.post(f"/leads/{lead['id']}/followups", FOLLOWUP)
    assert answer.status_code == 428
    assert portal.post(f"/leads/{lead['id']}/followups", FOLLOWUP, if_match="v3").status_code == 400


def test_unknown_and_deleted_targets_are_404(emu, portal):
    assert portal.post("/leads/LEAD-999999/followups", FOLLOWUP, if_match=1).status_code == 404
    lead = _live(emu, "leads")
    gone = emu.control.delete("leads", lead["id"])
    answer = portal.post(f"/leads/{lead['id']}/followups", FOLLOWUP, if_match=gone["version"])
    assert answer.status_code == 404
    assert answer.json()["type"].endswith("/record-deleted")


def test_validation_lists_every_field(emu, portal):
    lead = _live(emu, "leads")
    answer = portal.post(f"/leads/{lead['id']}/followups",
                         {"contacted_at": "2026-11-22 09:30", "outcome": "maybe", "next_contact_on": "28/11/2026"},
                         if_match=lead["version"])
    assert answer.status_code == 422
    assert {e["field"] for e in answer.json()["errors"]} == {"contacted_at", "outcome", "next_contact_on"}
    bad_vin = portal.post("/callbacks", {"vin": "LBV21G069RZ123456", "phone": "12345", "visit_on": "2026-11-20",
                                         "called_at": "2026-11-22T08:00:00Z", "result": "satisfied", "score": 11})
    assert {e["field"] for e in bad_vin.json()["errors"]} == {"vin", "phone", "score"}
    assert portal.post("/callbacks", [1, 2]).status_code == 422


def test_malformed_request_bodies(emu, portal):
    headers = portal.headers(**{"Idempotency-Key": str(uuid.uuid4()), "Content-Type": "application/json"})
    broken = portal.http.post(f"{emu.base_url}/callbacks", data=b'{"vin": ', headers=headers, timeout=5)
    assert broken.status_code == 400
    assert broken.json()["type"].endswith("/malformed-json")
    headers["Content-Type"] = "text/plain"
    assert portal.http.post(f"{emu.base_url}/callbacks", data=b"{}", headers=headers, timeout=5).status_code == 415


def test_wrong_method_and_path(emu, portal):
    answer = portal.http.get(f"{emu.base_url}/callbacks", headers=portal.headers(), timeout=5)
    assert answer.status_code == 405
    assert answer.headers["Allow"] == "POST"
    assert portal.http.get(f"{emu.base_url}/nothing", headers=portal.headers(), timeout=5).status_code == 404
