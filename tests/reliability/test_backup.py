"""`crm db backup` while another process writes, `crm db restore`, `crm db check`."""

from __future__ import annotations

import os
import stat
import threading
import time

from reliability_helpers import env_for, integrity, run, sql


def test_backup_while_writing_is_consistent_and_restores(tmp_path):
    env = env_for(tmp_path, CRM_PLUGINS="")
    assert run(["staff", "add", "li", "--name", "李经理", "--role", "manager"], env).returncode == 0
    for i in range(5):
        assert run(["customer", "add", "--name", f"备份{i}", "--mobile", f"1380000{i:04d}"], env).returncode == 0
    stop = threading.Event()
    written = []

    def writer():
        i = 100
        while not stop.is_set():
            done = run(["customer", "add", "--name", f"备份{i}", "--mobile", f"1380000{i:04d}"], env)
            assert done.returncode == 0 and "locked" not in done.stderr, done.stderr
            written.append(i)
            i += 1

    thread = threading.Thread(target=writer)
    thread.start()
    time.sleep(0.5)
    backups = []
    try:
        for k in range(3):
            target = tmp_path / "backups" / f"b{k}.db"
            target.parent.mkdir(exist_ok=True)
            done = run(["db", "backup", target], {**env, "CRM_USER": "li"})
            assert done.returncode == 0, done.stderr
            backups.append(target)
            time.sleep(0.3)
    finally:
        stop.set()
        thread.join(timeout=60)
    assert written
    for target in backups:
        assert integrity(target) == "ok"
        assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
        # a consistent snapshot: every customer whole (phones row for each mobile), none half-written
        assert sql(target, "SELECT count(*) FROM customers WHERE mobile IS NOT NULL AND id NOT IN "
                           "(SELECT customer_id FROM customer_phones)") == [(0,)]
        check = run(["db", "check"], {**env, "CRM_DB": str(target)})
        assert check.returncode == 0, check.stderr
    # restore the first backup: the database is exactly that backup again
    kept = sql(backups[0], "SELECT id, name FROM customers ORDER BY id")
    assert sql(tmp_path / "crm.db", "SELECT count(*) FROM customers")[0][0] > len(kept) or len(written) == 0
    refused = run(["db", "restore", backups[0]], {**env, "CRM_USER": "li"})
    assert refused.returncode == 2  # needs --yes
    done = run(["db", "restore", backups[0], "--yes"], {**env, "CRM_USER": "li"})
    assert done.returncode == 0, done.stderr
    assert sql(tmp_path / "crm.db", "SELECT id, name FROM customers ORDER BY id") == kept
    assert run(["db", "check"], env).returncode == 0
    assert run(["customer", "add", "--name", "恢复后", "--mobile", "13900009999"], env).returncode == 0

