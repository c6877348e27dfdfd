"""Ownership: the portal and a local edit changing the same field keep both values."""

from __future__ import annotations


def owner_and_customer(sync, emu, index=2):
    owner = sync.live(emu.control.records("owners"))[index]
    cid = sync.scalar("SELECT customer_id FROM vehicles WHERE vin = ?", (owner["vin"],))
    return owner, cid


def test_both_changed_the_same_field_is_a_conflict(sync, emu, staffed):
    sync.run()
    owner, cid = owner_and_customer(sync, emu)
    sync.crm("customer", "edit", str(cid), "--city", "廊坊")
    emu.control.advance_clock(60)
    emu.control.update("owners", owner["id"], owner={**owner["owner"], "city": "天津"})
    result = sync.run(expect=3)
    assert "conflict" in result.stderr
    assert sync.scalar("SELECT city FROM customers WHERE id = ?", (cid,)) == "廊坊"  # local kept
    rows = sync.crm.json("sync", "conflicts")
    assert [(r["entity"], r["entity_id"], r["field"], r["local"], r["portal"], r["base"]) for r in rows] == [
        ("customer", cid, "city", "廊坊", "天津", owner["owner"]["city"])]
    sync.run(expect=3)  # still waiting: exit 3 again, no second conflict
    assert len(sync.crm.json("sync", "conflicts")) == 1
    sync.crm("sync", "resolve", str(rows[0]["id"]), "--take", "portal", expect=2)  # no role
    sync.crm("sync", "resolve", str(rows[0]["id"]), "--take", "portal", env={"CRM_USER": "liuyang"})
    assert sync.scalar("SELECT city FROM customers WHERE id = ?", (cid,)) == "天津"
    assert sync.crm.json("sync", "conflicts") == []
    sync.run()
    sync.crm("sync", "resolve", str(rows[0]["id"]), "--take", "local", env={"CRM_USER": "liuyang"}, expect=2)


def test_only_one_side_changed_is_not_a_conflict(sync, emu):
    sync.run()
    owner, cid = owner_and_customer(sync, emu, 4)
    other, other_cid = owner_and_customer(sync, emu, 5)
    sync.crm("customer", "edit", str(cid), "--city", "保定")  # local only
    emu.control.advance_clock(60)
    emu.control.update("owners", owner["id"], model_year=owner["model_year"])  # portal re-save, city unchanged
    emu.control.update("owners", other["id"], owner={**other["owner"], "city": "唐山"})  # portal only
    sync.run()
    assert sync.scalar("SELECT city FROM customers WHERE id = ?", (cid,)) == "保定"
    assert sync.scalar("SELECT city FROM customers WHERE id = ?", (other_cid,)) == "唐山"
    assert sync.crm.json("sync", "conflicts") == []


def test_resolve_with_a_typed_value_and_with_local(sync, emu, staffed):
    sync.run()
    owner, cid = owner_and_customer(sync, emu, 6)
    sync.crm("customer", "edit", str(cid), "--mobile", "13911112222")
    emu.control.advance_clock(60)
    emu.control.update("owners", owner["id"], owner={**owner["owner"], "phone": "13633334444"})
    sync.run(expect=3)
    (conflict,) = sync.crm.json("sync", "conflicts", env={"CRM_USER": "liuyang"})
    assert (conflict["local"], conflict["portal"]) == ("13911112222", "13633334444")
    masked = sync.crm.json("sync", "conflicts")  # no role: phones masked
    assert "*" in masked[0]["local"]
    sync.crm("sync", "resolve", str(conflict["id"]), "--take", "12345", env={"CRM_USER": "liuyang"}, expect=2)
    sync.crm("sync", "resolve", str(conflict["id"]), "--take", "13955556666", env={"CRM_USER": "liuyang"})
    assert sync.scalar("SELECT mobile FROM customers WHERE id = ?", (cid,)) == "13955556666"
    sync.run()


def test_conflict_closes_itself_when_both_sides_agree(sync, emu):
    sync.run()
    owner, cid = owner_and_customer(sync, emu, 7)
    sync.crm("customer", "edit", str(cid), "--city", "承德")
    emu.control.advance_clock(60)
    emu.control.update("owners", owner["id"], owner={**owner["owner"], "city": "天津"})
    sync.run(expect=3)
    emu.control.advance_clock(60)
    emu.control.update("owners", owner["id"], owner={**owner["owner"], "city": "承德"})
    sync.run()
    assert sync.crm.json("sync", "conflicts") == []
    assert sync.scalar("SELECT resolution FROM portal_conflicts") == "agreed"


def test_merge_and_forget_move_and_erase_our_rows(sync, emu):
    sync.run()
    lead = sync.live(emu.control.records("leads"))[0]
    import sqlite3

    conn = sqlite3.connect(sync.crm.db_path)
    cid = conn.execute("SELECT id FROM customers ORDER BY id LIMIT 1").fetchone()[0]
    conn.execute("UPDATE portal_leads SET customer_id = ? WHERE id = ?", (cid, lead["id"]))
    conn.commit()
    conn.close()
    from crm.context import App
    import os

    app = App(environ=dict(os.environ))
    with app.transaction() as tx:
        tx.fire("on_customer_forgotten", customer_id=cid, erased={"vins": [], "phones": []})
    app.store.close()
    assert sync.sql("SELECT name, phone FROM portal_leads WHERE id = ?", (lead["id"],)) == [(None, None)]
    assert sync.scalar("SELECT count(*) FROM portal_records WHERE customer_id = ? AND raw IS NOT NULL", (cid,)) == 0
