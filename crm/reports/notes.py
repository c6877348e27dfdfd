"""The specialist's own written work (issue 16), kept in ``worklog`` and shown in the forms.

- ``note``: what the specialist did and noticed on a day → 每日工作日志, 工作内容与备注;
- ``goal``: a goal of a week (with a target), submitted to the manager → 每周工作计划,
  本周工作目标, and compared with what was done (``done``);
- ``problem`` / ``plan``: a problem of the month and its resolution, next month's plan →
  月度工作总结, 存在问题及原因分析 / 下月工作计划.

:func:`text_source` is the forms' ``TEXT_SOURCES`` entry.
"""

from __future__ import annotations

import datetime as dt

from ..errors import BadInput, NotFound

KINDS = ("note", "goal", "problem", "plan")


def add(tx, *, staff: str, day: dt.date, kind: str, text: str, target: str | None = None) -> int:
    if kind not in KINDS:
        raise BadInput(f"worklog kind {kind!r} is not one of {', '.join(KINDS)}")
    text = (text or "").strip()
    if not text:
        raise BadInput("worklog: the text is empty")
    if not tx.conn.execute("SELECT 1 FROM staff WHERE code = ?", (staff,)).fetchone():
        raise BadInput(f"worklog: no staff member with code '{staff}'")
    if kind == "goal":
        day = day - dt.timedelta(days=day.weekday())  # a goal belongs to its week (its Monday)
    entry = tx.conn.execute(
        "INSERT INTO worklog (staff, day, kind, text, target, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        (staff, day.isoformat(), kind, text, target, tx.now)).lastrowid
    tx.audit("add", "worklog", [entry], detail={"kind": kind, "day": day.isoformat()})
    return entry


def mark_done(tx, entry: int, done: str, staff: str | None) -> None:
    row = tx.store.query_one("SELECT id, staff FROM worklog WHERE id = ?", (entry,))
    if row is None:
        raise NotFound(f"no worklog entry {entry} (see 'crm worklog show')")
    if staff and row["staff"] != staff:
        raise BadInput(f"worklog entry {entry} is {row['staff']}'s, not yours")
    tx.conn.execute("UPDATE worklog SET done = ? WHERE id = ?", (done, entry))
    tx.audit("done", "worklog", [entry])


def submit(tx, staff: str, week_start: dt.date) -> int:
    """Submit the week's goals to the manager (submitted_at); returns how many."""
    cursor = tx.conn.execute(
        "UPDATE worklog SET submitted_at = ? WHERE staff = ? AND kind = 'goal' AND day = ? AND submitted_at IS NULL",
        (tx.now, staff, week_start.isoformat()))
    if cursor.rowcount == 0 and not tx.conn.execute(
            "SELECT 1 FROM worklog WHERE staff = ? AND kind = 'goal' AND day = ?", (staff, week_start.isoformat())
    ).fetchone():
        raise BadInput(f"no goals of the week {week_start.isoformat()} to submit: add them with 'crm worklog plan'")
    tx.audit("submit", "worklog", count=cursor.rowcount, detail={"week": week_start.isoformat(), "staff": staff})
    return cursor.rowcount


def entries(app, lo: dt.date, hi: dt.date, *, staff: str | None = None, kind: str | None = None) -> list[dict]:
    sql = ("SELECT id, staff, day, kind, text, target, done, submitted_at FROM worklog WHERE day >= ? AND day <= ?"
           + (" AND staff = ?" if staff else "") + (" AND kind = ?" if kind else "") + " ORDER BY day, staff, id")
    params = [lo.isoformat(), hi.isoformat(), *([staff] if staff else []), *([kind] if kind else [])]
    return app.store.query(sql, params)


def text_source(app, form: str, request: dict) -> dict:
    """Fill the forms' written sections from the worklog (``forms.TEXT_SOURCES``)."""
    lo, hi, staff = request["start"], request["end"], request.get("staff")
    if form == "daily-log":
        rows = entries(app, lo, hi, staff=staff, kind="note")
        return {"notes": [{"no": i, "content": r["text"], "done": r["done"] or ""} for i, r in enumerate(rows, 1)]}
    if form == "weekly-plan":
        monday = lo - dt.timedelta(days=lo.weekday())
        rows = entries(app, monday, hi, staff=staff, kind="goal")
        return {"goals": [{"no": i, "goal": r["text"] + ("" if r["submitted_at"] else " (未提交)"),
                           "target": r["target"] or "", "done": r["done"] or ""} for i, r in enumerate(rows, 1)]}
    if form == "monthly-summary":
        out = {}
        for kind, key in (("problem", "problems"), ("plan", "next_month")):
            rows = entries(app, lo, hi, staff=staff, kind=kind)
            if rows:
                out[key] = [{"no": i, "content": r["text"]} for i, r in enumerate(rows, 1)]
        return out
    return {}
