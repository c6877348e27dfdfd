"""The store: one BEGIN IMMEDIATE transaction per command, concurrent writers, migrations."""

import multiprocessing
import sqlite3

import pytest

from crm import migrations
from crm.errors import BadInput
from crm.migrations import Migrations
from crm.store import Store

from conftest import run_crm_process


def test_transaction_is_all_or_nothing(tmp_path):
    store = Store(tmp_path / "t.db")
    store.conn.execute("CREATE TABLE t (x INTEGER)")
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.conn.execute("INSERT INTO t VALUES (1)")
            raise RuntimeError("crash in the middle")
    assert store.scalar("SELECT count(*) FROM t") == 0
    with store.transaction():
        store.conn.execute("INSERT INTO t VALUES (1)")
        store.db["t"].insert({"x": 2})  # sqlite-utils joins the transaction
    assert store.scalar("SELECT count(*) FROM t") == 2


def test_sqlite_utils_inside_transaction_does_not_commit_early(tmp_path):
    store = Store(tmp_path / "t.db")
    store.conn.execute("CREATE TABLE t (x INTEGER)")
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.db["t"].insert_all([{"x": i} for i in range(10)])
            raise RuntimeError
    assert store.scalar("SELECT count(*) FROM t") == 0


def _writer(path: str, who: str, n: int) -> None:
    store = Store(path, busy_timeout_seconds=60)
    for i in range(n):
        with store.transaction():
            store.conn.execute("INSERT INTO t (who, i) VALUES (?, ?)", (who, i))
            # hold the write lock a moment so the writers really contend
            store.conn.execute("SELECT count(*) FROM t").fetchone()


def test_two_processes_writing_at_once_both_succeed(tmp_path):
    path = str(tmp_path / "c.db")
    Store(path).conn.execute("CREATE TABLE t (who TEXT, i INTEGER)")
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(path, name, 300)) for name in ("a", "b", "c")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0, 0]
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT who, count(*) FROM t GROUP BY who").fetchall() == [("a", 300), ("b", 300), ("c", 300)]


def test_two_crm_processes_adding_customers_at_once(tmp_path):
    env = {"CRM_DB": str(tmp_path / "crm.db"), "CRM_CONFIG": str(tmp_path / "config.toml")}
    assert run_crm_process("db", "migrate", env=env).returncode == 0
    import subprocess
    import sys
    from pathlib import Path

    exe = str(Path(sys.executable).with_name("crm"))
    script = "; ".join(f"{exe} customer add --name 客户{{0}}{i} >/dev/null || exit 9" for i in range(15))
    import os

    full_env = {**os.environ, **env}
    procs = [subprocess.Popen(["bash", "-c", script.format(tag)], env=full_env, stderr=subprocess.PIPE, text=True)
             for tag in ("甲", "乙")]
    results = [(p.wait(120), p.stderr.read()) for p in procs]
    assert all(code == 0 for code, _ in results), results
    assert all("locked" not in err for _, err in results)
    conn = sqlite3.connect(tmp_path / "crm.db")
    assert conn.execute("SELECT count(*) FROM customers").fetchone()[0] == 30


def test_migrations_apply_once_in_order_and_record_owner(tmp_path):
    store = Store(tmp_path / "m.db")
    order = []
    ms = Migrations("demo")

    @ms()
    def m001_first(db):
        order.append("first")
        db.execute("CREATE TABLE demo_a (id INTEGER PRIMARY KEY)")

    @ms()
    def m002_second(db):
        order.append("second")
        db.execute("ALTER TABLE demo_a ADD COLUMN note TEXT")

    assert [s.name for s in migrations.pending(store, [ms])] == ["m001_first", "m002_second"]
    migrations.apply(store, [ms])
    migrations.apply(store, [ms])
    assert order == ["first", "second"]
    assert store.query("SELECT owner, name FROM _crm_migrations ORDER BY name") == [
        {"owner": "demo", "name": "m001_first"}, {"owner": "demo", "name": "m002_second"}]


def test_failed_migration_leaves_nothing_and_is_retried(tmp_path):
    store = Store(tmp_path / "m.db")
    ms = Migrations("demo")
    fail = {"now": True}

    @ms()
    def m001_create(db):
        db.execute("CREATE TABLE demo_b (id INTEGER)")
        if fail["now"]:
            raise ValueError("boom")

    with pytest.raises(Exception, match="boom"):
        migrations.apply(store, [ms])
    assert store.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'demo_b'") == 0
    fail["now"] = False
    migrations.apply(store, [ms])
    assert store.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'demo_b'") == 1


def test_upgrade_keeps_data(tmp_path):
    store = Store(tmp_path / "u.db")
    v1 = Migrations("demo")

    @v1()
    def m001_create(db):
        db.execute("CREATE TABLE demo_c (id INTEGER PRIMARY KEY, name TEXT)")

    migrations.apply(store, [v1])
    store.conn.execute("INSERT INTO demo_c (name) VALUES ('张三')")

    @v1()
    def m002_add_city(db):
        db["demo_c"].add_column("city", str)

    migrations.apply(store, [v1])
    assert store.query("SELECT * FROM demo_c") == [{"id": 1, "name": "张三", "city": None}]


def test_migrate_status_command(crm):
    out = crm.json("db", "migrate", "--status")
    owners = {r["owner"] for r in out}
    assert {"core", "callbacks", "complaints", "campaigns", "portal"} <= owners
    assert all(r["state"] == "applied" for r in out) or all(r["state"] == "pending" for r in out)
    crm("db", "migrate")
    assert all(r["state"] == "applied" for r in crm.json("db", "migrate", "--status"))


def test_store_refuses_a_folder(tmp_path):
    with pytest.raises(BadInput):
        Store(tmp_path)


def test_backup_restore_and_check(staffed, tmp_path):
    import os
    import stat

    staffed("customer", "add", "--name", "张三")
    backup = tmp_path / "backup.db"
    staffed("--as", "li", "db", "backup", str(backup))
    assert stat.S_IMODE(os.stat(backup).st_mode) == 0o600
    staffed("customer", "add", "--name", "李四")
    staffed("--as", "wangfang", "db", "restore", str(backup), "--yes", expect=2)
    staffed("--as", "li", "db", "restore", str(backup), expect=2)  # needs --yes
    staffed("--as", "li", "db", "restore", str(backup), "--yes")
    assert staffed.sql("SELECT name FROM customers") == [("张三",)]
    assert staffed.sql("SELECT action FROM audit_log ORDER BY id DESC LIMIT 1") == [("restore",)]
    assert {r["check"]: r["ok"] for r in staffed.json("db", "check")} == {
        "integrity": True, "foreign keys": True, "migrations": True, "audit chain": True, "file mode": True}
