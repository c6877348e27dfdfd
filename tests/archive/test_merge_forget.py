"""duplicates, merge (plugin rows moved), forget (raw bytes gone)."""

import pytest

from crm import hookimpl

VIN = "WBA8E3105JA123456"


class NotesPlugin:
    """A test plugin with its own table pointing at customers."""

    @hookimpl
    def register_migrations(self, register):
        from crm.migrations import Migrations

        m = Migrations("testnotes")

        @m()
        def m001(db):
            db.execute("CREATE TABLE testnotes_notes (id INTEGER PRIMARY KEY,"
                       " customer_id INTEGER REFERENCES customers(id), text TEXT)")

        register(m)

    @hookimpl
    def on_customers_merged(self, tx, kept_id, merged_id):
        tx.conn.execute("UPDATE testnotes_notes SET customer_id = ? WHERE customer_id = ?", (kept_id, merged_id))

    @hookimpl
    def on_customer_forgotten(self, tx, customer_id):
        tx.conn.execute("DELETE FROM testnotes_notes WHERE customer_id = ?", (customer_id,))


def add(crm, *args):
    return int(crm("customer", "add", *args).stdout.strip())


def test_duplicates_and_merge(staffed):
    staffed.plugins.append(NotesPlugin())
    a = add(staffed, "--name", "张三", "--mobile", "13812345678", "--city", "北京", "--tag", "老客户")
    b = add(staffed, "--name", "张三", "--mobile", "13812345678", "--email", "zs@example.com",
            "--no-consent", "sms", "--do-not-contact", "--tag", "车友会", "--mobile2", "13900001111")
    c = add(staffed, "--name", "李四", "--mobile", "13700001111")
    staffed("vehicle", "add", "--vin", VIN, "--customer", str(b), "--plate", "京A12345")
    staffed("visit", "add", "--ro", "RO1", "--vin", VIN, "--in", "2026-10-01", "--out", "2026-10-01")
    staffed("log", "add", "--customer", str(b), "--summary", "called", "--kind", "call")
    staffed("card", "issue", "--customer", str(b), "--number", "C001")
    import sqlite3

    conn = sqlite3.connect(staffed.db_path)
    conn.execute("INSERT INTO testnotes_notes (customer_id, text) VALUES (?, 'likes coffee')", (b,))
    conn.commit()
    conn.close()
    groups = staffed.json("customer", "duplicates", env={"CRM_USER": "li"})
    assert {r["id"] for r in groups} == {a, b} and groups[0]["key"] == "mobile"
    staffed("customer", "merge", str(a), str(b), "--yes", env={"CRM_USER": "sunwei"}, expect=2)
    staffed("customer", "merge", str(a), str(b), env={"CRM_USER": "li"}, expect=2)
    staffed("customer", "merge", str(a), str(b), "--yes", env={"CRM_USER": "li"})
    assert staffed.sql("SELECT count(*) FROM customers WHERE id = ?", (b,)) == [(0,)]
    row = staffed.sql("SELECT city, email, do_not_contact, mobile, mobile2 FROM customers WHERE id = ?", (a,))[0]
    assert row == ("北京", "zs@example.com", 1, "13812345678", "13900001111")
    for table in ("vehicles", "visits", "interactions", "membership_cards", "testnotes_notes"):
        assert staffed.sql(f"SELECT count(*) FROM {table} WHERE customer_id = ?", (a,)) == [(1,)], table
    assert staffed.sql("SELECT tag FROM customer_tags WHERE customer_id = ? ORDER BY tag", (a,)) == [("老客户",), ("车友会",)]
    assert dict(staffed.sql("SELECT channel, granted FROM customer_consents WHERE customer_id = ?", (a,)))["sms"] == 0
    assert staffed.sql("SELECT phone FROM customer_phones WHERE customer_id = ? ORDER BY phone", (a,)) == [
        ("13812345678",), ("13900001111",)]
    audit = staffed.sql("SELECT record_ids, detail FROM audit_log WHERE action = 'merge'")
    assert audit and "zs@example.com" not in audit[0][1]
    assert staffed.json("customer", "duplicates") == []
    staffed("customer", "merge", str(a), str(a), "--yes", env={"CRM_USER": "li"}, expect=2)
    staffed("customer", "merge", str(a), "999", "--yes", env={"CRM_USER": "li"}, expect=2)
    assert c


def test_forget_erases_raw_bytes(staffed):
    staffed.plugins.append(NotesPlugin())
    name, mobile = "欧阳娜娜", "13912348765"
    cid = add(staffed, "--name", name, "--mobile", mobile, "--email", "nana@example.com", "--wechat", "nana_wx_99",
              "--address", "上海市徐汇区衡山路99号", "--notes", "喜欢咖啡", "--tag", "独特标签XYZ")
    staffed("vehicle", "add", "--vin", VIN, "--customer", str(cid), "--plate", "沪B99999", "--model", "X3")
    staffed("visit", "add", "--ro", "RO9", "--vin", VIN, "--in", "2026-10-01", "--out", "2026-10-02",
            "--amount", "1200")
    staffed("log", "add", "--customer", str(cid), "--summary", f"与{name}通话", "--outcome", "满意")
    import sqlite3

    conn = sqlite3.connect(staffed.db_path)
    conn.execute("INSERT INTO testnotes_notes (customer_id, text) VALUES (?, ?)", (cid, f"{name} {mobile}"))
    conn.commit()
    conn.close()
    assert name.encode() in _raw(staffed) and mobile.encode() in _raw(staffed)  # the grep does see them
    staffed("customer", "forget", str(cid), "--yes", env={"CRM_USER": "wangfang"}, expect=2)
    staffed("customer", "forget", str(cid), env={"CRM_USER": "liuyang"}, expect=2)
    staffed("customer", "forget", str(cid), "--yes", env={"CRM_USER": "liuyang"})
    staffed("customer", "forget", str(cid), "--yes", env={"CRM_USER": "liuyang"}, expect=2)
    # Statistics stay.
    assert staffed.sql("SELECT date_in, type, amount FROM visits") == [("2026-10-01", "maintenance", 1200.0)]
    assert staffed.sql("SELECT model FROM vehicles") == [("X3",)]
    assert staffed.sql("SELECT name, mobile, do_not_contact FROM customers WHERE id = ?", (cid,)) == [(None, None, 1)]
    assert staffed.sql("SELECT count(*) FROM testnotes_notes") == [(0,)]
    assert staffed.json("customer", "search", "3912348765"[-4:]) == []
    # The raw bytes: neither the database nor its WAL holds any of it.
    blobs = _raw(staffed)
    for secret in (name, mobile, "nana@example.com", "nana_wx_99", "衡山路", "喜欢咖啡", "独特标签XYZ", "沪B99999",
                   VIN, "B99999", "ouyangnana", name[::-1]):
        assert secret.encode() not in blobs, secret
    assert staffed.sql("SELECT count(*) FROM audit_log WHERE action = 'forget'") == [(1,)]


def _raw(crm) -> bytes:
    blobs = b""
    for suffix in ("", "-wal"):
        path = crm.db_path.with_name(crm.db_path.name + suffix)
        if path.exists():
            blobs += path.read_bytes()
    return blobs
