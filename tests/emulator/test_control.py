"""The control API over HTTP (what a test drives a subprocess emulator with)."""

from __future__ import annotations

import requests

from crm_portal_emulator.client import ControlClient, ControlError


def test_summary(emu):
    summary = requests.get(emu.control_url, timeout=5).json()
    assert summary["dealer_code"] == "BJ001"
    assert summary["client_id"] == "demo-client"
    assert summary["records"]["owners"] == 40
    assert "demo-secret" not in str(summary)


def test_records_create_update_delete_over_http(emu, portal):
    control = ControlClient(emu.base_url)
    created = control.create("leads", name="赵敏", phone="13800138000", source="autohome")
    assert created["version"] == 1 and created["name"] == "赵敏"
    assert "<name part=\"full\">赵敏</name>" in created["adf"]
    control.advance_clock(60)
    updated = control.update("leads", created["id"], comments="想要蓝色")
    assert updated["version"] == 2 and updated["comments"] == "想要蓝色" and updated["name"] == "赵敏"
    assert updated["updated_at"] == "2026-11-22T08:01:00Z"
    touched = control.touch("leads", created["id"])
    assert touched["version"] == 3
    tombstone = control.delete("leads", created["id"])
    assert tombstone == {"id": created["id"], "updated_at": "2026-11-22T08:01:00Z", "version": 4, "deleted": True}
    assert control.record("leads", created["id"]) == tombstone
    revived = control.upsert("leads", {"id": created["id"], "comments": "又来了"})
    assert revived["version"] == 5 and revived["name"] == "赵敏" and not revived["deleted"]
    stream = portal.stream("leads", updated_since="2026-11-22T08:01:00Z").json()["data"]
    assert stream == [revived]


def test_create_with_chosen_id_and_404s(emu):
    control = ControlClient(emu.control_url.replace("/_emulator", ""))
    made = control.upsert("owners", {"id": "OWN-900000", "model": "iX3"})
    assert made["id"] == "OWN-900000" and made["model"] == "iX3"
    assert control.create("owners")["id"] == "OWN-900001"
    for call in (lambda: control.record("owners", "OWN-1"), lambda: control.records("invoices"),
                 lambda: control.update("owners", "OWN-1", plate="京A1")):
        try:
            call()
        except ControlError as error:
            assert error.status == 404
        else:
            raise AssertionError("expected a 404")


def test_received_and_request_log(emu, portal):
    control = ControlClient(emu.base_url)
    owner = control.records("owners")[0]
    body = {"vin": owner["vin"], "phone": owner["owner"]["phone"], "visit_on": "2026-11-20",
            "called_at": "2026-11-22T08:00:00Z", "result": "dissatisfied", "score": 3, "note": "等待太久"}
    portal.post("/callbacks", body, key="key-1")
    received = control.received()
    assert set(received) == {"followups", "complaint_events", "callbacks", "completions"}
    assert received["callbacks"][0]["note"] == "等待太久"
    assert control.received("callbacks") == received["callbacks"]
    log = control.requests()
    assert [(e["method"], e["path"], e["status"]) for e in log] == [
        ("POST", "/api/v1/oauth/token", 200), ("POST", "/api/v1/callbacks", 201)]
    assert log[1]["idempotency_key"] == "key-1" and log[1]["authorized"] is True
    assert "demo-secret" not in str(log) and portal.token not in str(log)
    control.clear_received()
    control.clear_requests()
    assert control.received("callbacks") == [] and control.requests() == []
    # The key is forgotten with the writes: the same key applies again.
    assert portal.post("/callbacks", body, key="key-1").status_code == 201


def test_clock(emu):
    control = ControlClient(emu.base_url)
    assert control.clock()["now"] == "2026-11-22T08:00:00Z"
    assert control.advance_clock(3600)["now"] == "2026-11-22T09:00:00Z"
    assert control.set_clock("2026-11-23T00:00:00+08:00")["now"] == "2026-11-22T16:00:00Z"
    try:
        control.set_clock("2026-01-01T00:00:00Z")
    except ControlError as error:
        assert error.status == 400
    else:
        raise AssertionError("the clock went back")
    assert control.freeze_clock(False)["frozen"] is False
    assert control.freeze_clock(True)["frozen"] is True


def test_tokens_cursors_reset(emu, portal):
    control = ControlClient(emu.base_url)
    cursor = portal.stream("owners", limit=3).json()["next_cursor"]
    control.expire_cursors()
    assert portal.stream("owners", cursor=cursor).status_code == 410
    assert control.revoke_tokens() == 1
    assert portal.stream("owners").status_code == 401
    portal.get_token()
    before = control.records("owners")
    control.touch("owners", before[0]["id"])
    control.add_faults("503:times=5")
    control.reset()
    assert control.records("owners") == before
    assert control.faults() == [] and control.received("callbacks") == []
    assert portal.stream("owners").status_code == 200  # tokens survive a reset


def test_control_api_can_be_switched_off():
    from crm_portal_emulator.server import Emulator

    with Emulator(owners=2, leads=2, complaints=1, campaigns=1, surveys=1, control_api=False) as emu:
        assert requests.get(emu.control_url, timeout=5).status_code == 404


def test_python_api_shortcuts(emu):
    assert emu.base_url.startswith("http://127.0.0.1:") and emu.base_url.endswith("/api/v1")
    assert emu.token_url == emu.base_url + "/oauth/token"
    assert emu.clock()["now"] == "2026-11-22T08:00:00Z"   # emu.<method> is emu.control.<method>
    assert emu.add_faults("503") == emu.control.faults()


def test_non_loopback_host_is_refused():
    from crm_portal_emulator.server import Emulator

    try:
        Emulator(host="0.0.0.0")
    except ValueError as error:
        assert "loopback" in str(error)
    else:
        raise AssertionError("0.0.0.0 was accepted")
