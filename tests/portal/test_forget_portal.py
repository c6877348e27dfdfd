"""Forget is the end of the person, also towards the portal (issue 15 item 2a, 2b)."""

from __future__ import annotations

from portal_helpers import ask


def _owner_and_customer(sync, emu):
    owner = sync.live(emu.control.records("owners"))[0]
    cid = sync.scalar("SELECT customer_id FROM vehicles WHERE vin = ?", (owner["vin"],))
    assert cid
    return owner, cid


def test_items_queued_before_the_forget_are_not_sent(sync, emu, staffed):
    sync.run()
    owner, cid = _owner_and_customer(sync, emu)
    queued = [
        ask({"kind": "callback", "ref": None,  # no customer id: found by the VIN/phone in the payload
             "payload": {"vin": owner["vin"], "phone": owner["owner"]["phone"], "visit_on": "2026-11-20",
                         "called_at": "2026-11-22T10:05:00+08:00", "result": "satisfied", "score": 10,
                         "note": "车主说下次再来"}}),
        ask({"kind": "callback", "ref": None, "customer_id": cid,
             "payload": {"vin": owner["vin"], "phone": owner["owner"]["phone"], "visit_on": "2026-11-21",
                         "called_at": "2026-11-22T10:06:00+08:00", "result": "satisfied", "score": 9}}),
    ]
    assert all(isinstance(i, int) for i in queued)
    staffed("customer", "forget", str(cid), "--yes", env={"CRM_USER": "liuyang"})
    assert sync.sql("SELECT status, payload FROM portal_outbox ORDER BY id") == [("cancelled", "{}")] * 2
    emu.control.clear_received()
    sync.run()
    assert emu.control.received("callbacks") == []


def test_the_portal_resending_the_owner_does_not_bring_them_back(sync, emu, staffed):
    sync.run()
    owner, cid = _owner_and_customer(sync, emu)
    customers = sync.scalar("SELECT count(*) FROM customers")
    staffed("customer", "forget", str(cid), "--yes", env={"CRM_USER": "liuyang"})
    emu.control.touch("owners", owner["id"])  # a new version of the same owner record
    sync.run()
    sync.run("--full")
    assert sync.scalar("SELECT count(*) FROM customers") == customers
    assert sync.sql("SELECT count(*) FROM vehicles WHERE vin = ?", (owner["vin"],)) == [(0,)]
    assert sync.sql("SELECT count(*) FROM customer_phones WHERE phone = ?", (owner["owner"]["phone"],)) == [(0,)]
    assert sync.sql("SELECT count(*) FROM customers WHERE name = ?", (owner["owner"]["name"],)) == [(0,)]
    # the tombstone holds no VIN or phone in clear
    dump = "\n".join(str(r) for r in sync.sql("SELECT * FROM forgotten_keys"))
    assert owner["vin"] not in dump and owner["owner"]["phone"] not in dump
