"""Forget is the end of the person (issue 15 item 2c–2e): files, failing plugins, copies, restore."""

from __future__ import annotations

import sqlite3

from crm import hookimpl

VIN = "WBA8E3105JA123456"
NAME, MOBILE = "欧阳娜娜", "13912348765"


def raw(crm) -> bytes:
    out = b""
    for suffix in ("", "-wal"):
        path = crm.db_path.with_name(crm.db_path.name + suffix)
        if path.exists():
            out += path.read_bytes()
    return out


def person(crm) -> int:
    cid = int(crm("customer", "add", "--name", NAME, "--mobile", MOBILE).stdout.strip())
    crm("vehicle", "add", "--vin", VIN, "--customer", str(cid), "--plate", "沪B99999")
    return cid


def test_an_idle_reader_does_not_keep_the_person_in_the_files(staffed):
    cid = person(staffed)
    reader = sqlite3.connect(staffed.db_path)
    try:
        assert reader.execute("SELECT count(*) FROM customers").fetchone() == (1,)  # open, read, idle
        staffed("customer", "forget", str(cid), "--yes", env={"CRM_USER": "liuyang"})
        blobs = raw(staffed)
        for secret in (NAME, MOBILE, VIN, "B99999"):
            assert secret.encode() not in blobs, secret
    finally:
        reader.close()


def test_a_reader_in_a_transaction_is_reported_and_checkpoint_finishes_later(staffed):
    staffed.write_config("[db]\nbusy_timeout_seconds = 0.2\n")
    cid = person(staffed)
    reader = sqlite3.connect(staffed.db_path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT name FROM customers").fetchall()  # a read transaction holds the old snapshot
    try:
        result = staffed("customer", "forget", str(cid), "--yes", env={"CRM_USER": "liuyang"}, expect=75)
        assert "forget is committed" in result.stderr and "crm db checkpoint" in result.stderr
        assert staffed.sql("SELECT name FROM customers WHERE id = ?", (cid,)) == [(None,)]
        staffed("db", "checkpoint", expect=75)  # still reading
    finally:
        reader.execute("COMMIT")
        reader.close()
    staffed("db", "checkpoint")
    blobs = raw(staffed)
    for secret in (NAME, MOBILE, VIN):
        assert secret.encode() not in blobs, secret


class Failing:
    @hookimpl
    def on_customer_forgotten(self, tx, customer_id):
        tx.conn.execute("UPDATE customers SET city = 'x' WHERE id = ?", (customer_id,))
        raise RuntimeError("disk of the notes service unavailable")


def test_a_plugin_that_fails_to_forget_makes_forget_fail_and_roll_back(staffed):
    cid = person(staffed)
    staffed.plugins.append(Failing())
    result = staffed("customer", "forget", str(cid), "--yes", env={"CRM_USER": "liuyang"}, expect=1)
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1 and "Failing" in line and "rolled back" in line
    assert staffed.sql("SELECT name, mobile, forgotten_at, city FROM customers") == [(NAME, MOBILE, None, None)]
    assert staffed.sql("SELECT vin FROM vehicles") == [(VIN,)]
    assert staffed.sql("SELECT count(*) FROM audit_log WHERE action = 'forget'") == [(0,)]
    assert staffed.sql("SELECT count(*) FROM forgotten_keys") == [(0,)]


def test_the_summary_lists_copies_and_restore_reapplies_the_forget(staffed, tmp_path):
    cid = person(staffed)
    backup = tmp_path / "before.db"
    export = tmp_path / "customers.csv"
    staffed("--as", "li", "db", "backup", backup)
    staffed("--as", "li", "customer", "export", export)
    result = staffed("customer", "forget", str(cid), "--yes", env={"CRM_USER": "liuyang"})
    assert str(backup) in result.stderr and str(export) in result.stderr
    staffed("--as", "li", "db", "restore", backup, "--yes")
    # the backup holds the person, but the forget recorded after it is applied again
    assert staffed.sql("SELECT name, mobile, forgotten_at IS NOT NULL FROM customers WHERE id = ?", (cid,)) == [
        (None, None, 1)]
    assert staffed.sql("SELECT vin FROM vehicles") != [(VIN,)]
    blobs = raw(staffed)
    assert NAME.encode() not in blobs and MOBILE.encode() not in blobs
