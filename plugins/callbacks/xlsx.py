"""The offline round trip: ``export-queue`` writes the calls to an XLSX, specialists fill in
the results, ``import-results`` reads them back — validated, idempotent, all or nothing.

Idempotency: each row carries the task's attempt count at export (``已尝试``); the row's
result is stored with the key ``xlsx:<task>:<attempt+1>``, so importing the same file again
skips what is already in (and a task recorded meanwhile is reported, not overwritten).

A corrected sheet: a row already imported is checked again like a new one (an invalid value
is always reported, exit 2, nothing imported) and compared with the call recorded from it;
a changed value is a conflict — reported with the recorded value, never applied (the call
has had its effects: the task closed, an appointment or a complaint may follow), exit 3
once the new rows are in.  See docs/callbacks.md "A corrected results sheet".
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from crm.errors import BadInput, NeedsAttention
from crm.api import check_target, emit, mask_row

from . import settings as settings_mod
from .files import unformula, write_table
from .results import parse_aspects, parse_moment, parse_result, parse_score, record_result
from .settings import ASPECTS, RESULT_TITLES
from .store import get_task

#: (header, key); the filled-in columns come last
COLUMNS = [
    ("任务ID", "id"), ("客户", "customer"), ("电话", "phone"), ("车辆", "car"), ("工单", "visit"),
    ("回访原因", "why"), ("应回访日期", "due_on"), ("会员", "member"), ("已尝试", "attempts"),
    ("回访专员", "staff"), ("回访时间", "called_at"), ("结果", "result"), ("评分", "score"),
    ("不满意方面", "aspects"), ("备注", "note"), ("建议", "suggestion"), ("预约时间", "book"),
]
HEADER_KEYS = {h: k for h, k in COLUMNS}
REQUIRED = ("id", "attempts", "result")


def export_queue(app, file: Path, *, day: dt.date, staff: str | None) -> int:
    from .queue import due_rows

    check_target(file, (".xlsx",))  # the queue is exported as .xlsx; never the database or a device
    unmasked = app.unmasked_file("callbacks.queue", filters={"day": day.isoformat(), "staff": staff}, fmt="xlsx")
    rows = [r if unmasked else mask_row(r) for r in due_rows(app, day, staff=staff)]
    table = [[r["id"], r["customer"], r["phone"], r["car"], r["visit"], r["why"], r["due_on"],
              "是" if r["member"] else "否", r["attempts"], r["assigned_to"], None, None, None, None, None, None, None]
             for r in rows]
    result_col = [k for _, k in COLUMNS].index("result") + 1
    write_table(file, [h for h, _ in COLUMNS], table, "回访队列",
                validations={result_col: list(RESULT_TITLES.values())})
    with app.transaction() as tx:
        tx.audit("export", "callback_task", [r["id"] for r in rows], count=len(rows),
                 detail={"kind": "callback queue", "file": Path(file).name, "day": day.isoformat()})
    return len(rows)


def _read(file: Path) -> list[tuple[int, dict]]:
    path = Path(file)
    if not path.is_file():
        raise BadInput(f"{file}: no such file")
    from crm.api import FileProblem, check_xlsx

    try:
        check_xlsx(path)  # zip bombs and sheets over Excel's row limit, before unpacking
    except FileProblem as exc:
        raise BadInput(f"{path}: not a readable .xlsx file ({exc.message})") from None
    try:
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise BadInput(f"{file}: not a readable .xlsx file ({type(exc).__name__})") from None
    ws = wb["回访队列"] if "回访队列" in wb.sheetnames else wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None) or ()
    keys = [HEADER_KEYS.get(str(h).strip()) if h is not None else None for h in header]
    missing = [h for h, k in COLUMNS if k in REQUIRED and k not in keys]
    if missing:
        raise BadInput(f"{file}: column(s) {', '.join(missing)} missing from the first row; "
                       "use a sheet written by 'crm callbacks export-queue'")
    out = []
    for number, values in enumerate(rows, start=2):
        record = {k: unformula(v) for k, v in zip(keys, values) if k}
        record = {k: (v.strip() if isinstance(v, str) else v) for k, v in record.items()}
        if all(v in (None, "") for v in record.values()):
            continue
        out.append((number, record))
    wb.close()
    return out


def _validate(app, number: int, rec: dict, settings: dict, seen: set, problems: list) -> dict | str | None:
    """A checked row ready to record, ``"duplicate"``/``"blank"``, or None with ``problems`` filled."""
    header = {k: h for h, k in COLUMNS}
    bad = []

    def fail(key, reason):
        bad.append({"row": number, "column": header[key], "value": "" if rec.get(key) is None else str(rec.get(key)),
                    "reason": reason})

    if rec.get("result") in (None, ""):
        return "blank"  # not called yet: nothing to import
    task = None
    try:
        task = get_task(app.store.conn, rec.get("id"))
    except BadInput as exc:
        fail("id", str(exc))
    try:
        exported = int(rec.get("attempts"))
    except (TypeError, ValueError):
        exported = None
        fail("attempts", "the attempt count written by the export is missing or changed")
    out: dict = {"row": number}
    recorded = None
    if task is not None and exported is not None:
        key = f"xlsx:{task['id']}:{exported + 1}"
        recorded = app.store.query_one("SELECT * FROM callback_calls WHERE import_key = ?", (key,))
        if recorded is not None:
            pass  # imported before: checked below like a new row, then compared with what was recorded
        elif task["id"] in seen:
            fail("id", "the same task appears twice in the file")
        elif task["status"] != "open":
            fail("id", f"task is {task['status']} already")
        elif task["attempts"] != exported:
            fail("attempts", f"task changed since the export ({task['attempts']} attempts recorded now)")
        seen.add(task["id"])
        out.update(task=task, import_key=key)
    for key, parse in (("result", parse_result), ("score", parse_score)):
        try:
            out[key] = parse(rec.get(key))
        except BadInput as exc:
            fail(key, str(exc))
    try:
        out["aspects"] = parse_aspects([rec.get("aspects")] if rec.get("aspects") else [])
    except BadInput as exc:
        fail("aspects", str(exc))
    if out.get("result") == "unreachable" and (out.get("score") is not None or out.get("aspects")):
        fail("score" if out.get("score") is not None else "aspects", "an unreachable call has no score or aspects")
    if out.get("result") == "satisfied" and out.get("aspects"):
        fail("aspects", "aspects are given only for neutral or dissatisfied results")
    now = app.now()
    if rec.get("called_at") in (None, ""):
        fail("called_at", "fill in when the call was made (e.g. 2026-11-20 10:30)")
    else:
        try:
            out["called_at"] = parse_moment(rec["called_at"], app.tz)
            if out["called_at"] > now:
                fail("called_at", "the call time is in the future")
        except BadInput as exc:
            fail("called_at", str(exc))
    staff = rec.get("staff") or (task or {}).get("assigned_to")
    if not staff:
        fail("staff", "who made the call? fill in a staff code")
    else:
        row = app.store.query_one("SELECT code, active FROM staff WHERE code = ? OR name = ?", (staff, staff))
        if row is None or not row["active"]:
            fail("staff", "no active staff member with this code")
        elif task is not None and row["code"] in task["avoid_staff"]:
            fail("staff", "this staff member served the customer on the visit and may not make the callback")
        else:
            out["staff"] = row["code"]
    if rec.get("book") not in (None, ""):
        try:
            out["book"] = parse_moment(rec["book"], app.tz)
            if out.get("called_at") and out["book"] <= out["called_at"]:
                fail("book", "the appointment is not after the call")
            if out.get("result") == "unreachable":
                fail("book", "an unreachable customer cannot book an appointment")
        except BadInput as exc:
            fail("book", str(exc))
    out["note"], out["suggestion"] = rec.get("note") or None, rec.get("suggestion") or None
    for key in ("note", "suggestion"):
        if out[key] is not None:
            out[key] = str(out[key])
    if bad:
        problems.extend(bad)
        return None
    if recorded is not None:
        changes = _changes(app, recorded, out)
        if not changes:
            return "duplicate"
        return {"conflicts": [{"row": number, "column": header[k], "value": new,
                               "reason": f"already imported as {old!r}; a re-import does not change a recorded call"}
                              for k, old, new in changes]}
    return out


def _changes(app, recorded: dict, out: dict) -> list[tuple[str, str, str]]:
    """(key, recorded value, value in the sheet) of each column that differs from the call."""
    import json

    def norm(v):
        return None if v in (None, [], "") else v

    def shown(key, v):
        if norm(v) is None:
            return ""
        if key == "result":
            return RESULT_TITLES.get(v, v)
        if key == "aspects":
            return "、".join(ASPECTS.get(a, a) for a in v)
        return v.isoformat(sep=" ", timespec="minutes") if isinstance(v, dt.datetime) else str(v)

    was = {"result": recorded["result"], "score": recorded["score"],
           "aspects": json.loads(recorded["aspects"]) if recorded["aspects"] else [],
           "note": recorded["note"], "suggestion": recorded["suggestion"], "staff": recorded["staff"],
           "called_at": parse_moment(recorded["called_at"], app.tz)}
    diffs = []
    for key, old in was.items():
        new = out.get(key)
        if norm(new) != norm(old):
            diffs.append((key, shown(key, old), shown(key, new)))
    return diffs


def import_results(app, file: Path, *, dry_run: bool, skip_invalid: bool, format) -> None:
    settings = settings_mod.load(app.config)
    app.require("callbacks.record")
    rows = _read(file)
    problems: list[dict] = []
    counts = {"imported": 0, "already_imported": 0, "changed": 0, "blank": 0, "bad": 0}
    good, seen, conflicts = [], set(), []
    for number, rec in rows:
        checked = _validate(app, number, rec, settings, seen, problems)
        if isinstance(checked, dict) and "conflicts" in checked:
            counts["changed"] += 1
            conflicts.extend(checked["conflicts"])
        elif checked == "duplicate":
            counts["already_imported"] += 1
        elif checked == "blank":
            counts["blank"] += 1
        elif checked is None:
            counts["bad"] += 1
        else:
            good.append(checked)
    columns = ["row", "column", "value", "reason"]
    if dry_run or (problems and not skip_invalid):
        if problems or conflicts:
            emit(problems + conflicts, format, columns=columns)
        counts["would_import" if dry_run else "imported"] = len(good) if dry_run else 0
        app.info(", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts.items()))
        if problems:
            raise BadInput(f"{file}: {counts['bad']} bad row(s); nothing imported"
                           + ("" if dry_run else " (fix them, or use --skip-invalid)"))
        if conflicts:
            raise NeedsAttention(_conflict_line(file, counts))
        return
    source = f"xlsx:{Path(file).name}"
    with app.transaction() as tx:
        for item in good:
            try:
                with tx.store.savepoint("callback_import_row"):
                    record_result(
                        tx, get_task(tx.conn, item["task"]["id"]), result=item["result"], score=item["score"],
                        aspects=item["aspects"], note=item["note"], suggestion=item["suggestion"],
                        called_at=item["called_at"], staff=item["staff"], settings=settings,
                        appointment={"at": item["book"], "type": "maintenance"} if item.get("book") else None,
                        source=source, import_key=item["import_key"])
                counts["imported"] += 1
            except BadInput as exc:
                counts["bad"] += 1
                problems.append({"row": item["row"], "column": "结果", "value": item["result"], "reason": str(exc)})
        if problems and not skip_invalid:
            raise BadInput(f"{file}: row {problems[0]['row']}: {problems[0]['reason']}; nothing imported")
        tx.audit("import", "callback_call", count=counts["imported"], detail={"file": Path(file).name, **counts})
    if problems or conflicts:
        emit(problems + conflicts, format, columns=columns)
    app.info(", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts.items()))
    if problems:
        raise NeedsAttention(f"{file}: imported {counts['imported']} row(s); {counts['bad']} bad row(s) skipped"
                             + (f"; {counts['changed']} changed row(s) not applied" if conflicts else ""))
    if conflicts:
        raise NeedsAttention(_conflict_line(file, counts))


def _conflict_line(file, counts: dict) -> str:
    return (f"{file}: {counts['changed']} row(s) already imported were changed in the sheet; the recorded calls"
            f" stay as they are (record a new call with 'crm callbacks record' if the customer was called again)")
