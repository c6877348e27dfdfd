"""A full disk (a file-size limit) in the middle of a write: a clear error, nothing half-written."""

import os
import resource
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path


def _limited(max_bytes: int):
    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # get EFBIG instead of being killed
        resource.setrlimit(resource.RLIMIT_FSIZE, (max_bytes, max_bytes))
    return apply


def _crm(args, env, limit=None):
    exe = str(Path(sys.executable).with_name("crm"))
    return subprocess.run([exe, *args], capture_output=True, text=True, env={**os.environ, **env},
                          preexec_fn=_limited(limit) if limit else None, timeout=60)


def test_write_on_a_full_disk_fails_cleanly_and_keeps_everything_committed(tmp_path):
    env = {"CRM_DB": str(tmp_path / "crm.db"), "CRM_CONFIG": str(tmp_path / "config.toml")}
    assert _crm(["customer", "add", "--name", "张三"], env).returncode == 0
    conn = sqlite3.connect(tmp_path / "crm.db")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    result = _crm(["customer", "add", "--name", "李四", "--mobile", "13812345678"], env, limit=2048)
    assert result.returncode == 75, result.stderr
    assert "the disk is full" in result.stderr and "nothing was written" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    conn = sqlite3.connect(tmp_path / "crm.db")
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert conn.execute("SELECT name FROM customers").fetchall() == [("张三",)]
    conn.close()
    assert _crm(["customer", "add", "--name", "李四"], env).returncode == 0


def test_backup_on_a_full_disk_leaves_no_partial_file(tmp_path):
    env = {"CRM_DB": str(tmp_path / "crm.db"), "CRM_CONFIG": str(tmp_path / "config.toml")}
    assert _crm(["customer", "add", "--name", "张三"], env).returncode == 0
    target = tmp_path / "out" / "backup.db"
    target.parent.mkdir()
    size = os.path.getsize(tmp_path / "crm.db")
    result = _crm(["db", "backup", str(target)], env, limit=size // 4)
    assert result.returncode in (2, 75), result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert list(target.parent.iterdir()) == []
