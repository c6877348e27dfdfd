"""Three-way merge of OEM-owned fields, and the conflicts a person resolves.

For each field the portal sends, three values meet: ``base`` (what the portal said last
time, from the stored raw record), ``local`` (the archive now) and ``portal`` (the new
record). The portal's value is taken when only the portal changed it; the local value
stays when only the dealer changed it; when both changed it differently, the local value
stays in the archive, the portal's value is kept in ``portal_conflicts``, and
``crm sync run`` exits 3 until a person resolves it.
"""

from __future__ import annotations

import json
from typing import Any

from crm.errors import BadInput, NotFound

MISSING = object()


def _dump(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _load(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def merge_fields(tx, *, stream: str, record: dict, entity: str, entity_id: int, local: dict,
                 portal: dict, base: dict | None, same=None) -> dict:
    """Return the updates to apply; open (or refresh) conflicts for fields both sides changed.

    ``same(field, local_value, portal_value)`` may say two values are equal (a mobile that
    is the customer's second mobile)."""
    updates: dict = {}
    for field, remote in portal.items():
        here = local.get(field)
        was = base.get(field, MISSING) if base is not None else MISSING
        equal = remote == here or (same is not None and same(field, here, remote))
        if equal:
            _close_auto(tx, entity, entity_id, field)
            continue
        if remote is None:
            continue  # the portal emptied it: a known value is never replaced by nothing
        if was is not MISSING and remote == was:
            continue  # only the dealer changed it: keep local
        if here is None or (was is not MISSING and here == was):
            updates[field] = remote
            _close_auto(tx, entity, entity_id, field)
            continue
        open_conflict(tx, stream=stream, record=record, entity=entity, entity_id=entity_id, field=field,
                      base=None if was is MISSING else was, local=here, portal=remote)
    return updates


def open_conflict(tx, *, stream, record, entity, entity_id, field, base, local, portal) -> int:
    row = tx.conn.execute("SELECT id FROM portal_conflicts WHERE status = 'open' AND entity = ? AND entity_id = ?"
                          " AND field = ?", (entity, entity_id, field)).fetchone()
    if row:
        tx.conn.execute("UPDATE portal_conflicts SET portal = ?, local = ?, portal_version = ?, record_id = ?"
                        " WHERE id = ?", (_dump(portal), _dump(local), record.get("version"), record["id"], row[0]))
        return row[0]
    cur = tx.conn.execute(
        "INSERT INTO portal_conflicts (stream, record_id, entity, entity_id, field, base, local, portal,"
        " portal_version, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (stream, record["id"], entity, entity_id, field, _dump(base), _dump(local), _dump(portal),
         record.get("version"), tx.now))
    tx.audit("conflict", "portal_conflict", [cur.lastrowid], detail={"entity": entity, "field": field})
    return cur.lastrowid


def _close_auto(tx, entity: str, entity_id: int, field: str) -> None:
    tx.conn.execute("UPDATE portal_conflicts SET status = 'resolved', resolution = 'agreed', resolved_at = ?,"
                    " resolved_by = 'sync' WHERE status = 'open' AND entity = ? AND entity_id = ? AND field = ?",
                    (tx.now, entity, entity_id, field))


def list_conflicts(store, *, all_: bool = False) -> list[dict]:
    rows = store.query(
        "SELECT id, stream, record_id, entity, entity_id, field, local, portal, base, portal_version, status,"
        " resolution, created_at FROM portal_conflicts" + ("" if all_ else " WHERE status = 'open'") +
        " ORDER BY id")
    for row in rows:
        for key in ("local", "portal", "base"):
            row[key] = _load(row[key])
    return rows


def open_count(store) -> int:
    return store.scalar("SELECT count(*) FROM portal_conflicts WHERE status = 'open'") or 0


def resolve(tx, conflict_id: int, take: str) -> dict:
    """``take``: ``portal``, ``local`` or a value typed by the person (validated by the archive)."""
    row = tx.conn.execute("SELECT id, entity, entity_id, field, local, portal, status FROM portal_conflicts"
                          " WHERE id = ?", (conflict_id,)).fetchone()
    if row is None:
        raise NotFound(f"no portal conflict {conflict_id} (see 'crm sync conflicts')")
    cid, entity, entity_id, field, local, portal, status = row
    if status != "open":
        raise BadInput(f"conflict {cid} is already resolved")
    if take == "local":
        value, resolution = _load(local), "local"
    elif take == "portal":
        value, resolution = _load(portal), "portal"
    else:
        value, resolution = take, "value"
    if take != "local":
        if entity == "customer":
            from crm.api import update_customer

            update_customer(tx, entity_id, {field: value}, source="portal-conflict")
        elif entity == "vehicle":
            from crm.api import update_vehicle

            update_vehicle(tx, entity_id, {field: value})
        else:  # pragma: no cover - only customers and vehicles have conflicts
            raise BadInput(f"conflict {cid}: unknown entity {entity}")
    tx.conn.execute("UPDATE portal_conflicts SET status = 'resolved', resolution = ?, resolved_at = ?,"
                    " resolved_by = ? WHERE id = ?", (resolution, tx.now, tx.actor.code, cid))
    tx.audit("resolve", "portal_conflict", [cid], detail={"take": resolution, "field": field})
    return {"id": cid, "entity": entity, "entity_id": entity_id, "field": field, "resolution": resolution}
