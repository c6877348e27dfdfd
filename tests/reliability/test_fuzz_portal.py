"""Hostile portal answers: a stub answering the streams with random JSON shapes, and the
emulator's malformed/truncated faults.  Always exit 2 or 75 (or 0 when the shape happens to be
valid), one line, no traceback, and nothing in the database but already-committed pages."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer
from werkzeug import Response

SECRET = "Fuzz-S3cr3t-91c0"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12)
records = st.fixed_dictionaries({}, optional={
    "id": st.one_of(st.text(max_size=8), st.integers(), st.none()),
    "version": st.one_of(st.integers(), st.text(max_size=3), st.none()),
    "updated_at": st.one_of(st.just("2026-11-22T08:00:00Z"), st.text(max_size=12), st.integers()),
    "deleted": st.one_of(st.booleans(), st.integers(), st.text(max_size=2)),
    "owner": json_values, "vehicle": json_values})
pages = st.one_of(
    json_values,
    st.fixed_dictionaries({"data": st.one_of(st.lists(records, max_size=4), json_values)},
                          optional={"next_cursor": st.one_of(st.none(), st.text(max_size=6), st.integers()),
                                    "server_time": st.one_of(st.just("2026-11-22T09:00:00Z"), json_values)}))


def _config(crm, url):
    crm.write_config(f'dealer_code = "BJ001"\n[portal]\nurl = "{url}"\nclient_id = "demo-client"\n'
                     f'page_limit = 10\nretries = 1\nbackoff = 0.0\nbackoff_max = 0.0\ntimeout = 3\n')


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(answer=pages, raw=st.one_of(st.none(), st.binary(max_size=40)))
# found by this test: an empty updated_at became the stream's bookmark and crashed the next compare
@example(answer={"data": [{"id": None, "updated_at": ""}], "server_time": "2026-11-22T09:00:00Z"}, raw=None)
@example(answer={"data": [{"id": "a", "version": 1, "updated_at": "yesterday"}], "next_cursor": None,
                 "server_time": "2026-11-22T09:00:00Z"}, raw=None)
def test_random_stream_answers(crm, monkeypatch, httpserver: HTTPServer, answer, raw):
    from crm_portal import client

    monkeypatch.setattr(client, "sleep", lambda s: None)
    monkeypatch.setenv("CRM_PORTAL_SECRET", SECRET)
    httpserver.clear()
    httpserver.expect_request("/oauth/token").respond_with_json({"access_token": "tok", "expires_in": 3600,
                                                                  "token_type": "Bearer"})
    body = raw if raw is not None else json.dumps(answer)
    httpserver.expect_request("/streams/owners").respond_with_response(
        Response(body, status=200, content_type="application/json"))
    for stream in ("leads", "complaints", "campaigns", "surveys"):
        httpserver.expect_request(f"/streams/{stream}").respond_with_json(
            {"data": [], "next_cursor": None, "server_time": "2026-11-22T09:00:00Z"})
    _config(crm, httpserver.url_for("/").rstrip("/"))
    crm("sync", "status")  # the schema
    customers = crm.sql("SELECT count(*) FROM customers")
    result = crm("sync", "run", expect=None)
    assert result.exit_code in (0, 2, 3, 75), (result.exit_code, result.stderr)
    assert "Traceback" not in result.stderr and SECRET not in result.stderr + result.stdout
    if result.exit_code in (2, 75):
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1, result.stderr
        # the owners page failed as a whole: nothing of it landed
        assert crm.sql("SELECT count(*) FROM customers") == customers
    assert crm.sql("PRAGMA integrity_check") == [("ok",)]
    for suffix in ("", "-wal", "-shm"):  # the next example starts from an empty database
        crm.db_path.with_name(crm.db_path.name + suffix).unlink(missing_ok=True)


def test_malformed_and_truncated_after_committed_pages(crm, monkeypatch):
    """The emulator's faults on the third page: the two committed pages stay, nothing else lands."""
    from crm_portal import client
    from crm_portal_emulator.server import Emulator

    monkeypatch.setattr(client, "sleep", lambda s: None)
    monkeypatch.setenv("CRM_PORTAL_SECRET", SECRET)
    with Emulator(seed=5, owners=40, leads=4, complaints=2, campaigns=2, surveys=2,
                  start_time="2026-11-22T08:00:00Z", frozen_clock=True, client_secret=SECRET) as emu:
        _config(crm, emu.base_url)
        for fault, codes, after in (("malformed", (2,), 2), ("truncated", (2, 75), 1)):
            emu.control.clear_faults()
            emu.control.add_faults(f"{fault}:path=/streams/owners,after={after},times=*")
            result = crm("sync", "run", expect=None)
            assert result.exit_code in codes, (fault, result.exit_code, result.stderr)
            assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
            owners = crm.sql("SELECT count(*) FROM portal_records WHERE stream = 'owners'")[0][0]
            assert owners % 10 == 0 and owners <= 40  # only whole, committed pages
            assert crm.sql("PRAGMA integrity_check") == [("ok",)]
        emu.control.clear_faults()
        assert crm("sync", "run", expect=None).exit_code in (0, 3)
        live = [r for r in emu.control.records("owners") if not r.get("deleted")]
        assert crm.sql("SELECT count(*) FROM portal_records WHERE stream = 'owners' AND deleted = 0")[0][0] == len(live)


def test_a_portal_repeating_its_cursor_does_not_page_forever(crm, monkeypatch, httpserver: HTTPServer):
    """Found by the fuzzer: an answer whose next_cursor never changes kept `crm sync run` paging forever."""
    monkeypatch.setenv("CRM_PORTAL_SECRET", SECRET)
    httpserver.expect_request("/oauth/token").respond_with_json({"access_token": "tok", "expires_in": 3600})
    page = {"data": [], "next_cursor": "again", "server_time": "2026-11-22T09:00:00Z"}
    httpserver.expect_request("/streams/owners").respond_with_json(page)
    for stream in ("leads", "complaints", "campaigns", "surveys"):
        httpserver.expect_request(f"/streams/{stream}").respond_with_json(
            {"data": [], "next_cursor": None, "server_time": "2026-11-22T09:00:00Z"})
    _config(crm, httpserver.url_for("/").rstrip("/"))
    result = crm("sync", "run", expect=2)
    assert "next_cursor" in result.stderr and "repeats" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert len([r for r, _ in httpserver.log if r.path == "/streams/owners"]) == 2
