"""Pulling the streams into the archive and the plugin's tables, over real HTTP."""

from __future__ import annotations

import json



def test_initial_sync_lands_every_stream(sync, emu):
    result = sync.run()
    assert result.stdout == "" and result.stderr == ""  # quiet on success
    owners = sync.live(emu.control.records("owners"))
    assert sync.scalar("SELECT count(*) FROM vehicles") == len(owners)
    vins = {r[0] for r in sync.sql("SELECT vin FROM vehicles")}
    assert vins == {o["vin"] for o in owners}
    # every vehicle has its owner, found or created through the archive
    assert sync.scalar("SELECT count(*) FROM vehicles WHERE customer_id IS NULL") == 0
    assert sync.scalar("SELECT count(*) FROM vehicle_owners") == len(owners)
    leads = sync.live(emu.control.records("leads"))
    assert sync.scalar("SELECT count(*) FROM portal_leads") == len(leads)
    for stream in ("complaints", "campaigns", "surveys"):
        assert sync.scalar("SELECT count(*) FROM portal_records WHERE stream = ? AND deleted = 0",
                           (stream,)) == len(sync.live(emu.control.records(stream)))
    # synced owners went through add_customer: phones indexed, audited as portal-created
    assert sync.scalar("SELECT count(*) FROM customer_phones") >= 1
    assert sync.scalar("SELECT count(*) FROM audit_log WHERE action = 'create' AND entity = 'customer'") >= 1


def test_no_change_run_sends_one_request_per_stream(sync, emu):
    sync.run()
    before = sync.sql("SELECT stream, version FROM portal_records ORDER BY stream, id")
    emu.control.clear_requests()
    summary = sync.summary()
    reads = sync.stream_requests()
    assert len(reads) == 5
    assert {r["path"].rsplit("/", 1)[1] for r in reads} == {"owners", "leads", "complaints", "campaigns", "surveys"}
    assert all("updated_since" in r["query"] and "cursor" not in r["query"] for r in reads)
    assert all(s["applied"] == 0 for s in summary["streams"].values())
    assert sync.sql("SELECT stream, version FROM portal_records ORDER BY stream, id") == before


def test_resync_full_is_idempotent(sync, emu):
    sync.run()
    counts = [sync.scalar(f"SELECT count(*) FROM {t}") for t in
              ("customers", "vehicles", "vehicle_owners", "portal_leads", "portal_records")]
    summary = sync.summary("--full")
    assert all(s["applied"] == 0 for s in summary["streams"].values())
    assert sum(s["skipped"] for s in summary["streams"].values()) > 0
    assert [sync.scalar(f"SELECT count(*) FROM {t}") for t in
            ("customers", "vehicles", "vehicle_owners", "portal_leads", "portal_records")] == counts


def test_changes_tombstones_and_updated_since(sync, emu):
    sync.run()
    lead = sync.live(emu.control.records("leads"))[0]
    emu.control.advance_clock(60)
    emu.control.update("leads", lead["id"], comments="客户改约下周")
    gone = sync.live(emu.control.records("leads"))[1]
    emu.control.delete("leads", gone["id"])
    summary = sync.summary("--stream", "leads")
    assert summary["streams"]["leads"]["applied"] == 1 and summary["streams"]["leads"]["deleted"] == 1
    assert sync.sql("SELECT comments, version FROM portal_leads WHERE id = ?", (lead["id"],)) == [
        ("客户改约下周", lead["version"] + 1)]
    assert sync.sql("SELECT 1 FROM portal_leads WHERE id = ?", (gone["id"],)) == []
    assert sync.sql("SELECT deleted, raw FROM portal_records WHERE stream = 'leads' AND id = ?",
                    (gone["id"],)) == [(1, None)]
    # the bookmark comes from the server: the last page's server_time
    assert sync.scalar("SELECT updated_since FROM portal_streams WHERE stream = 'leads'") == emu.control.clock()["now"]


def test_empty_answer_deletes_nothing(sync, emu):
    sync.run()
    n = sync.scalar("SELECT count(*) FROM portal_leads")
    emu.control.advance_clock(10)
    sync.run()
    assert sync.scalar("SELECT count(*) FROM portal_leads") == n


def test_unknown_fields_are_kept(sync, emu):
    sync.run()
    emu.control.advance_clock(5)
    lead = emu.control.create("leads", source="website", wechat_id="wx_zhang88", priority_hint="hot")
    sync.run()
    raw = json.loads(sync.scalar("SELECT raw FROM portal_records WHERE stream = 'leads' AND id = ?", (lead["id"],)))
    assert raw["wechat_id"] == "wx_zhang88" and raw["priority_hint"] == "hot"


def test_quarantine_keeps_the_rest_of_the_page(sync, emu):
    emu.control.advance_clock(5)
    bad = emu.control.create("leads", name=None)
    bad_vin = emu.control.create("owners", vin="LBV51J035NZ38495I")  # I is not allowed in a VIN
    result = sync.run(expect=3)
    assert "quarantined" in result.stderr
    rows = sync.sql("SELECT stream, record_id, reason FROM portal_quarantine ORDER BY stream")
    assert ("leads", bad["id"], "missing required field name") in rows
    assert any(r[0] == "owners" and r[1] == bad_vin["id"] and "vin" in r[2].lower() for r in rows)
    assert sync.scalar("SELECT count(*) FROM portal_leads") == len(sync.live(emu.control.records("leads"))) - 1
    listed = sync.crm.json("sync", "quarantine")
    assert {r["record_id"] for r in listed} == {bad["id"], bad_vin["id"]}
    # a second run does not report them again (exit 0), the quarantine stays listed
    sync.run()
    # a fixed version clears it
    emu.control.advance_clock(5)
    emu.control.update("leads", bad["id"], name="周杰")
    sync.run()
    assert {r["record_id"] for r in sync.crm.json("sync", "quarantine")} == {bad_vin["id"]}
    assert sync.scalar("SELECT name FROM portal_leads WHERE id = ?", (bad["id"],)) == "周杰"


def test_owner_dedupes_with_the_archive_by_mobile_and_vin(sync, emu):
    owner = sync.live(emu.control.records("owners"))[0]
    other = sync.live(emu.control.records("owners"))[1]
    sync.crm("customer", "add", "--name", owner["owner"]["name"], "--mobile", owner["owner"]["phone"])
    sync.crm("customer", "add", "--name", "老客户", "--mobile", "13900001111")
    sync.crm("vehicle", "add", "--vin", other["vin"], "--customer", "2")
    sync.run(expect=None)
    assert sync.sql("SELECT count(*) FROM customers WHERE mobile = ?", (owner["owner"]["phone"],)) == [(1,)]
    assert sync.scalar("SELECT customer_id FROM vehicles WHERE vin = ?", (owner["vin"],)) == 1
    # VIN known with another person as owner: the portal's owner is a different person → transfer
    assert sync.scalar("SELECT count(*) FROM vehicles WHERE vin = ?", (other["vin"],)) == 1
    history = sync.sql("SELECT o.customer_id, o.until IS NULL FROM vehicle_owners o JOIN vehicles v"
                       " ON v.id = o.vehicle_id WHERE v.vin = ? ORDER BY o.id", (other["vin"],))
    assert history[0] == (2, 0) and history[-1][1] == 1 and history[-1][0] != 2


def test_owner_change_on_the_portal_transfers_the_vehicle(sync, emu):
    sync.run()
    owner = sync.live(emu.control.records("owners"))[3]
    emu.control.advance_clock(30)
    emu.control.update("owners", owner["id"], owner={"name": "钱新主", "phone": "13700002222", "city": "天津"})
    sync.run()
    vid, cid = sync.sql("SELECT id, customer_id FROM vehicles WHERE vin = ?", (owner["vin"],))[0]
    assert sync.scalar("SELECT name FROM customers WHERE id = ?", (cid,)) == "钱新主"
    assert sync.scalar("SELECT count(*) FROM vehicle_owners WHERE vehicle_id = ?", (vid,)) == 2
    assert sync.scalar("SELECT reason FROM vehicle_owners WHERE vehicle_id = ? AND until IS NULL", (vid,)) == "portal"


def test_lifecycle_hooks_fire_and_on_portal_record_reaches_plugins(sync, emu):
    from crm import hookimpl

    seen = {"created": 0, "delivered": 0, "records": []}

    class Listener:
        @hookimpl
        def on_customer_created(self, tx, customer):
            seen["created"] += 1

        @hookimpl
        def on_vehicle_delivered(self, tx, vehicle, customer):
            seen["delivered"] += 1

        @hookimpl
        def on_portal_record(self, tx, stream, record):
            seen["records"].append((stream, record["id"]))
            assert tx.conn.in_transaction  # inside the page's transaction
            return "seen"

    sync.crm.plugins = [Listener()]
    sync.run()
    owners = sync.live(emu.control.records("owners"))
    assert seen["delivered"] == len(owners) and seen["created"] >= 1
    streams = {s for s, _ in seen["records"]}
    assert streams == {"owners", "leads", "complaints", "campaigns", "surveys"}


def test_a_plugin_refusing_a_record_quarantines_it(sync, emu):
    from crm import hookimpl
    from crm.errors import BadInput

    class Picky:
        @hookimpl
        def on_portal_record(self, tx, stream, record):
            if stream == "complaints" and record["id"].endswith("1"):
                raise BadInput("complaint without a known customer")

    sync.crm.plugins = [Picky()]
    sync.run(expect=3)
    reasons = [r[0] for r in sync.sql("SELECT reason FROM portal_quarantine WHERE stream = 'complaints'")]
    assert reasons and all("plugin refused" in r for r in reasons)
    assert sync.scalar("SELECT count(*) FROM portal_records WHERE stream = 'complaints'") == \
        len(sync.live(emu.control.records("complaints"))) - len(reasons)


def test_works_with_every_other_plugin_disabled(sync, emu):
    sync.run(env={"CRM_PLUGINS": "portal"})
    assert sync.scalar("SELECT count(*) FROM portal_records") > 0


def test_status_lists_each_stream(sync, emu):
    sync.run()
    rows = json.loads(sync.crm("sync", "status", "--format", "json").stdout)
    assert [r["stream"] for r in rows["streams"]] == ["owners", "leads", "complaints", "campaigns", "surveys"]
    assert all(r["bookmark"] and r["last_ok"] for r in rows["streams"])
    assert rows["outbox_queued"] == 0 and rows["conflicts_open"] == 0
    assert "owners" in sync.crm("sync", "status").stdout


def test_leads_list_and_due_soon(sync, emu):
    sync.run(env={"CRM_NOW": "2026-11-22T16:00:00"})
    rows = sync.crm.json("sync", "leads", env={"CRM_NOW": "2026-11-22T16:00:00"})
    assert len(rows) == len(sync.live(emu.control.records("leads")))
    soon = sync.crm.json("sync", "leads", "--due-soon", "--within", "2", env={"CRM_NOW": "2026-11-22T16:00:00"})
    assert soon and all(r["state"] in ("open", "overdue") for r in soon)
    assert len(soon) < len(rows)
    # masked for a role that may not see phones
    assert all("*" in (r["phone"] or "*") for r in rows)


def test_adf_is_parsed_and_doctype_refused(sync, emu):
    from crm_portal.leads import parse_adf

    sync.run()
    adf_leads = [r for r in sync.live(emu.control.records("leads")) if r.get("adf")]
    assert adf_leads
    stored = json.loads(sync.scalar("SELECT adf FROM portal_leads WHERE id = ?", (adf_leads[0]["id"],)))
    assert stored["name"] == adf_leads[0]["name"] and stored["vehicle"]["make"] == "BMW"
    assert stored["provider"]
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
            "<adf><prospect><id>1</id></prospect></adf>")
    import pytest

    with pytest.raises(ValueError, match="DOCTYPE"):
        parse_adf(bomb)
    emu.control.advance_clock(5)
    lead = emu.control.create("leads", source="autohome", adf=bomb)
    sync.run()
    assert "DOCTYPE" in json.loads(sync.scalar("SELECT adf FROM portal_leads WHERE id = ?", (lead["id"],)))["error"]


def test_bad_config_is_one_line_exit_2(sync, emu):
    sync.crm.write_config('dealer_code = "BJ001"\n[portal]\nclient_id = "demo-client"\n')
    result = sync.run(expect=2)
    assert "portal.url is not set" in result.stderr
    sync.configure()
    result = sync.run(expect=2, env={"CRM_PORTAL_SECRET": "wrong-secret-123"})
    assert "refused the client credentials" in result.stderr and "wrong-secret-123" not in result.stderr
