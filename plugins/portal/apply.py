"""Applying one page of a stream inside the page's transaction.

- Records are applied idempotently by ``(id, version)``: a version not newer than the one
  stored is skipped (duplicates within a page, re-reads of an inclusive ``updated_since``).
- A tombstone (``deleted: true``) deletes what the record made here (see each stream).
- The raw JSON is stored (``portal_records.raw``), unknown fields included.
- A record missing a required field, or one the archive's validation refuses, goes to
  ``portal_quarantine`` with the reason; the rest of the page goes on.
- Every applied record is announced to the other plugins with ``on_portal_record``.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from crm.errors import BadInput

from .records import Refused, parse_instant

#: Required fields of a live record, besides ``id``, ``version`` and ``updated_at``.
REQUIRED: dict[str, tuple[str, ...]] = {
    "leads": ("name", "phone", "source", "created_at", "contact_due"),
    "complaints": ("customer", "channel", "category", "severity", "description", "dispatched_at",
                   "respond_due", "resolve_due"),
    "owners": ("vin", "owner", "owner.name"),
    "campaigns": ("kind", "title", "starts_on"),
    "surveys": ("kind", "score", "answered_at"),
}


def _get(record: dict, dotted: str) -> Any:
    node: Any = record
    for part in dotted.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def check(stream: str, record: Any) -> str | None:
    """Why ``record`` cannot be applied, or None."""
    if not isinstance(record, dict):
        return "not a JSON object"
    if not isinstance(record.get("id"), str) or not record["id"].strip():
        return "missing required field id"
    version = record.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        return "missing or invalid required field version"
    try:
        parse_instant(record.get("updated_at"))
    except ValueError:
        return "missing or invalid required field updated_at (RFC 3339 with offset)"
    deleted = record.get("deleted", False)
    if not isinstance(deleted, bool):
        return "field deleted is not a boolean"
    if deleted:
        return None
    missing = [f for f in REQUIRED.get(stream, ()) if _get(record, f) in (None, "")]
    if missing:
        return "missing required field" + ("s " if len(missing) > 1 else " ") + ", ".join(missing)
    return None


def quarantine(tx, stream: str, record: Any, reason: str) -> bool:
    """Store a refused record; True when it is new (not seen refused before)."""
    rid = record.get("id") if isinstance(record, dict) and isinstance(record.get("id"), str) else None
    version = record.get("version") if isinstance(record, dict) and isinstance(record.get("version"), int) else None
    raw = json.dumps(record, ensure_ascii=False, default=str)
    if rid is not None and version is not None:
        found = tx.conn.execute("SELECT 1 FROM portal_quarantine WHERE stream = ? AND record_id = ? AND version = ?",
                                (stream, rid, version)).fetchone()
        if found:
            return False
    tx.conn.execute("INSERT INTO portal_quarantine (stream, record_id, version, reason, raw, seen_at)"
                    " VALUES (?, ?, ?, ?, ?, ?)", (stream, rid, version, reason[:500], raw, tx.now))
    return True


def stored(tx, stream: str, record_id: str) -> dict | None:
    cur = tx.conn.execute("SELECT version, deleted, raw, customer_id, vehicle_id FROM portal_records"
                          " WHERE stream = ? AND id = ?", (stream, record_id))
    row = cur.fetchone()
    if row is None:
        return None
    return {"version": row[0], "deleted": bool(row[1]), "raw": json.loads(row[2]) if row[2] else None,
            "customer_id": row[3], "vehicle_id": row[4]}


def _handler(stream: str):
    if stream == "owners":
        from .owners import apply_owner

        return apply_owner
    if stream == "leads":
        from .leads import apply_lead

        return apply_lead
    return None


def apply_records(tx, stream: str, records: list) -> Counter:
    """Apply ``records`` (one page) in order; returns counts
    (``applied``, ``deleted``, ``skipped``, ``quarantined``, ``quarantined_new``)."""
    counts: Counter = Counter()
    handler = _handler(stream)
    for position, record in enumerate(records):
        reason = check(stream, record)
        if reason:
            counts["quarantined"] += 1
            counts["quarantined_new"] += quarantine(tx, stream, record, reason)
            continue
        rid, version = record["id"], record["version"]
        deleted = bool(record.get("deleted", False))
        before = stored(tx, stream, rid)
        if before is not None and before["version"] >= version:
            counts["skipped"] += 1
            continue
        try:
            with tx.store.savepoint(f"portal_record_{position}"):
                link = handler(tx, record, before) if handler else {}
                link = link or {}
                tx.conn.execute(
                    "INSERT INTO portal_records (stream, id, version, updated_at, deleted, raw, customer_id,"
                    " vehicle_id, applied_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (stream, id) DO UPDATE SET version = excluded.version,"
                    " updated_at = excluded.updated_at, deleted = excluded.deleted, raw = excluded.raw,"
                    " customer_id = excluded.customer_id, vehicle_id = excluded.vehicle_id,"
                    " applied_at = excluded.applied_at",
                    (stream, rid, version, record["updated_at"], 1 if deleted else 0,
                     None if deleted else json.dumps(record, ensure_ascii=False),
                     link.get("customer_id"), link.get("vehicle_id"), tx.now))
                _announce(tx, stream, record)
        except Refused as exc:
            counts["quarantined"] += 1
            counts["quarantined_new"] += quarantine(tx, stream, record, str(exc))
            continue
        except BadInput as exc:
            counts["quarantined"] += 1
            counts["quarantined_new"] += quarantine(tx, stream, record, exc.message)
            continue
        tx.conn.execute("UPDATE portal_quarantine SET resolved_at = ? WHERE stream = ? AND record_id = ?"
                        " AND resolved_at IS NULL AND version <= ?", (tx.now, stream, rid, version))
        counts["deleted" if deleted else "applied"] += 1
    return counts


def _announce(tx, stream: str, record: dict) -> None:
    """``on_portal_record``: each plugin in its own savepoint; one refusing the record
    (BadInput) sends it to the quarantine instead of stopping the sync."""
    try:
        tx.fire("on_portal_record", stream=stream, record=record)
    except BadInput as exc:
        raise Refused(f"a plugin refused the record: {exc.message}") from None
