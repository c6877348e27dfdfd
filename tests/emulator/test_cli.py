"""The console script, started as a subprocess."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests

from crm_portal_emulator.client import ControlClient, EmulatorProcess

SCRIPT = Path(sys.executable).parent / "crm-portal-emulator"
LISTENING = re.compile(r"^listening on (http://127\.0\.0\.1:(\d+)/api/v1)\n$")
SMALL = ["--owners", "10", "--leads", "5", "--complaints", "2", "--campaigns", "3", "--surveys", "2"]


def _command(*args: str) -> list[str]:
    if SCRIPT.exists():
        return [str(SCRIPT), *args]
    return [sys.executable, "-m", "crm_portal_emulator.cli", *args]


def _start(*args: str, env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        _command(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
        env={**os.environ, **(env or {})},
    )
    line = process.stdout.readline()
    match = LISTENING.match(line)
    if not match:
        process.kill()
        raise AssertionError(f"unexpected first line {line!r}; stderr: {process.stderr.read()}")
    return process, match.group(1)


def _token(base_url: str, secret: str = "demo-secret", client_id: str = "demo-client") -> requests.Response:
    return requests.post(f"{base_url}/oauth/token", timeout=5, data={
        "grant_type": "client_credentials", "client_id": client_id, "client_secret": secret})


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_start_call_and_stop_cleanly(sig):
    process, base_url = _start(*SMALL)
    try:
        token = _token(base_url).json()["access_token"]
        answer = requests.get(f"{base_url}/streams/owners", timeout=5,
                              headers={"Authorization": f"Bearer {token}", "X-Dealer-Code": "BJ001"})
        assert answer.status_code == 200 and len(answer.json()["data"]) == 10
    finally:
        process.send_signal(sig)
        out, err = process.communicate(timeout=10)
    assert process.returncode == 0
    assert out == ""          # nothing after the one line
    assert err == ""          # quiet without -v


def test_verbose_logs_requests_but_never_the_secret():
    secret = "s3cret-" + uuid.uuid4().hex
    process, base_url = _start(*SMALL, "-v", "--client-id", "bj001-crm", env={"CRM_PORTAL_SECRET": secret})
    try:
        assert _token(base_url).status_code == 401     # the default secret is not in force
        token = _token(base_url, secret, "bj001-crm").json()["access_token"]
        requests.get(f"{base_url}/streams/leads?limit=2", timeout=5,
                     headers={"Authorization": f"Bearer {token}", "X-Dealer-Code": "BJ001"})
    finally:
        process.terminate()
        out, err = process.communicate(timeout=10)
    assert process.returncode == 0
    lines = err.strip().splitlines()
    assert len(lines) == 3
    assert "POST /api/v1/oauth/token 401" in lines[0]
    assert "GET /api/v1/streams/leads?limit=2 200" in lines[2]
    assert secret not in err and token not in err and "Bearer" not in err


def test_secret_from_another_variable_and_dealer_code():
    with EmulatorProcess([*SMALL, "--client-secret-env", "MY_PORTAL_SECRET", "--dealer-code", "SH002"],
                         env={"MY_PORTAL_SECRET": "other"}) as proc:
        assert _token(proc.base_url, "other").status_code == 200
        assert proc.control.summary()["dealer_code"] == "SH002"
        assert proc.stop() == 0


def test_faults_and_control_api_of_a_subprocess():
    with EmulatorProcess([*SMALL, "--faults", "503:path=/oauth/token,times=1", "--token-ttl", "60",
                          "--start-time", "2026-11-22T08:00:00Z", "--freeze-clock"]) as proc:
        assert _token(proc.base_url).status_code == 503
        body = _token(proc.base_url).json()
        assert body["expires_in"] == 60
        proc.control.add_faults("drop:path=/streams/*")
        headers = {"Authorization": f"Bearer {body['access_token']}", "X-Dealer-Code": "BJ001"}
        with pytest.raises(requests.ConnectionError):
            requests.get(f"{proc.base_url}/streams/owners", headers=headers, timeout=5)
        assert proc.control.clock()["now"] == "2026-11-22T08:00:00Z"
        proc.control.advance_clock(60)
        assert requests.get(f"{proc.base_url}/streams/owners", headers=headers, timeout=5).status_code == 401


def test_state_file_survives_a_restart(tmp_path):
    state = tmp_path / "portal.json"
    args = [*SMALL, "--state", str(state), "--start-time", "2026-11-22T08:00:00Z", "--freeze-clock"]
    with EmulatorProcess(args) as proc:
        control = proc.control
        control.advance_clock(120)
        changed = control.update("owners", "OWN-000001", plate="京A00001")
        token = _token(proc.base_url).json()["access_token"]
        owner = control.record("owners", "OWN-000002")
        answer = requests.post(f"{proc.base_url}/callbacks", timeout=5, json={
            "vin": owner["vin"], "phone": owner["owner"]["phone"], "visit_on": "2026-11-20",
            "called_at": "2026-11-22T08:00:00Z", "result": "satisfied", "score": 10}, headers={
            "Authorization": f"Bearer {token}", "X-Dealer-Code": "BJ001", "Idempotency-Key": "k-1"})
        assert answer.status_code == 201
        assert proc.stop() == 0
    saved = json.loads(state.read_text(encoding="utf-8"))
    assert saved["format"] == 1 and "demo-secret" not in state.read_text(encoding="utf-8")
    with EmulatorProcess(args) as proc:
        control = ControlClient(proc.base_url)
        assert control.record("owners", "OWN-000001") == changed
        assert len(control.received("callbacks")) == 1
        assert control.clock()["now"] == "2026-11-22T08:02:00Z"   # never back
        token = _token(proc.base_url).json()["access_token"]
        replay = requests.post(f"{proc.base_url}/callbacks", timeout=5, json={
            "vin": owner["vin"], "phone": owner["owner"]["phone"], "visit_on": "2026-11-20",
            "called_at": "2026-11-22T08:00:00Z", "result": "satisfied", "score": 10}, headers={
            "Authorization": f"Bearer {token}", "X-Dealer-Code": "BJ001", "Idempotency-Key": "k-1"})
        assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"


def test_bad_arguments_exit_2():
    for args in (["--host", "0.0.0.0"], ["--faults", "explode"], ["--owners", "-1"], ["--start-time", "today"]):
        result = subprocess.run(_command(*args), capture_output=True, text=True, timeout=20)
        assert result.returncode == 2, args
        assert result.stdout == ""
    assert "loopback" in subprocess.run(_command("--host", "10.1.2.3"), capture_output=True, text=True,
                                        timeout=20).stderr


def test_help_documents_the_default_secret():
    result = subprocess.run(_command("--help"), capture_output=True, text=True, timeout=20)
    assert result.returncode == 0
    assert "CRM_PORTAL_SECRET" in result.stdout and "demo-secret" in result.stdout
