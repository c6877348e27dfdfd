"""A store of a dealer group made from the sample-data generator (for tests/group and bench/group_bench).

``build_store(root, code, customers, seed)`` makes ``root/crm.db`` and ``root/config.toml``
(dealer code ``code``): the generator's staff (SQL), its customers and vehicles through the
real import (``crm customer import``), its repair orders (``crm visit import``), and its
appointments and contact log (SQL, as tests/reports do: no import exists for those), then a few
dozen rows of the plugins' activity (bench/group_activity.py: complaints, an event, surveys,
portal leads, callbacks) through their own commands. Change
capture is switched on at the end (``crm group enable``), so the first export is a full one.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

NOW = "2026-11-20T10:00:00"
KEY = "group-key-for-tests-0123456789"
MANAGER = "boss"


def store_env(root: Path, base: dict | None = None) -> dict:
    env = {k: v for k, v in (base if base is not None else os.environ).items() if not k.startswith("CRM_")}
    env.update({"CRM_DB": str(root / "crm.db"), "CRM_CONFIG": str(root / "config.toml"), "CRM_NOW": NOW,
                "CRM_GROUP_KEY": KEY})
    return env


def crm(root: Path, *args, ok=(0,), env: dict | None = None) -> subprocess.CompletedProcess:
    """Run ``crm`` as a process on the store in ``root``."""
    done = subprocess.run([sys.executable, "-m", "crm", *map(str, args)], env=env or store_env(root),
                          capture_output=True, text=True, timeout=600)
    if done.returncode not in ok:
        raise AssertionError(f"crm {' '.join(map(str, args))} exited {done.returncode}: {done.stderr[-2000:]}")
    return done


def write_config(root: Path, code: str) -> None:
    (root / "config.toml").write_text(f'dealer_code = "{code}"\ndealer_name = "{code} 4S店"\n', encoding="utf-8")
    os.chmod(root / "config.toml", 0o600)


def build_store(root: Path, code: str, customers: int, seed: int, run=None, activity: bool = True) -> Path:
    """The store; ``run(root, *args, ok=…)`` runs crm (default: as a process, :func:`crm`);
    ``activity``: the plugins' activity too (bench/group_activity.py)."""
    from crm.context import App
    from crm.sampledata import Generator

    run = run or crm
    from crm.sampledata.files import write_customers_csv, write_visits_csv

    root.mkdir(parents=True, exist_ok=True)
    write_config(root, code)
    app = App(environ=store_env(root))
    app.open_store(create=True)
    gen = Generator(seed=seed, as_of=dt.date(2026, 11, 20))
    ts = NOW + "+08:00"
    conn = sqlite3.connect(root / "crm.db")
    with conn:
        conn.execute("INSERT INTO staff (code, name, role, level, daily_capacity, active, created_at, updated_at)"
                     " VALUES (?, '集团经理', 'manager', 3, 10, 1, ?, ?)", (MANAGER, ts, ts))
        conn.executemany(
            "INSERT INTO staff (code, name, role, level, daily_capacity, active, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(p["code"], p["name"], p["role"], p["level"], p["daily_capacity"], int(p["active"]), ts, ts)
             for p in gen.staff()])
    conn.close()
    write_customers_csv(root / "customers.csv", customers, seed=seed)
    run(root, "--as", MANAGER, "customer", "import", root / "customers.csv", "--skip-invalid", ok=(0, 3))
    write_visits_csv(root / "visits.csv", customers, seed=seed)
    run(root, "--as", MANAGER, "visit", "import", root / "visits.csv", "--skip-invalid", ok=(0, 3))
    conn = sqlite3.connect(root / "crm.db")
    with conn:
        ids = dict(conn.execute("SELECT ref, id FROM customers"))
        conn.executemany(
            "INSERT INTO appointments (customer_id, at, type, staff, status, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(ids[a["customer_ref"]], a["scheduled_at"], a["type"], a["booked_by"], a["status"],
              a["created_at"], a["created_at"]) for a in gen.appointments(customers) if a["customer_ref"] in ids])
        conn.executemany(
            "INSERT INTO interactions (customer_id, at, staff, channel, direction, kind, outcome, created_at)"
            " VALUES (?, ?, ?, ?, ?, 'call', ?, ?)",
            [(ids[i["customer_ref"]], i["at"], i["staff"], "phone" if i["channel"] == "call" else i["channel"],
              i["direction"], i["outcome"], i["at"]) for i in gen.interactions(customers)
             if i["customer_ref"] in ids])
    conn.close()
    for f in ("customers.csv", "visits.csv"):
        (root / f).unlink()
    if activity:
        from .group_activity import add_activity

        add_activity(root, run, seed, MANAGER)
    run(root, "--as", MANAGER, "group", "enable")
    return root


def copy_store(src: Path, root: Path, code: str) -> Path:
    """Another store with the same archive under another dealer code (the bench's 50 stores)."""
    root.mkdir(parents=True, exist_ok=True)
    os.close(os.open(root / "crm.db", os.O_WRONLY | os.O_CREAT, 0o600))
    source, copy = sqlite3.connect(src / "crm.db"), sqlite3.connect(root / "crm.db")
    try:
        source.backup(copy)  # the WAL's pages too (a file copy would miss them)
    finally:
        source.close()
        copy.close()
    write_config(root, code)
    return root
