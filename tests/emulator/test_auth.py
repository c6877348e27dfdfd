"""OAuth2 client credentials, token expiry and the dealer code."""

from __future__ import annotations

import base64

import requests


def test_token_with_form_credentials(portal):
    answer = portal.get_token()
    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 300
    assert len(body["access_token"]) > 20
    assert answer.headers["Cache-Control"] == "no-store"


def test_token_with_basic_credentials(emu):
    basic = base64.b64encode(b"demo-client:demo-secret").decode()
    answer = requests.post(emu.token_url, data={"grant_type": "client_credentials"},
                           headers={"Authorization": f"Basic {basic}"}, timeout=5)
    assert answer.status_code == 200


def test_wrong_secret_is_invalid_client(portal):
    answer = portal.get_token(secret="wrong")
    assert answer.status_code == 401
    assert answer.headers["Content-Type"] == "application/problem+json"
    problem = answer.json()
    assert problem["error"] == "invalid_client"
    assert problem["status"] == 401
    assert {"type", "title", "status", "detail"} <= set(problem)
    assert "wrong" not in answer.text and "demo-secret" not in answer.text


def test_unsupported_grant_and_content_type(emu):
    answer = requests.post(emu.token_url, data={"grant_type": "password"}, timeout=5)
    assert answer.status_code == 400
    assert answer.json()["error"] == "unsupported_grant_type"
    answer = requests.post(emu.token_url, json={"grant_type": "client_credentials"}, timeout=5)
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_request"


def test_call_without_token_is_401(emu):
    answer = requests.get(f"{emu.base_url}/streams/leads", headers={"X-Dealer-Code": "BJ001"}, timeout=5)
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_token_expires_with_the_server_clock(emu, portal):
    assert portal.stream("leads").status_code == 200
    emu.control.advance_clock(299)
    assert portal.stream("leads").status_code == 200
    emu.control.advance_clock(1)
    expired = portal.stream("leads")
    assert expired.status_code == 401
    assert 'error="invalid_token"' in expired.headers["WWW-Authenticate"]
    portal.get_token()
    assert portal.stream("leads").status_code == 200


def test_short_token_ttl():
    from crm_portal_emulator.server import Emulator

    with Emulator(owners=3, leads=3, complaints=1, campaigns=1, surveys=1, token_ttl=5, frozen_clock=True) as emu:
        token = requests.post(emu.token_url, data={"grant_type": "client_credentials", "client_id": "demo-client",
                                                   "client_secret": "demo-secret"}, timeout=5).json()
        assert token["expires_in"] == 5
        headers = {"Authorization": f"Bearer {token['access_token']}", "X-Dealer-Code": "BJ001"}
        emu.control.advance_clock(5)
        assert requests.get(f"{emu.base_url}/streams/owners", headers=headers, timeout=5).status_code == 401


def test_revoke_tokens(emu, portal):
    assert emu.control.revoke_tokens() == 1
    assert portal.stream("owners").status_code == 401


def test_expire_token_fault_once(emu, portal):
    emu.control.add_faults("expire_token")
    first = portal.stream("owners")
    assert first.status_code == 401
    assert portal.stream("owners").status_code == 401  # the token really is gone
    portal.get_token()
    assert portal.stream("owners").status_code == 200


def test_other_dealer_is_403(make_portal):
    other = make_portal(dealer_code="SH002")
    answer = other.stream("leads")
    assert answer.status_code == 403
    assert answer.json()["type"].endswith("/forbidden-dealer")


def test_missing_dealer_code_is_400(emu, portal):
    answer = requests.get(f"{emu.base_url}/streams/leads", headers={"Authorization": f"Bearer {portal.token}"},
                          timeout=5)
    assert answer.status_code == 400
    assert answer.json()["type"].endswith("/missing-dealer-code")


def test_token_request_for_another_dealer_is_403(emu):
    answer = requests.post(emu.token_url, headers={"X-Dealer-Code": "SH002"}, timeout=5, data={
        "grant_type": "client_credentials", "client_id": "demo-client", "client_secret": "demo-secret"})
    assert answer.status_code == 403


def test_other_dealer_client_config():
    from crm_portal_emulator.server import Emulator

    with Emulator(dealer_code="SH002", client_id="sh", client_secret="s3", owners=2, leads=2, complaints=1,
                  campaigns=1, surveys=1) as emu:
        answer = requests.post(emu.token_url, timeout=5, data={
            "grant_type": "client_credentials", "client_id": "sh", "client_secret": "s3"})
        assert answer.status_code == 200
        headers = {"Authorization": "Bearer " + answer.json()["access_token"], "X-Dealer-Code": "BJ001"}
        assert requests.get(f"{emu.base_url}/streams/leads", headers=headers, timeout=5).status_code == 403
