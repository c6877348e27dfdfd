"""Every fault, switched on in-process, over HTTP and at start."""

from __future__ import annotations

import uuid
from email.utils import parsedate_to_datetime

import pytest
import requests

from crm_portal_emulator.faults import FaultSpecError, parse_spec
from crm_portal_emulator.server import Emulator


def test_spec_syntax():
    rules = parse_spec("503:path=/streams/*,times=2; rate_limit:retry_after=3,every=4 ;drop:method=post")
    assert [r.kind for r in rules] == ["status", "rate_limit", "drop"]
    assert rules[0].code == 503 and rules[0].times == 2 and rules[0].path == "/streams/*"
    assert rules[1].every == 4 and rules[1].times is None and rules[1].retry_after == 3
    assert rules[2].method == "POST" and rules[2].times == 1
    assert parse_spec("status:code=500,path=/api/v1/callbacks,times=*")[0].path == "/callbacks"
    for bad in ("explode", "status", "503:every=0", "503:times", "503:colour=red", "429:retry_format=weeks"):
        with pytest.raises(FaultSpecError):
            parse_spec(bad)


@pytest.mark.parametrize("code", [500, 502, 503, 504])
def test_server_errors_for_the_next_n_requests(emu, portal, code):
    emu.control.add_faults(f"{code}:path=/streams/leads,times=2")
    assert portal.stream("owners").status_code == 200  # another path: not counted
    answers = [portal.stream("leads").status_code for _ in range(3)]
    assert answers == [code, code, 200]
    assert emu.control.faults()[0]["remaining"] == 0


def test_fault_answers_are_problem_documents(emu, portal):
    emu.control.add_faults("503:retry_after=7")
    answer = portal.stream("leads")
    assert answer.status_code == 503
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert answer.headers["Retry-After"] == "7"
    assert answer.json()["status"] == 503


def test_rate_limit_every_kth_request(emu, portal):
    emu.control.add_faults("rate_limit:retry_after=2,every=3")
    codes = [portal.stream("owners").status_code for _ in range(7)]
    assert codes == [200, 200, 429, 200, 200, 429, 200]
    answer = [portal.stream("owners") for _ in range(2)][-1]
    assert answer.status_code == 429
    assert answer.headers["Retry-After"] == "2"


def test_rate_limit_with_http_date(emu, portal):
    emu.control.add_faults("429:retry_after=30,retry_format=date")
    answer = portal.stream("owners")
    assert answer.status_code == 429
    retry_at = parsedate_to_datetime(answer.headers["Retry-After"])
    sent_at = parsedate_to_datetime(answer.headers["Date"])  # the Date header follows the server clock
    assert (retry_at - sent_at).total_seconds() == 30
    assert answer.headers["Date"] == "Sun, 22 Nov 2026 08:00:00 GMT"


def test_after_skips_requests(emu, portal):
    emu.control.add_faults("500:after=2,times=1")
    assert [portal.stream("owners").status_code for _ in range(4)] == [200, 200, 500, 200]


def test_probability_is_seeded(emu, portal):
    def run():
        emu.control.set_faults("503:probability=0.5,seed=42")
        return [portal.stream("owners").status_code for _ in range(12)]

    first = run()
    assert first == run()
    assert 503 in first and 200 in first


def test_first_rule_wins(emu, portal):
    emu.control.add_faults("502:times=1;504:times=1")
    assert [portal.stream("owners").status_code for _ in range(3)] == [502, 504, 200]


def test_faults_on_the_token_endpoint(emu, portal):
    emu.control.add_faults("503:path=/oauth/token")
    assert portal.get_token().status_code == 503
    assert portal.get_token().status_code == 200


def test_dropped_connection(emu, portal):
    emu.control.add_faults("drop:path=/streams/*")
    with pytest.raises(requests.ConnectionError):
        portal.stream("owners")
    assert portal.stream("owners").status_code == 200
    assert emu.control.requests()[-2]["status"] is None
    assert emu.control.requests()[-2]["fault"] == "drop"


def test_drop_before_a_write_applies_nothing(emu, portal):
    owner = emu.control.records("owners")[0]
    body = {"vin": owner["vin"], "phone": owner["owner"]["phone"], "visit_on": "2026-11-20",
            "called_at": "2026-11-22T08:00:00Z", "result": "satisfied", "score": 10}
    emu.control.add_faults("drop:method=POST,path=/callbacks")
    with pytest.raises(requests.ConnectionError):
        portal.post("/callbacks", body)
    assert emu.control.received("callbacks") == []


def test_lost_response_after_the_write(emu, portal):
    owner = emu.control.records("owners")[0]
    body = {"vin": owner["vin"], "phone": owner["owner"]["phone"], "visit_on": "2026-11-20",
            "called_at": "2026-11-22T08:00:00Z", "result": "satisfied", "score": 10}
    key = str(uuid.uuid4())
    emu.control.add_faults("lost_response:path=/callbacks")
    with pytest.raises(requests.ConnectionError):
        portal.post("/callbacks", body, key=key)
    assert len(emu.control.received("callbacks")) == 1  # applied, though the client never heard
    again = portal.post("/callbacks", body, key=key)
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == emu.control.received("callbacks")[0]
    assert len(emu.control.received("callbacks")) == 1


def test_malformed_json_body(emu, portal):
    emu.control.add_faults("malformed_json:path=/streams/owners")
    answer = portal.stream("owners")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/json"
    with pytest.raises(ValueError):
        answer.json()
    assert portal.stream("owners").json()["data"]


def test_truncated_body(emu, portal):
    emu.control.add_faults("truncated:path=/streams/owners")
    with pytest.raises(requests.exceptions.RequestException) as caught:
        portal.stream("owners")
    assert isinstance(caught.value, (requests.exceptions.ChunkedEncodingError, requests.ConnectionError))
    assert portal.stream("owners").status_code == 200


def test_expire_cursor_fault(emu, portal):
    emu.control.add_faults("expire_cursor:path=/streams/owners")
    first = portal.stream("owners", limit=5)
    assert first.status_code == 200  # no cursor: not counted
    answer = portal.stream("owners", cursor=first.json()["next_cursor"], limit=5)
    assert answer.status_code == 410
    assert portal.stream("owners", cursor=first.json()["next_cursor"], limit=5).status_code == 200


def test_mutate_while_paging_fault(emu, portal):
    emu.control.advance_clock(1)
    emu.control.add_faults("mutate_while_paging:stream=owners")
    seen = portal.all_pages("owners", limit=10)
    ids = [r["id"] for r in seen]
    assert len(ids) == len(set(ids)) + 1
    twice = [r for r in seen if ids.count(r["id"]) == 2]
    assert twice[1]["version"] == twice[0]["version"] + 1
    assert twice[0] == seen[0] and twice[1] == seen[-1]


def test_precondition_failed_fault(emu, portal):
    lead = next(r for r in emu.control.records("leads") if not r["deleted"])
    emu.control.add_faults("412")
    body = {"contacted_at": "2026-11-22T08:00:00Z", "outcome": "reached"}
    answer = portal.post(f"/leads/{lead['id']}/followups", body, if_match=lead["version"])
    assert answer.status_code == 412
    assert answer.json()["current"]["version"] == lead["version"] + 1
    assert portal.post(f"/leads/{lead['id']}/followups", body, if_match=lead["version"] + 1).status_code == 201


def test_delay_fault(emu, portal):
    emu.control.add_faults("delay:seconds=0.3")
    with pytest.raises(requests.Timeout):
        portal.http.get(f"{emu.base_url}/streams/owners", headers=portal.headers(), timeout=0.1)


def test_faults_over_http(emu, portal):
    control = emu.control_url + "/faults"
    assert requests.post(control, json={"spec": "503:times=1"}, timeout=5).status_code == 200
    assert requests.post(control, json={"rules": [{"kind": "rate_limit", "retry_after": 4}]}, timeout=5).ok
    listed = requests.get(control, timeout=5).json()
    assert [r["kind"] for r in listed] == ["status", "rate_limit"]
    assert portal.stream("owners").status_code == 503
    assert portal.stream("owners").status_code == 429
    assert requests.put(control, json=[{"kind": "504"}], timeout=5).json()[0]["code"] == 504
    assert requests.delete(control, timeout=5).status_code == 204
    assert requests.get(control, timeout=5).json() == []
    bad = requests.post(control, json={"spec": "explode"}, timeout=5)
    assert bad.status_code == 400 and bad.json()["type"].endswith("/invalid-fault")


def test_faults_at_start():
    with Emulator(owners=3, leads=3, complaints=1, campaigns=1, surveys=1, faults="503:path=/oauth/token") as emu:
        data = {"grant_type": "client_credentials", "client_id": "demo-client", "client_secret": "demo-secret"}
        assert requests.post(emu.token_url, data=data, timeout=5).status_code == 503
        assert requests.post(emu.token_url, data=data, timeout=5).status_code == 200


def test_control_api_is_never_faulted(emu):
    emu.control.add_faults("drop:every=1")
    assert requests.get(emu.control_url, timeout=5).status_code == 200
