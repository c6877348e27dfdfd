"""Reading streams: paging, order, updated_since, tombstones, cursors."""

from __future__ import annotations

import pytest

from crm_portal_emulator.records import STREAMS
from crm_portal_emulator.server import Emulator


def _keys(records):
    return [(r["updated_at"], r["id"]) for r in records]


@pytest.mark.parametrize("stream", STREAMS)
def test_one_pass_gives_every_record_once_in_order(emu, portal, stream):
    records = portal.all_pages(stream, limit=7)
    assert _keys(records) == sorted(_keys(records))
    assert len({r["id"] for r in records}) == len(records)
    assert {r["id"] for r in records} == {r["id"] for r in emu.control.records(stream)}
    for record in records:
        assert {"id", "updated_at", "version", "deleted"} <= set(record)
        assert record["updated_at"].endswith("Z")


def test_page_shape_and_server_time(portal):
    body = portal.stream("owners", limit=5).json()
    assert set(body) == {"data", "next_cursor", "server_time"}
    assert len(body["data"]) == 5
    assert isinstance(body["next_cursor"], str)
    assert body["server_time"] == "2026-11-22T08:00:00Z"
    assert all(r["updated_at"] <= body["server_time"] for r in body["data"])


def test_last_page_exactly_full_has_null_cursor(emu, portal):
    total = len(emu.control.records("owners"))
    body = portal.stream("owners", limit=total).json()
    assert len(body["data"]) == total
    assert body["next_cursor"] is None


def test_limit_bounds(portal):
    for bad in ("0", "501", "x", "-1"):
        answer = portal.stream("owners", limit=bad)
        assert answer.status_code == 400, bad
        assert answer.headers["Content-Type"] == "application/problem+json"
    assert portal.stream("owners", limit=500).status_code == 200
    assert len(portal.stream("owners").json()["data"]) == 40  # default limit 100 > 40 owners


def test_updated_since_is_inclusive(emu, portal):
    everything = portal.all_pages("owners")
    pivot = everything[len(everything) // 2]
    since = portal.all_pages("owners", updated_since=pivot["updated_at"])
    assert since[0]["updated_at"] == pivot["updated_at"]
    assert {r["id"] for r in since} == {r["id"] for r in everything if r["updated_at"] >= pivot["updated_at"]}
    # Owners come in nightly batches: several share one updated_at, all of them are included.
    assert len(since) >= len([r for r in everything if r["updated_at"] == pivot["updated_at"]])


def test_updated_since_accepts_offsets_and_rejects_garbage(portal):
    assert portal.stream("owners", updated_since="2026-11-22T16:00:00+08:00").json()["data"] == []
    for bad in ("yesterday", "2026-11-22", "2026-11-22T08:00:00"):
        answer = portal.stream("owners", updated_since=bad)
        assert answer.status_code == 400, bad
        assert answer.json()["parameter"] == "updated_since"


def test_unknown_stream_is_404(portal):
    assert portal.stream("invoices").status_code == 404


def test_tombstones(emu, portal):
    seeded_deleted = [r for r in portal.all_pages("leads") if r["deleted"]]
    for tombstone in seeded_deleted:
        assert set(tombstone) == {"id", "updated_at", "version", "deleted"}
    emu.control.advance_clock(60)
    live = portal.all_pages("owners")[0]
    gone = emu.control.delete("owners", live["id"])
    assert gone == {"id": live["id"], "updated_at": "2026-11-22T08:01:00Z", "version": live["version"] + 1,
                    "deleted": True}
    latest = portal.stream("owners", updated_since="2026-11-22T08:01:00Z").json()["data"]
    assert latest == [gone]


def test_cursor_expires_after_ttl(emu, portal):
    cursor = portal.stream("owners", limit=5).json()["next_cursor"]
    emu.control.advance_clock(599)
    portal.get_token()  # tokens last 300 s
    assert portal.stream("owners", cursor=cursor, limit=5).status_code == 200
    emu.control.advance_clock(1)
    answer = portal.stream("owners", cursor=cursor, limit=5)
    assert answer.status_code == 410
    assert answer.json()["type"].endswith("/cursor-expired")


def test_expire_cursors_control(emu, portal):
    cursor = portal.stream("owners", limit=5).json()["next_cursor"]
    emu.control.expire_cursors()
    assert portal.stream("owners", cursor=cursor).status_code == 410
    fresh = portal.stream("owners", limit=5).json()["next_cursor"]
    assert portal.stream("owners", cursor=fresh).status_code == 200


def test_tampered_or_foreign_cursor_is_400(portal):
    cursor = portal.stream("owners", limit=5).json()["next_cursor"]
    assert portal.stream("owners", cursor=cursor[:-2] + "AA").status_code == 400
    assert portal.stream("owners", cursor="not-a-cursor").status_code == 400
    assert portal.stream("leads", cursor=cursor).status_code == 400


def test_cursor_keeps_its_updated_since(portal):
    since = "2026-10-01T00:00:00Z"
    first = portal.stream("owners", updated_since=since, limit=3).json()
    again = portal.stream("owners", updated_since=since, cursor=first["next_cursor"], limit=3)
    assert again.status_code == 200
    other = portal.stream("owners", updated_since="2026-01-01T00:00:00Z", cursor=first["next_cursor"])
    assert other.status_code == 400
    assert other.json()["type"].endswith("/cursor-mismatch")
    alone = portal.stream("owners", cursor=first["next_cursor"], limit=3).json()
    assert alone["data"] == again.json()["data"]
    assert all(r["updated_at"] >= since for r in alone["data"])


def test_record_changed_while_paging_comes_again(emu, portal):
    first = portal.stream("owners", limit=10).json()
    changed = first["data"][0]
    emu.control.advance_clock(5)
    emu.control.update("owners", changed["id"], plate="京A88888")
    seen = list(first["data"])
    cursor = first["next_cursor"]
    while cursor:
        body = portal.stream("owners", cursor=cursor, limit=10).json()
        seen.extend(body["data"])
        cursor = body["next_cursor"]
    again = [r for r in seen if r["id"] == changed["id"]]
    assert [r["version"] for r in again] == [changed["version"], changed["version"] + 1]
    assert again[1]["plate"] == "京A88888"
    assert seen[-1]["id"] == changed["id"]


def test_new_records_appear_at_the_end(emu, portal):
    before = portal.stream("leads", limit=500).json()
    emu.control.advance_clock(30)
    lead = emu.control.create("leads", name="测试客户", source="hotline")
    assert lead["version"] == 1 and lead["id"] == "LEAD-000031"
    after = portal.stream("leads", updated_since=before["server_time"]).json()["data"]
    assert [r["id"] for r in after] == [lead["id"]]
    assert after[0]["name"] == "测试客户"
    assert after[0]["contact_due"] == "2026-11-22T09:00:30Z"  # hotline: 60 minutes


def test_running_clock_never_hands_out_a_change_before_server_time():
    with Emulator(owners=5, leads=5, complaints=1, campaigns=1, surveys=1) as emu:
        before = emu.control.clock()["now"]
        record = emu.control.touch("owners", "OWN-000001")
        after = emu.control.clock()["now"]
        assert before <= record["updated_at"] <= after


def test_a_change_always_sorts_after_what_was_served(emu, portal):
    a, b, c = (emu.control.create("owners") for _ in range(3))
    assert a["updated_at"] == b["updated_at"] == c["updated_at"] == "2026-11-22T08:00:00Z"  # frozen clock
    first = portal.stream("owners", updated_since=a["updated_at"], limit=1).json()
    second = portal.stream("owners", cursor=first["next_cursor"], limit=1).json()
    assert [first["data"][0]["id"], second["data"][0]["id"]] == [a["id"], b["id"]]
    changed = emu.control.update("owners", a["id"], plate="京B12345")
    # Served records carry 08:00:00, so the change moves the clock on to the next second.
    assert changed["updated_at"] == "2026-11-22T08:00:01Z"
    assert emu.control.clock()["now"] == "2026-11-22T08:00:01Z"
    rest = []
    cursor = second["next_cursor"]
    while cursor:
        body = portal.stream("owners", cursor=cursor, limit=1).json()
        rest.extend(body["data"])
        cursor = body["next_cursor"]
    assert [(r["id"], r["version"]) for r in rest] == [(c["id"], 1), (a["id"], 2)]
