"""Helpers for the reliability tests: real crm processes against one database file."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

#: Long tests scale with this (seconds of load / number of kills); short by default in the suite.
SOAK_SECONDS = float(os.environ.get("CRM_SOAK_SECONDS", "10"))
KILLS = int(os.environ.get("CRM_KILLS", "10"))

SECRET = "Rel-S3cr3t-0b5e77d2a9"
EMU_SMALL = dict(seed=5, owners=30, leads=16, complaints=6, campaigns=4, surveys=10)
EMU_START = "2026-11-22T08:00:00Z"


def exe() -> str:
    return str(Path(sys.executable).with_name("crm"))


def env_for(tmp_path: Path, **extra) -> dict:
    if tmp_path.is_dir() and not (tmp_path / "config.toml").exists():
        (tmp_path / "config.toml").touch()  # CRM_CONFIG names it: it must exist
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRM_")}
    env.update({"CRM_DB": str(tmp_path / "crm.db"), "CRM_CONFIG": str(tmp_path / "config.toml"),
                "CRM_PORTAL_SECRET": SECRET, "CRM_NOW": "2026-11-20T10:00:00",
                "CRM__IDENTITY__ANONYMOUS": "write"})  # a single-person dealer (tests/conftest.py)
    env.update({k: v for k, v in extra.items() if v is not None})
    return env


def write_portal_config(tmp_path: Path, url: str, extra: str = "") -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'dealer_code = "BJ001"\n[log]\npath = "{tmp_path}/logs/crm.log"\n'
                    f'[portal]\nurl = "{url}"\nclient_id = "demo-client"\npage_limit = 10\n'
                    f'retries = 2\nbackoff = 0.01\nbackoff_max = 0.05\ntimeout = 5\n' + extra, encoding="utf-8")
    return path


def run(args, env, timeout=120, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([exe(), *map(str, args)], capture_output=True, text=True, env=env, timeout=timeout, **kw)


def sql(db: Path, query: str, params=()) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(query, params).fetchall()
    finally:
        conn.close()


def integrity(db: Path) -> str:
    return sql(db, "PRAGMA integrity_check")[0][0]


def archive_with_callbacks(tmp_path: Path, customers: int = 300) -> None:
    """A database of ``customers`` with cars and visits (bench generator), the daily plan run."""
    from bench.callbacks_bench import generate

    env = env_for(tmp_path)
    assert run(["db", "migrate"], env).returncode == 0  # the schema, core and plugins
    generate(tmp_path / "crm.db", customers)
    done = run(["callbacks", "plan", "--as-of", "2026-11-20"], env)
    assert done.returncode == 0, done.stderr
