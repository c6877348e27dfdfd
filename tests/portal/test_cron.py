"""Cron: the lock, the secret, the log file, kill -9 in the middle of a sync and of a flush."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

from crm_portal_emulator.server import Emulator


def _exe() -> str:
    return str(Path(sys.executable).with_name("crm"))


def _start(*args: str) -> subprocess.Popen:
    return subprocess.Popen([_exe(), "sync", "run", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=dict(os.environ))


def _wait_for(predicate, timeout=15.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    raise AssertionError("timed out")


def test_second_run_exits_75_while_the_lock_is_held(sync, emu):
    from filelock import FileLock

    holder = FileLock(str(sync.crm.db_path) + ".sync.lock", timeout=0)
    holder.acquire()
    try:
        result = sync.run(expect=75)
        assert "another 'crm sync' is running" in result.stderr
        sync.crm("sync", "outbox", "--send", expect=75)
    finally:
        holder.release()
    sync.run()


def test_overlapping_processes_one_waits_out(sync, emu):
    sync.crm("sync", "status")  # migrate first
    emu.control.add_faults("delay:path=/streams/owners,seconds=1.5,times=1")
    first = _start()
    _wait_for(lambda: any(r["path"].endswith("/oauth/token") for r in emu.control.requests()))
    second = subprocess.run([_exe(), "sync", "run"], capture_output=True, text=True, env=dict(os.environ),
                            timeout=30)
    assert second.returncode == 75, second.stderr
    assert "another 'crm sync' is running" in second.stderr and second.stdout == ""
    out, err = first.communicate(timeout=30)
    assert first.returncode == 0, err
    assert out == "" and err == ""


def test_secret_never_leaks(sync, emu, tmp_path):
    emu.control.add_faults("expire_token:path=/streams/leads,times=1;503:path=/streams/surveys,times=1;"
                           "lost_response:path=/leads/*/followups")
    sync.run()
    lead = sync.live(emu.control.records("leads"))[0]
    sync.crm("staff", "add", "chenjing", "--name", "陈静", "--role", "appointment")
    sync.crm("sync", "followup", lead["id"], "--outcome", "reached", env={"CRM_USER": "chenjing"})
    verbose = subprocess.run([_exe(), "sync", "run", "-vv"], capture_output=True, text=True, env=dict(os.environ),
                             timeout=60)
    assert verbose.returncode == 0, verbose.stderr
    assert "sync ok" in verbose.stdout and "GET /streams/owners" in verbose.stderr
    as_json = subprocess.run([_exe(), "sync", "run", "--format", "json", "-vv"], capture_output=True, text=True,
                             env=dict(os.environ), timeout=60)
    failing = subprocess.run([_exe(), "sync", "run", "-vv"], capture_output=True, text=True, timeout=60,
                             env={**os.environ, "CRM_PORTAL_SECRET": sync.secret + "x"})
    assert failing.returncode == 2
    shown = sync.crm("config", "show")
    texts = [verbose.stdout, verbose.stderr, as_json.stdout, as_json.stderr, failing.stdout, failing.stderr,
             shown.stdout]
    blobs = [Path(str(sync.crm.db_path) + suffix).read_bytes() for suffix in ("", "-wal", "-shm")
             if Path(str(sync.crm.db_path) + suffix).exists()]
    logs = list(sync.log.parent.glob("crm.log*"))
    assert logs and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in logs)
    blobs += [p.read_bytes() for p in logs]
    for text in texts:
        assert sync.secret not in text and "Bearer" not in text
    for blob in blobs:
        assert sync.secret.encode() not in blob and b"Bearer" not in blob
    assert b"sync ok" in b"".join(p.read_bytes() for p in logs)


def test_secret_from_a_password_command(sync, emu, monkeypatch, tmp_path):
    monkeypatch.delenv("CRM_PORTAL_SECRET")
    script = tmp_path / "pw.py"
    script.write_text(f"print({sync.secret!r})\n")
    sync.configure(f'client_secret_command = ["{sys.executable}", "{script}"]\n')
    sync.run()
    sync.configure('client_secret_command = "false"\n')
    assert "exited 1" in sync.run(expect=2).stderr
    sync.configure()
    result = sync.run(expect=2)
    assert "no portal client secret" in result.stderr and "CRM_PORTAL_SECRET" in result.stderr
    sync.configure(f'client_secret = "{sync.secret}"\n')
    result = sync.run(expect=2)
    assert "must not be written in the config file" in result.stderr and sync.secret not in result.stderr


def _complete(sync, emu):
    owners = sync.live(emu.control.records("owners"))
    assert sync.scalar("SELECT count(*) FROM vehicles") == len(owners)
    assert sync.scalar("SELECT count(*) FROM vehicle_owners") == len(owners)
    assert sync.scalar("SELECT count(*) FROM (SELECT mobile FROM customers GROUP BY mobile HAVING count(*) > 1)") == 0
    for stream in ("owners", "leads", "complaints", "campaigns", "surveys"):
        want = {r["id"]: r["version"] for r in sync.live(emu.control.records(stream))}
        got = dict(sync.sql("SELECT id, version FROM portal_records WHERE stream = ? AND deleted = 0", (stream,)))
        assert got == want, stream


def test_kill_9_in_the_middle_of_a_sync_then_rerun(sync, emu):
    sync.crm("sync", "status")
    emu.control.add_faults("delay:path=/streams/owners,seconds=5,after=2,times=1")
    proc = _start()
    _wait_for(lambda: sum(1 for r in emu.control.requests() if r["path"].endswith("/streams/owners")
                          and r["status"] == 200) >= 2)
    time.sleep(0.3)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    # two pages landed with their bookmark (and the cursor of the unfinished pass)
    assert sync.scalar("SELECT count(*) FROM vehicles") == 20
    assert sync.scalar("SELECT cursor FROM portal_streams WHERE stream = 'owners'")
    emu.control.clear_faults()
    emu.control.clear_requests()
    sync.run()
    first = [r for r in sync.stream_requests() if r["path"].endswith("/owners")][0]
    assert "cursor" in first["query"]  # resumed where it stopped
    _complete(sync, emu)


def test_kill_9_in_the_middle_of_an_outbox_flush_then_rerun(sync, emu):
    sync.run()
    sync.crm("staff", "add", "chenjing", "--name", "陈静", "--role", "appointment")
    leads = sync.live(emu.control.records("leads"))[:5]
    for lead in leads:
        sync.crm("sync", "followup", lead["id"], "--outcome", "reached", env={"CRM_USER": "chenjing"})
    emu.control.add_faults("delay:path=/leads/*/followups,seconds=3,after=2,times=1")
    proc = _start()
    _wait_for(lambda: len(emu.control.received("followups")) >= 2)
    time.sleep(0.3)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    _wait_for(lambda: len(emu.control.received("followups")) >= 3)  # the portal applied the delayed one
    assert sync.scalar("SELECT count(*) FROM portal_outbox WHERE status = 'sent'") == 2
    emu.control.clear_faults()
    sync.run()
    got = emu.control.received("followups")
    assert sorted(r["lead_id"] if "lead_id" in r else r.get("lead") for r in got) == sorted(
        lead["id"] for lead in leads) or len(got) == 5
    assert len(got) == 5
    assert sync.sql("SELECT DISTINCT status FROM portal_outbox") == [("sent",)]
    keys = [r["idempotency_key"] for r in emu.control.requests() if r["method"] == "POST"
            and "followups" in r["path"]]
    stored = {r[0] for r in sync.sql("SELECT idempotency_key FROM portal_outbox")}
    assert set(keys) <= stored  # nothing ever sent under another key
