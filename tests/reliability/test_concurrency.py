"""A cron sync and four writers at once: every write lands, no "database is locked" reaches a user.

CRM_SOAK_SECONDS scales the load (10 s by default in the suite; 30 s is the issue's figure).
"""

from __future__ import annotations

import threading
import time

import pytest

from crm_portal_emulator.server import Emulator

from reliability_helpers import (EMU_SMALL, EMU_START, SECRET, SOAK_SECONDS, archive_with_callbacks, env_for,
                                 integrity, run, sql, write_portal_config)


@pytest.mark.slow
def test_cron_sync_and_four_writers_at_once(tmp_path):
    with Emulator(**EMU_SMALL, start_time=EMU_START, frozen_clock=True, client_secret=SECRET) as emu:
        write_portal_config(tmp_path, emu.base_url)
        archive_with_callbacks(tmp_path, 400)
        db = tmp_path / "crm.db"
        open_tasks = [r[0] for r in sql(db, "SELECT id FROM callback_tasks WHERE status = 'open' ORDER BY id")]
        assert len(open_tasks) >= 20
        env = env_for(tmp_path, CRM_USER="cb00")
        deadline = time.monotonic() + SOAK_SECONDS
        outcomes: dict[str, list] = {"customers-a": [], "customers-b": [], "callbacks": [], "complaints": [],
                                     "sync": []}

        def loop(name, make_args):
            i = 0
            while time.monotonic() < deadline:
                args = make_args(i)
                if args is None:
                    break
                done = run(args, env)
                outcomes[name].append((args, done.returncode, done.stderr))
                i += 1

        workers = {
            "customers-a": lambda i: ["customer", "add", "--name", f"并发甲{i}", "--mobile", f"1390000{i:04d}"],
            "customers-b": lambda i: ["customer", "add", "--name", f"并发乙{i}", "--mobile", f"1370000{i:04d}",
                                      "--city", "北京"],
            "callbacks": lambda i: (["callbacks", "record", open_tasks[i], "--result", "satisfied", "--score", "9"]
                                    if i < len(open_tasks) else None),
            "complaints": lambda i: ["complaints", "open", "--customer", str(1 + i % 50), "--channel", "phone",
                                     "--category", "repair_quality", "--severity", "normal",
                                     "--description", f"并发投诉{i}"],
            "sync": lambda i: ["--quiet", "sync", "run"],
        }
        threads = [threading.Thread(target=loop, args=(name, fn)) for name, fn in workers.items()]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=SOAK_SECONDS + 180)

    everything = [o for runs in outcomes.values() for o in runs]
    assert all(len(runs) >= 1 for runs in outcomes.values()), {k: len(v) for k, v in outcomes.items()}
    for args, code, err in everything:
        assert "locked" not in err.lower() and "busy" not in err.lower(), (args, err)
        assert "Traceback" not in err, (args, err)
        if args[-2:] == ["sync", "run"] and code == 3:
            # the callbacks' survey results for made-up visits are refused by the portal and parked for
            # a person: "needs a person" (3) is the sync's right answer, not a failure of concurrency
            assert "parked" in err and "sync ok" in err, err
            continue
        assert code == 0, (args, code, err)
    # Every write landed, exactly once.
    assert sql(db, "SELECT count(*) FROM customers WHERE name LIKE '并发甲%'")[0][0] == len(outcomes["customers-a"])
    assert sql(db, "SELECT count(*) FROM customers WHERE name LIKE '并发乙%'")[0][0] == len(outcomes["customers-b"])
    recorded = [a[2] for a, _, _ in outcomes["callbacks"]]
    done_ids = {r[0] for r in sql(db, "SELECT id FROM callback_tasks WHERE status = 'done'")}
    assert set(recorded) <= done_ids and len(recorded) >= 1
    assert sql(db, "SELECT count(*) FROM complaints_tickets WHERE description LIKE '并发投诉%'")[0][0] == len(
        outcomes["complaints"])
    assert sql(db, "SELECT count(*) FROM portal_records WHERE stream = 'owners'")[0][0] > 0  # the sync landed
    assert integrity(db) == "ok"
