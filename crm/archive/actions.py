"""Corrective actions (整改项): a problem found by a callback, a survey or a complaint, given
to a department with an owner, a due date and a status.

The department's documents: the complaint procedure's last step (总结批价) asks the
supervisor to "提出改进对策, 不断完善企业的经营管理"; the callback script promises a
dissatisfied customer "我们很快就会有改进"; and "客户关系部月度电话回访报表提到的销售或
售后存在的问题整改项" are the items Sales and Aftersales are asked to act on — and, the
same text says, too often leave lying. So an item is tracked to the end here:

    open ─start→ in_progress ─done→ done ─verify→ verified
      └──────────done──────────┘      └─reject→ in_progress   (the manager sends it back)

It lives in the core archive beside customers and orders because three plugins raise it
(callbacks, campaigns' surveys, complaints) and the core's agenda and monthly report show
it: plugins reach it through ``crm.api`` (:func:`add_action`, :func:`actions_for`); what a
source reference names (``callback:6:8``) is asked of its plugin with the ``describe_ref``
hook. Overdue items (due date passed, not done) go to the top of the owner's agenda and
into the manager's list of overdue items, as overdue callbacks and complaints do.
"""

from __future__ import annotations

import datetime as dt

from ..errors import BadInput, NotFound
from ..values.refs import Ref
from .where import Where

STATUSES = {"open": "待整改", "in_progress": "整改中", "done": "已整改", "verified": "已验证"}
OPEN = ("open", "in_progress")
#: (from status, step) -> to status
MOVES = {("open", "start"): "in_progress", ("open", "done"): "done", ("in_progress", "done"): "done",
         ("done", "verify"): "verified", ("done", "reject"): "in_progress"}
#: the departments an item is given to (the documents: 销售部, 售后服务部 …), code -> name
DEPARTMENTS = {"sales": "销售部", "service": "售后服务部", "workshop": "售后车间", "parts": "配件部",
               "customer_relations": "客户关系部", "finance": "财务部", "other": "其他"}
#: how a ``--from`` kind is written (``survey:5`` is a survey response)
KIND_ALIASES = {"survey": "survey-response", "response": "survey-response"}
COLUMNS = ["id", "status", "dept", "owner", "due_on", "overdue_days", "problem", "source", "customer_id", "note"]


def parse_ref(text: str) -> Ref:
    """``complaint:3``, ``callback:6`` or ``callback:6:8``, ``survey:5`` → a :class:`Ref`."""
    parts = str(text or "").strip().split(":")
    try:
        if len(parts) not in (2, 3) or not parts[0]:
            raise ValueError
        kind = KIND_ALIASES.get(parts[0].lower(), parts[0].lower())
        return Ref(kind, int(parts[1]), int(parts[2]) if len(parts) == 3 else None)
    except ValueError:
        raise BadInput(f"--from {text!r}: use callback:ID, complaint:ID or survey:ID") from None


def department(value: str) -> str:
    text = str(value or "").strip()
    for code, name in DEPARTMENTS.items():
        if text.lower() == code or text == name:
            return code
    raise BadInput(f"--dept {value!r}: use one of {', '.join(f'{c} ({n})' for c, n in DEPARTMENTS.items())}")


def _owner(tx, code: str) -> str:
    row = tx.store.query_one("SELECT code, active FROM staff WHERE code = ?", (code,))
    if row is None or not row["active"]:
        raise BadInput(f"--owner {code!r}: no active staff member with that code (see 'crm staff list')")
    return row["code"]


def _due(value, today: dt.date) -> str:
    try:
        day = dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise BadInput(f"--due {value!r} is not a date like 2026-11-30") from None
    if day < today:
        raise BadInput(f"--due {day}: the due date has already passed (today is {today})")
    return day.isoformat()


def describe(app, ref: Ref) -> dict:
    """What the record ``ref`` names, asked of its plugin: ``{"ref", "customer_id", "problem"}``."""
    got = app.plugins.call_first("describe_ref", app=app, ref=ref)
    if not isinstance(got, dict):
        raise BadInput(f"--from {ref}: no such {ref.kind} (or no installed plugin keeps {ref.kind} records)")
    return {"ref": got.get("ref") or ref, "customer_id": got.get("customer_id"), "problem": got.get("problem")}


def add_action(tx, *, dept: str, owner: str, due_on, problem: str | None = None, source: Ref | None = None,
               customer_id: int | None = None) -> int:
    """Raise a corrective action; returns its id. With ``source`` the problem and customer
    default to what the source's plugin says about it."""
    if source is not None:
        found = describe(tx.app, source)
        source = found["ref"]
        customer_id = customer_id if customer_id is not None else found["customer_id"]
        problem = problem or found["problem"]
    problem = (problem or "").strip()
    if not problem:
        raise BadInput("a corrective action needs the problem (--problem TEXT, or --from a record that has one)")
    row = {"source": str(source) if source is not None else None, "customer_id": customer_id, "problem": problem,
           "dept": department(dept), "owner": _owner(tx, owner), "due_on": _due(due_on, tx.app.today()),
           "status": "open", "raised_by": tx.actor.code, "created_at": tx.now, "updated_at": tx.now}
    marks = ", ".join("?" * len(row))
    action_id = tx.conn.execute(f"INSERT INTO corrective_actions ({', '.join(row)}) VALUES ({marks})",
                                tuple(row.values())).lastrowid
    tx.audit("add", "corrective_action", [action_id],
             detail={"source": row["source"], "dept": row["dept"], "owner": row["owner"], "due_on": row["due_on"]})
    return action_id


def get_action(store, action_id: int) -> dict:
    row = store.query_one("SELECT * FROM corrective_actions WHERE id = ?", (action_id,))
    if row is None:
        raise NotFound(f"no corrective action {action_id} (see 'crm action list')")
    return row


def move(tx, action_id: int, step: str, note: str | None = None) -> dict:
    """One step of an item: start, done (with what was done), verify or reject (manager)."""
    row = get_action(tx.store, action_id)
    to = MOVES.get((row["status"], step))
    if to is None:
        raise BadInput(f"corrective action {action_id} is {row['status']} ({STATUSES[row['status']]}):"
                       f" it cannot be '{step}'")
    if step in ("verify", "reject"):
        tx.app.require("action.verify")
    elif row["owner"] != tx.actor.code and not tx.app.may("action.verify") and not tx.app.setting_up():
        raise BadInput(f"corrective action {action_id} is {row['owner']}'s: only its owner or the manager moves it")
    if step in ("done", "reject") and not (note or "").strip():
        raise BadInput(f"'{step}' needs a note (--note): what was done, or why it is sent back")
    updates = {"status": to, "updated_at": tx.now}
    if note and note.strip():  # what was done; the manager's word is added after it
        said = {"verify": "验证", "reject": "退回"}.get(step)
        updates["note"] = f"{row['note']}; {said}: {note.strip()}" if said and row["note"] else (
            f"{said}: {note.strip()}" if said else note.strip())
    if to == "done":
        updates["done_at"] = tx.now
    if to == "verified":
        updates.update(verified_at=tx.now, verified_by=tx.actor.code)
    if step == "reject":
        updates["done_at"] = None
    sets = ", ".join(f"{k} = ?" for k in updates)
    tx.conn.execute(f"UPDATE corrective_actions SET {sets} WHERE id = ?", (*updates.values(), action_id))
    tx.audit(step, "corrective_action", [action_id], detail={"from": row["status"], "to": to})
    return get_action(tx.store, action_id)


def _with_overdue(row: dict, today: str) -> dict:
    late = row["status"] in OPEN and row["due_on"] < today
    days = (dt.date.fromisoformat(today) - dt.date.fromisoformat(row["due_on"])).days if late else None
    return {**row, "overdue_days": days}


def list_actions(store, today: dt.date, *, owner: str | None = None, status: str | None = None,
                 overdue: bool = False, dept: str | None = None, since: dt.date | None = None,
                 until: dt.date | None = None) -> list[dict]:
    """Items, earliest due first; ``since``/``until``: raised in those days, or still open then."""
    if status is not None and status not in STATUSES:
        raise BadInput(f"--status {status!r}: use one of {', '.join(STATUSES)}")
    w = Where().equal("owner", owner).equal("status", status).equal("dept", department(dept) if dept else None)
    if overdue:
        w.add("status IN ('open', 'in_progress') AND due_on < ?", today.isoformat())
    if since is not None and until is not None:  # raised in the period, or left open into it
        w.add("(substr(created_at, 1, 10) BETWEEN ? AND ? OR (substr(created_at, 1, 10) < ?"
              " AND (status IN ('open', 'in_progress') OR substr(done_at, 1, 10) >= ?)))",
              since.isoformat(), until.isoformat(), since.isoformat(), since.isoformat())
    rows = store.query(f"SELECT * FROM corrective_actions{w.sql()} ORDER BY due_on, id", w.params)
    return [_with_overdue(r, today.isoformat()) for r in rows]


def actions_for(store, refs) -> dict[str, list[dict]]:
    """The items raised from each of ``refs`` (a ``callback:6`` item counts for each call of task 6)."""
    wanted = {str(r) for r in refs if r is not None}
    if not wanted:
        return {}
    heads = {f"{r.kind}:{r.id}" for r in refs if r is not None}
    keys = sorted(wanted | heads)
    rows = store.query(f"SELECT * FROM corrective_actions WHERE source IN ({','.join('?' * len(keys))})"
                       " ORDER BY id", keys)
    out: dict[str, list[dict]] = {}
    for ref in refs:
        if ref is None:
            continue
        mine = [r for r in rows if r["source"] in (str(ref), f"{ref.kind}:{ref.id}")]
        if mine:
            out[str(ref)] = mine
    return out


def summary_text(row: dict) -> str:
    """整改 #3 售后车间 sunwei 2026-11-30 整改中 — one item in a report's cell."""
    return (f"整改 #{row['id']} {DEPARTMENTS.get(row['dept'], row['dept'])} {row['owner']}"
            f" {row['due_on']} {STATUSES[row['status']]}")


def agenda_items(app, day: dt.date, staff: str | None) -> list[dict]:
    """The owner's open items (overdue ones first, priority 0), and for whoever may verify
    (the manager) everyone's overdue items and the done ones waiting to be verified."""
    st = app.store
    checker = False
    if staff:
        role = st.scalar("SELECT role FROM staff WHERE code = ?", (staff,))
        checker = app.permissions.allows(role, "action.verify")
    today = day.isoformat()
    items = []
    rows = st.query("SELECT * FROM corrective_actions WHERE status IN ('open', 'in_progress', 'done')"
                    + ("" if not staff or checker else " AND owner = ?") + " ORDER BY due_on, id LIMIT 500",
                    () if not staff or checker else (staff,))
    for row in rows:
        mine = not staff or row["owner"] == staff
        late = row["status"] in OPEN and row["due_on"] < today
        if row["status"] == "done":
            if not checker and staff:
                continue
            title = f"整改待验证 #{row['id']}: {DEPARTMENTS.get(row['dept'], row['dept'])} {row['owner']}: {row['problem']}"
            items.append({"kind": "corrective_action", "priority": 2, "due": row["due_on"],
                          "customer_id": row["customer_id"], "ref": f"action:{row['id']}", "title": title,
                          "staff": row["owner"]})
            continue
        if not mine and not late:
            continue  # the manager sees the others' items once they are overdue
        title = (f"整改{'(逾期)' if late else ''} #{row['id']} {DEPARTMENTS.get(row['dept'], row['dept'])}"
                 f" {row['owner']}: {row['problem']} (到期 {row['due_on']})")
        items.append({"kind": "corrective_action", "priority": 0 if late else (1 if row["due_on"] <= today else 3),
                      "due": row["due_on"], "customer_id": row["customer_id"], "ref": f"action:{row['id']}",
                      "title": title, "staff": row["owner"]})
    return items


__all__ = ["add_action", "get_action", "move", "list_actions", "actions_for", "agenda_items", "parse_ref",
           "summary_text", "STATUSES", "DEPARTMENTS"]
