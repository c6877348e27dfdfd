"""The audit log is tamper-evident and survives a restore (issue 15 item 4)."""

from __future__ import annotations

import shutil
import sqlite3

from crm.archive.audit_chain import verify

DROP = "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;"


def some_history(crm):
    for name in ("张三", "李四", "王五"):
        crm("customer", "add", "--name", name)


def tamper(path, script):
    conn = sqlite3.connect(path)
    conn.executescript(script)
    conn.commit()
    conn.close()


def test_every_row_is_chained_and_verify_says_ok(staffed):
    some_history(staffed)
    result = staffed("--as", "it", "audit", "verify")
    assert result.stdout.startswith("audit log ok:")
    rows = staffed.sql("SELECT id, prev_hash, hash FROM audit_log ORDER BY id")
    assert rows[0][1] == "0" * 64 and all(rows[i][1] == rows[i - 1][2] for i in range(1, len(rows)))
    staffed("--as", "sunwei", "audit", "verify", expect=2)  # an advisor may not read the audit log


def test_an_edited_row_is_found_by_verify_and_db_check(staffed):
    some_history(staffed)
    tamper(staffed.db_path, DROP + "UPDATE audit_log SET actor = 'nobody' WHERE id = 3;"
           "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
           "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
           "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
           "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;")
    result = staffed("--as", "li", "audit", "verify", expect=3)
    assert "audit row 3 " in result.stderr and len(result.stderr.strip().splitlines()) == 1
    check = staffed("--as", "li", "db", "check", "--format", "json", expect=3)
    assert '"audit chain"' in check.stdout


def test_a_deleted_row_and_missing_triggers_are_found(staffed):
    some_history(staffed)
    tamper(staffed.db_path, DROP + "DELETE FROM audit_log WHERE id = 2;")
    result = staffed("--as", "li", "audit", "verify", expect=3)
    assert "trigger" in result.stderr


def test_restore_refuses_a_backup_with_an_edited_log_or_no_triggers(staffed, tmp_path):
    some_history(staffed)
    good = tmp_path / "good.db"
    staffed("--as", "li", "db", "backup", good)
    for name, script in (("notriggers.db", DROP), ("edited.db", DROP + "UPDATE audit_log SET count = 99 WHERE id = 2;"
                         "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT "
                         "RAISE(ABORT, 'the audit log is append-only'); END; CREATE TRIGGER audit_log_no_delete "
                         "BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;")):
        crafted = tmp_path / name
        shutil.copy(good, crafted)
        tamper(crafted, script)
        before = staffed.sql("SELECT count(*) FROM audit_log")
        result = staffed("--as", "li", "db", "restore", crafted, "--yes", expect=2)
        assert "refused" in result.stderr
        assert staffed.sql("SELECT count(*) FROM audit_log") == before


def test_restore_keeps_the_rows_after_the_backup_and_records_itself(staffed, tmp_path):
    some_history(staffed)
    backup = tmp_path / "b.db"
    staffed("--as", "li", "db", "backup", backup)
    staffed("customer", "add", "--name", "后来")
    staffed("--as", "li", "customer", "export", tmp_path / "x.csv")
    after = staffed.sql("SELECT id, action, hash FROM audit_log ORDER BY id")
    staffed("--as", "it", "db", "restore", backup, "--yes")
    assert staffed.sql("SELECT name FROM customers WHERE name = '后来'") == []  # the data is the backup's
    rows = staffed.sql("SELECT id, action, hash FROM audit_log ORDER BY id")
    assert rows[: len(after)] == after  # every row, unchanged, with its hash
    assert rows[-1][1] == "restore"
    assert staffed.sql("SELECT actor FROM audit_log ORDER BY id DESC LIMIT 1") == [("it",)]
    staffed("--as", "li", "audit", "verify")
    # restoring an even older state later still keeps everything
    staffed("--as", "li", "db", "restore", backup, "--yes")
    assert staffed.sql("SELECT count(*) FROM audit_log WHERE action = 'restore'") == [(2,)]
    staffed("--as", "li", "audit", "verify")


def test_an_existing_database_is_chained_once_by_the_migration(crm):
    from crm import migrations
    from crm.migrations import Migrations
    from crm.schema import migrations as core
    from crm.store import Store

    old = Migrations("core")
    old.steps = [s for s in core.steps if s.name < "m007"]
    store = Store(crm.db_path)
    migrations.apply(store, [old])
    store.conn.execute("INSERT INTO audit_log (at, actor, command, action) VALUES ('2026-01-01', 'x', 'crm', 'write')")
    store.conn.execute("INSERT INTO audit_log (at, actor, command, action) VALUES ('2026-01-02', 'y', 'crm', 'write')")
    store.close()
    crm("db", "migrate")
    conn = sqlite3.connect(crm.db_path)
    assert verify(conn)[0] is True
    assert conn.execute("SELECT count(*) FROM audit_log WHERE hash IS NULL").fetchone() == (0,)
    conn.close()
    crm("customer", "add", "--name", "新")
    assert "ok" in crm("audit", "verify").stdout  # no manager yet: first-time setup
