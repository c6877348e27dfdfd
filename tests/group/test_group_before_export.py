"""before_group_export: the plugins bring their derived rows up to date before a store exports,
so the export carries them (the complaints plugin's timing facts of tickets from before its
complaints_timings table, or computed with other settings); a failing implementation is a
warning and the export goes on; a second export from the same bookmark is the same."""

from __future__ import annotations

import json
import sqlite3

import pytest

from group_helpers import make_store, read

from crm.api import hookimpl


@pytest.fixture
def store(crm, tmp_path):
    store = make_store(crm, tmp_path / "store", customers=3)
    for at in ("2026-11-16 09:00", "2026-11-17 10:00"):
        store.li("complaints", "open", "--customer", "1", "--channel", "phone", "--category", "repair_quality",
                 "--description", "保养后异响", "--at", at)
    store.li("complaints", "advance", "1", "accept", "--at", "2026-11-16 11:00")
    return store


def test_an_export_carries_timings_the_cron_has_not_filled_in_yet(store, tmp_path):
    facts = store.sql("SELECT ticket_id, responded_at, respond_on_time FROM complaints_timings ORDER BY 1")
    assert facts == [(1, "2026-11-16T11:00:00", 1), (2, None, None)]
    # as a store upgraded from before the table, whose cron has not run yet


    conn = sqlite3.connect(store.db_path)
    with conn:
        conn.execute("DELETE FROM complaints_timings")
    conn.close()
    first = store.export(tmp_path / "out")
    _, tables = read(first["directory"])
    assert sorted((r["ticket_id"], r["responded_at"], r["respond_on_time"]) for r in tables["complaints_timings"]) \
        == facts
    assert store.sql("SELECT ticket_id, responded_at, respond_on_time FROM complaints_timings ORDER BY 1") == facts
    # nothing left to bring up to date: the same export again is the same, the next one is empty
    again = store.export(tmp_path / "again")
    assert again["bookmark"] == first["bookmark"] and again["rows"] == first["rows"]
    later = store.export(tmp_path / "out", "--since", "last")
    assert later["rows"] == 0


class FailingPlugin:
    calls: list = []

    @hookimpl
    def before_group_export(self, tx):
        self.calls.append(tx.app.actor)
        raise RuntimeError("the dealer's plugin is broken")


def test_a_failing_implementation_is_a_warning_and_the_export_goes_on(crm, store, tmp_path):
    crm.plugins = [FailingPlugin()]
    result = store.li("group", "export", "--out", tmp_path / "out", "--format", "json")
    assert FailingPlugin.calls and json.loads(result.stdout)["rows"] > 0
    assert "before_group_export" in result.stderr and "the dealer's plugin is broken" in result.stderr
    # the complaints plugin's implementation still ran: its rows are there
    _, tables = read(json.loads(result.stdout)["directory"])
    assert len(tables["complaints_timings"]) == 2
