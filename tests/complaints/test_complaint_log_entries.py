"""The complaints plugin writes the customer's log through the archive (crm.archive.interactions):
every entry it leaves is one `crm log add` would accept (channel `in_person` used to be stored raw)."""

import sqlite3

from complaints_helpers import as_, dept, dept_template, only_complaints, open_ticket, run_to_summarized, step  # noqa: F401

from crm.archive.validate import LOG_CHANNELS, clean_interaction


def _entries(crm):
    conn = sqlite3.connect(crm.db_path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("SELECT customer_id, at, channel, direction, kind, summary, outcome, ref"
                                               " FROM interactions WHERE ref LIKE 'complaint:%' ORDER BY id")]
    finally:
        conn.close()


def test_a_walk_in_complaint_confirmed_in_person_leaves_valid_log_entries(dept):
    crm = dept
    tid = open_ticket(crm, "--at", "2026-11-20 09:40", now="2026-11-20T10:00:00", channel="walk_in")
    run_to_summarized(crm, tid)
    step(crm, tid, "advance", "confirm", "--via", "in_person", now="2026-11-20T15:30:00")
    entries = _entries(crm)
    assert [(e["kind"], e["channel"]) for e in entries] == [("complaint", "visit"), ("complaint_confirmation", "visit")]
    for entry in entries:
        assert entry["channel"] in LOG_CHANNELS
        clean, problems = clean_interaction({k: v for k, v in entry.items() if v is not None})
        assert problems == [], problems
        assert clean["channel"] == entry["channel"] and clean["at"] == entry["at"]  # stored as the archive stores it
    # `crm log list` shows them like any other entry
    rows = crm.json("log", "list", "--customer", "1", env=as_("zhaomin"))
    assert {r["kind"] for r in rows} >= {"complaint", "complaint_confirmation"}
