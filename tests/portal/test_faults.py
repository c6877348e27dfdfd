"""Every fault of the contract, injected by the emulator, over HTTP."""

from __future__ import annotations

import pytest


def _complete(sync, emu):
    """The archive holds exactly the portal's live records, each at its current version."""
    for stream in ("owners", "leads", "complaints", "campaigns", "surveys"):
        want = {r["id"]: r["version"] for r in sync.live(emu.control.records(stream))}
        got = dict(sync.sql("SELECT id, version FROM portal_records WHERE stream = ? AND deleted = 0", (stream,)))
        assert got == want, stream
    assert sync.scalar("SELECT count(*) FROM vehicles") == len(sync.live(emu.control.records("owners")))


def test_429_retry_after_seconds(sync, emu, sleeps):
    emu.control.add_faults("429:path=/streams/leads,retry_after=3,times=1")
    sync.run()
    assert 3.0 in sleeps
    _complete(sync, emu)


def test_429_retry_after_http_date_uses_the_server_clock(sync, emu, sleeps):
    emu.control.add_faults("429:path=/streams/owners,retry_after=7,retry_format=date,times=1")
    sync.run()
    assert 7.0 in sleeps  # measured against the server's Date header, not our clock (CRM_NOW is days off)
    _complete(sync, emu)


def test_429_beyond_the_limit_is_temporary(sync, emu):
    emu.control.add_faults("429:path=/streams/owners,retry_after=9999,times=1")
    result = sync.run(expect=75)
    assert "Retry-After" in result.stderr


@pytest.mark.parametrize("spec", ["503:path=/streams/*,times=3", "502:times=2", "504:path=/streams/leads,times=2",
                                  "drop:path=/streams/*,times=3", "drop:path=/oauth/token,times=1",
                                  "truncated:path=/streams/owners,times=2", "malformed:path=/streams/complaints,times=1"])
def test_transient_faults_are_retried(sync, emu, sleeps, spec):
    emu.control.add_faults(spec)
    sync.run()
    assert sleeps, "a retry waits (backoff with jitter)"
    assert all(0 <= s <= 0.05 for s in sleeps)  # bounded by portal.backoff_max
    _complete(sync, emu)


def test_5xx_every_time_exits_75_with_a_summary_and_applies_nothing_wrong(sync, emu, sleeps):
    emu.control.add_faults("503:path=/streams/leads,times=*")
    result = sync.run(expect=75)
    assert "sync failed" in result.stderr and "leads failed" in result.stderr and "503" in result.stderr
    assert len(sleeps) == 4  # portal.retries
    # the stream before it landed; the failing one kept no bookmark
    assert sync.scalar("SELECT count(*) FROM vehicles") > 0
    assert sync.scalar("SELECT updated_since FROM portal_streams WHERE stream = 'leads'") is None
    assert "503" in sync.scalar("SELECT last_error FROM portal_streams WHERE stream = 'leads'")
    emu.control.clear_faults()
    sync.run()
    _complete(sync, emu)


def test_malformed_every_time_is_exit_2_and_nothing_applied(sync, emu):
    emu.control.add_faults("malformed:path=/streams/leads,times=*")
    result = sync.run(expect=2)
    assert "not valid JSON" in result.stderr and "was not applied" in result.stderr
    assert sync.scalar("SELECT count(*) FROM portal_leads") == 0


def test_truncated_every_time_is_temporary_and_nothing_applied(sync, emu):
    emu.control.add_faults("truncated:path=/streams/leads,times=*")
    result = sync.run(expect=75)
    assert "cut short" in result.stderr
    assert sync.scalar("SELECT count(*) FROM portal_leads") == 0


def test_401_token_expiry_gets_a_new_token_once(sync, emu):
    emu.control.add_faults("expire_token:path=/streams/complaints,times=1")
    sync.run()
    tokens = [r for r in emu.control.requests() if r["path"].endswith("/oauth/token")]
    assert len(tokens) == 2
    _complete(sync, emu)


def test_401_with_the_clock_past_the_token_ttl(sync, emu):
    sync.run()
    emu.control.advance_clock(301)
    emu.control.update("leads", sync.live(emu.control.records("leads"))[0]["id"], comments="再次来电")
    sync.run()
    _complete(sync, emu)


def test_410_cursor_expiry_restarts_from_the_stored_bookmark(sync, emu):
    emu.control.add_faults("410:path=/streams/owners,times=1,after=1")
    summary = sync.summary()
    assert summary["streams"]["owners"]["pages"] >= 3
    owner_reads = [r for r in sync.stream_requests() if r["path"].endswith("/owners")]
    assert any(r["status"] == 410 for r in owner_reads)
    _complete(sync, emu)


def test_records_changing_while_paging(sync, emu):
    emu.control.add_faults("mutate_while_paging:stream=owners,times=2;mutate_while_paging:stream=leads,pick=last")
    sync.run()
    _complete(sync, emu)
    sync.run()  # and the next run changes nothing
    _complete(sync, emu)


def test_dealer_code_refused_is_a_clear_error(sync, emu):
    result = sync.run(expect=2, env={"CRM_DEALER_CODE": "SH009"})
    assert "403" in result.stderr and "does not act for dealer SH009" in result.stderr


def test_unreachable_portal_exits_75(sync, emu):
    sync.crm.write_config(sync.crm.config_path.read_text().replace(emu.base_url, "http://127.0.0.1:9/api/v1"))
    result = sync.run(expect=75)
    assert "try again later" in result.stderr


def test_a_stale_stored_cursor_is_dropped(sync, emu):
    sync.run()
    sync.sql("SELECT 1")
    import sqlite3

    conn = sqlite3.connect(sync.crm.db_path)
    conn.execute("UPDATE portal_streams SET cursor = 'garbage-cursor' WHERE stream = 'leads'")
    conn.commit()
    conn.close()
    sync.run()
    assert sync.scalar("SELECT cursor FROM portal_streams WHERE stream = 'leads'") is None
