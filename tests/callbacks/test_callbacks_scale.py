"""What keeps the daily plan fast: partial indexes read by every query on open tasks (m006), no
scans, and the reasons written without the generic JSON encoder (the same text)."""

import datetime as dt
import json
import random
import sqlite3

from callbacks_helpers import customer, member, plan, vehicle, visit


def _archive(staffed):
    # 丙's call (car out on the 2nd) is planned on the 4th and expires by the 20th
    for i, (name, out) in enumerate([("甲", "2026-11-19"), ("乙", "2026-11-19"), ("丙", "2026-11-02")]):
        cid = customer(staffed, name, f"1381234567{i}", birthday="1990-11-20" if i < 2 else "1990-06-01")
        visit(staffed, vehicle(staffed, cid, 10 + i), f"RO{i}", out)
        if i == 1:
            member(staffed, cid)
    plan(staffed, "2026-11-04")


def test_open_task_indexes_are_partial(staffed):
    _archive(staffed)
    sql = dict(staffed.sql("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'callback_tasks'"))
    for name in ("callback_tasks_queue", "callback_tasks_agenda", "callback_tasks_last"):
        assert sql[name].rstrip().endswith("WHERE status = 'open'"), sql[name]
    assert "WHERE" not in sql["callback_tasks_customer"]  # merging and forgetting customers need every task


def test_plan_and_queue_read_open_tasks_through_their_indexes(staffed):
    from crm.context import App
    from crm_callbacks.planner import run_plan
    from crm_callbacks.queue import due_rows

    _archive(staffed)
    app = App()
    seen: list[str] = []
    app.store.conn.set_trace_callback(seen.append)
    stats, _ = run_plan(app, dt.date(2026, 11, 20))
    due_rows(app, dt.date(2026, 11, 20), staff="wangfang", limit=10)
    app.store.conn.set_trace_callback(None)
    assert stats["created"] and stats["expired"]

    conn = sqlite3.connect(staffed.db_path)
    try:
        def plan_of(statement: str) -> str:
            return " | ".join(row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + statement))

        used = {}
        for statement in seen:
            if "callback_tasks" in statement and not statement.startswith(("INSERT", "BEGIN", "PRAGMA")):
                detail = plan_of(statement)
                assert "SCAN callback_tasks" not in detail and "SCAN t " not in detail + " ", (statement, detail)
                used[statement.split()[0] + " " + statement.split()[2]] = detail
    finally:
        conn.close()
    assert any("callback_tasks_last (status=? AND last_on<?)" in d for s, d in used.items() if s.startswith("UPDATE"))
    assert any("COVERING INDEX callback_tasks_queue" in d for d in used.values())  # the loads per day
    assert any("INDEX callback_tasks_agenda (status=? AND assigned_to=? AND member=?" in d for d in used.values())


def test_reasons_are_written_as_json_dumps_writes_them():
    from crm_callbacks.planner import reasons_json

    alphabet = ["a", '"', "\\", "\n", "\t", "\x00", "\x1f", "\x7f", "回", "访", "\u2028", "\ud800", "😀", " ", "/"]
    rnd = random.Random(5)

    def text(n):
        return "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, n)))

    for _ in range(2000):
        reasons = [{"rule": text(4), "key": text(8), "reason": text(12)} for _ in range(rnd.randint(0, 3))]
        assert reasons_json(reasons) == json.dumps(reasons, ensure_ascii=False)
    for odd in ([{"rule": "a", "key": 1, "reason": "x"}], [{"key": "k", "rule": "a", "reason": "x"}],
                [{"rule": "a", "key": "k", "reason": "x", "more": [1]}], ["text"], [{"rule": "a", "key": "k", "reason": None}]):
        assert reasons_json(odd) == json.dumps(odd, ensure_ascii=False)


def test_the_plan_gives_back_its_cache_map_and_collector(staffed):
    import gc

    from crm.context import App
    from crm_callbacks.planner import run_plan

    _archive(staffed)
    app = App()
    conn = app.store.conn
    before = [conn.execute(f"PRAGMA {name}").fetchone()[0] for name in ("cache_size", "mmap_size")]
    run_plan(app, dt.date(2026, 11, 20), dry_run=True)
    run_plan(app, dt.date(2026, 11, 20))
    assert [conn.execute(f"PRAGMA {name}").fetchone()[0] for name in ("cache_size", "mmap_size")] == before
    assert gc.isenabled()


def test_the_daily_plan_builds_no_notes_unless_explaining(staffed):
    """The notes of ``plan --explain`` (one per candidate) are built only when asked for: the
    daily run (cron, the bench) plans the same tasks without them."""
    from crm.context import App
    from crm_callbacks.planner import run_plan

    _archive(staffed)
    day = dt.date(2026, 11, 20)
    before = staffed.sql("SELECT count(*) FROM callback_tasks")[0][0]
    explained, notes = run_plan(App(), day, dry_run=True, explain=True)
    assert {n["decision"] for n in notes} >= {"created"} and len(notes) == explained["considered"]
    stats, quiet = run_plan(App(), day)
    assert quiet == [] and stats == explained
    assert staffed.sql("SELECT count(*) FROM callback_tasks")[0][0] == before + stats["created"] > before
