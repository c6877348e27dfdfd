"""Large imports clean their rows in a forked worker process (crm/importing/pipeline.py):
the archive, the summary and the reject report are those of the in-process import, a file
problem in the worker is the same one-line error, and no worker outlives its import."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import Crm

TABLES = {
    "customers": "ref, name, name_pinyin, name_initials, gender, birthday, mobile, mobile2, landline, wechat, email,"
                 " city, address, source, preferred_channel, best_time, do_not_contact, specialist_id, notes",
    "customer_phones": "customer_id, phone, kind, tail4",
    "customer_tags": "customer_id, tag",
    "customer_consents": "customer_id, channel, granted",
    "membership_cards": "customer_id, number, level, issued_on, expires_on, status",
    "vehicles": "vin, plate, plate_key, model, model_year, colour, delivery_date, mileage, insurance_expires,"
                " inspection_due, customer_id",
    "vehicle_owners": "vehicle_id, customer_id, since, reason",
    "archive_fact_counts": "sid, mask, n",
}


def _dump(db: Path) -> dict:
    conn = sqlite3.connect(db)
    try:
        return {t: sorted(conn.execute(f"SELECT {cols} FROM {t}").fetchall(), key=repr) for t, cols in TABLES.items()}
    finally:
        conn.close()


def _staff(crm: Crm) -> None:
    from crm.sampledata.generate import Generator

    for s in Generator().staff():
        if s["active"]:
            crm(*_as_manager(crm), "staff", "add", s["code"], "--name", s["name"], "--role", s["role"])


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_worker_import_equals_in_process_import(tmp_path, monkeypatch, kind):
    """The messy sample file (bad rows, duplicates, every messy cell), twice: the second run
    changes nothing either way."""
    from crm.sampledata.files import write_customers_csv, write_customers_xlsx

    path = tmp_path / f"messy.{kind}"
    (write_customers_csv if kind == "csv" else write_customers_xlsx)(path, 1500, messy=True)
    results = {}
    for worker in ("0", "1"):
        base = tmp_path / f"worker{worker}"
        base.mkdir()
        monkeypatch.setenv("CRM_DB", str(base / "crm.db"))
        monkeypatch.setenv("CRM_IMPORT_WORKER", worker)
        crm = Crm(base)
        _staff(crm)
        runs = []
        for _ in range(2):
            out = crm("customer", "import", path, "--skip-invalid", "--format", "json",
                      "--report", base / "rejects.csv", expect=None)
            assert out.exit_code in (0, 3), out.stderr
            summary = json.loads(out.stdout)["summary"]
            summary.pop("seconds")
            runs.append((summary, (base / "rejects.csv").read_text(encoding="utf-8-sig")))
        results[worker] = runs, _dump(base / "crm.db")
    assert results["0"] == results["1"]
    (first, _), (second, _) = results["1"][0]
    assert first["inserted"] > 1000 and first["rejected"] > 0
    assert second["inserted"] == second["updated"] == 0


def test_worker_file_problem_is_one_line_and_nothing_is_written(crm, tmp_path):
    """A byte that is not UTF-8 far down a UTF-8 file: met by the worker, reported here."""
    good = "姓名,手机\n" + "".join(f"客户{i},1380000{i:04d}\n" for i in range(3000))
    path = tmp_path / "broken.csv"
    path.write_bytes(good.encode() + "坏行,13900000000\n".encode("gb18030") + b"\n")
    crm("db", "migrate")
    out = crm("customer", "import", path, "--skip-invalid", env={"CRM_IMPORT_WORKER": "1"}, expect=2)
    assert "broken.csv" in out.stderr and len(out.stderr.strip().splitlines()) == 1
    assert "Traceback" not in out.stderr
    assert crm.sql("SELECT count(*) FROM customers") == [(0,)]


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_kill_9_of_the_import_ends_its_worker_and_writes_nothing(tmp_path):
    from crm.sampledata.files import write_customers_csv

    path = tmp_path / "big.csv"
    write_customers_csv(path, 60_000, seed=2)
    db = tmp_path / "crm.db"
    env = dict(os.environ, CRM_DB=str(db), CRM_PLUGINS="", CRM_IMPORT_WORKER="1",
               CRM_CONFIG=str(tmp_path / "config.toml"))
    crm_exe = Path(sys.executable).with_name("crm")
    subprocess.run([str(crm_exe), "db", "migrate"], env=env, check=True, capture_output=True)
    proc = subprocess.Popen([str(crm_exe), "--quiet", "customer", "import", str(path), "--skip-invalid"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worker = None
    deadline = time.monotonic() + 60
    while worker is None and time.monotonic() < deadline and proc.poll() is None:
        kids = _children(proc.pid)
        worker = kids[0] if kids else None
        time.sleep(0.02)
    assert worker is not None, "the import never started a worker"
    time.sleep(0.5)  # some batches cleaned and written (uncommitted)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 30
    while _alive(worker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(worker), "the worker outlived the killed import"
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("SELECT count(*) FROM customers").fetchone() == (0,)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        conn.close()


def test_worker_visit_import_equals_in_process_import(tmp_path, monkeypatch):
    from crm.sampledata.files import write_customers_csv, write_visits_csv

    customers = tmp_path / "customers.csv"
    write_customers_csv(customers, 600)
    visits = tmp_path / "visits.csv"
    write_visits_csv(visits, 600)
    results = {}
    for worker in ("0", "1"):
        base = tmp_path / f"worker{worker}"
        base.mkdir()
        monkeypatch.setenv("CRM_DB", str(base / "crm.db"))
        crm = Crm(base)
        _staff(crm)
        crm("customer", "import", customers, "--skip-invalid", expect=None, env={"CRM_IMPORT_WORKER": "0"})
        out = crm("visit", "import", visits, "--skip-invalid", "--format", "json", expect=None,
                  env={"CRM_IMPORT_WORKER": worker})
        assert out.exit_code in (0, 3), out.stderr
        summary = json.loads(out.stdout)["summary"]
        summary.pop("seconds")
        conn = sqlite3.connect(base / "crm.db")
        rows = sorted(conn.execute("SELECT ro_number, vehicle_id, customer_id, date_in, date_out, type, advisor,"
                                   " mileage, amount, items FROM visits").fetchall(), key=repr)
        conn.close()
        results[worker] = summary, rows
    assert results["0"] == results["1"]
    assert results["1"][0]["inserted"] > 600


def _as_manager(crm) -> tuple:
    """After first-time setup only a manager (or IT) adds staff: act as the first one added."""
    has_staff = crm.db_path.exists() and crm.sql("SELECT 1 FROM sqlite_master WHERE name = 'staff'")
    row = crm.sql("SELECT code FROM staff WHERE role IN ('manager', 'it') AND active ORDER BY id LIMIT 1") \
        if has_staff else []
    return ("--as", row[0][0]) if row else ()
