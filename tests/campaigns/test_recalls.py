"""A recall from the portal, through outreach and the workshop, to its completion queued back."""

import json

from campaigns_helpers import VINS, fake, world  # noqa: F401

from crm.context import App

UNKNOWN_VIN = "LBV8E3103JA999999"


def portal(crm, stream, *records):
    """Deliver records the way the sync plugin does: on_portal_record inside a transaction."""
    app = App(extra_plugins=crm.plugins)
    try:
        with app.transaction() as tx:
            return [tx.fire("on_portal_record", stream=stream, record=r) for r in records]
    finally:
        app.store.close()


def recall(version=1, vins=None, **extra):
    return {"id": "RC-2026-07", "version": version, "updated_at": "2026-11-19T08:00:00Z", "deleted": False,
            "kind": "recall", "title": "前排安全气囊气体发生器更换", "starts_on": "2026-11-01",
            "ends_on": "2027-04-30", "vins": vins if vins is not None else [VINS[0], VINS[1], UNKNOWN_VIN],
            "description": "召回", **extra}


def test_recall_through_to_completion_queued_back(world):
    crm = world
    i = crm.ids
    crm("--as", "li", "staff", "add", "advisor2", "--name", "周", "--role", "advisor")
    result = portal(crm, "campaigns", recall())
    assert "3 VINs, 2 matched, 2 outreach tasks" in result[0][0]
    assert sorted(c["customer_id"] for c in crm.fake.callbacks) == sorted([i["zhang"], i["li"]])
    assert all(c["rule"] == "campaigns.recall" for c in crm.fake.callbacks)
    # the same record again, or an older one: nothing happens
    portal(crm, "campaigns", recall(), recall(version=0, vins=[]))
    assert len(crm.fake.callbacks) == 2
    report = crm.json("campaigns", "recall", "report", "RC-2026-07")[0]
    assert (report["active"], report["matched"], report["unmatched"], report["completed"]) == (3, 2, 1, 0)
    assert report["not_reached"] == 2
    # the specialist reaches zhang; li stays not reached
    crm("campaigns", "recall", "contact", "RC-2026-07", VINS[0], "--outcome", "booked")
    not_reached = crm.json("--as", "li", "campaigns", "recall", "not-reached", "RC-2026-07")
    assert [r["customer_id"] for r in not_reached] == [i["li"]]
    # a PDI or a visit before the campaign does not count; a warranty visit in the window does
    crm("visit", "add", "--ro", "RO-OLD", "--vin", VINS[0], "--in", "2026-10-20", "--out", "2026-10-20",
        "--type", "warranty")
    crm("visit", "add", "--ro", "RO-PDI", "--vin", VINS[0], "--in", "2026-11-19", "--out", "2026-11-19", "--type", "pdi")
    assert crm.fake.portal == []
    crm("visit", "add", "--ro", "RO-100", "--vin", VINS[0], "--in", "2026-11-20 09:00", "--type", "warranty")
    crm("visit", "close", "RO-100", "--out", "2026-11-20 16:30")
    assert crm.fake.portal == [{"kind": "campaign_completion", "ref": "RC-2026-07",
                                "payload": {"vin": VINS[0], "completed_on": "2026-11-20"}}]
    rows = {r["vin"]: r for r in crm.json("campaigns", "recall", "show", "RC-2026-07")}
    assert rows[VINS[0]]["status"] == "completed" and rows[VINS[0]]["completed_ro"] == "RO-100"
    assert rows[VINS[0]]["portal_ref"] == "portal-1"
    assert rows[UNKNOWN_VIN]["status"] == "unmatched"
    # a second closed visit of the same car queues nothing more
    crm("visit", "add", "--ro", "RO-101", "--vin", VINS[0], "--in", "2026-11-21", "--out", "2026-11-21",
        "--type", "warranty")
    assert len(crm.fake.portal) == 1
    report = crm.json("campaigns", "recall", "report")[0]
    assert report["completed"] == 1 and report["completion_rate"] == round(1 / 3, 3) and report["not_reached"] == 1
    # the unknown VIN's car arrives in the archive later: matched, owner gets a task
    new = int(crm("customer", "add", "--name", "钱七", "--mobile", "13512345678").stdout)
    crm("vehicle", "add", "--vin", UNKNOWN_VIN, "--customer", new, "--model", "X3")
    assert crm.fake.callbacks[-1]["customer_id"] == new
    assert crm.json("campaigns", "recall", "report")[0]["unmatched"] == 0
    # a newer version drops li's VIN: withdrawn, no longer counted
    portal(crm, "campaigns", recall(version=2, vins=[VINS[0], UNKNOWN_VIN]))
    report = crm.json("campaigns", "recall", "report")[0]
    assert (report["active"], report["completed"], report["completion_rate"]) == (2, 1, 0.5)
    # the customer page shows the recall
    page = crm.json("--as", "li", "customer", "show", i["zhang"])
    titles = [s["title"] for s in page["sections"]]
    assert "Recalls and service campaigns (召回)" in titles


def test_recall_works_without_other_plugins(world):
    crm = world
    crm.plugins = []  # no callbacks, no portal: the service calls are clean no-ops
    portal(crm, "campaigns", recall())
    crm("visit", "add", "--ro", "RO-1", "--vin", VINS[1], "--in", "2026-11-20", "--out", "2026-11-20",
        "--type", "repair")
    rows = {r["vin"]: r for r in crm.json("campaigns", "recall", "show", "RC-2026-07")}
    assert rows[VINS[1]]["status"] == "completed" and rows[VINS[1]]["portal_ref"] is None
    assert rows[VINS[0]]["outreach_at"] is not None
    # callbacks arrives later: the outreach is retried for open VINs
    crm.plugins = [crm.fake]
    crm("campaigns", "recall", "outreach")
    assert [c["customer_id"] for c in crm.fake.callbacks] == [crm.ids["zhang"]]
    crm("campaigns", "recall", "outreach")
    assert len(crm.fake.callbacks) == 1


def test_marketing_events_tombstones_and_manual_load(world, tmp_path):
    crm = world
    event = {"id": "ME-1", "version": 3, "kind": "marketing_event", "title": "新X3上市品鉴会",
             "starts_on": "2026-12-20", "ends_on": "2026-12-20", "updated_at": "2026-11-19T08:00:00Z"}
    portal(crm, "campaigns", event)
    events = crm.json("event", "list")
    assert [(e["title"], e["kind"]) for e in events] == [("新X3上市品鉴会", "oem_marketing")]
    file = tmp_path / "records.json"
    file.write_text(json.dumps([recall(), {"id": "RC-2026-07", "version": 5, "deleted": True}]), encoding="utf-8")
    crm("campaigns", "recall", "load", file)
    report = crm.json("campaigns", "recall", "report")[0]
    assert report["deleted"] is True and report["active"] == 0
    portal(crm, "campaigns", recall(version=4))  # older than the tombstone: ignored
    assert crm.json("campaigns", "recall", "report")[0]["deleted"] is True
    crm("campaigns", "recall", "report", "NOPE", expect=2)
