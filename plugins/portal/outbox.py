"""The outbox: the dealer's answers to the portal, queued in the caller's transaction and
sent in order, exactly once.

- :func:`queue` (the ``send_to_portal`` service) stores the item with its
  ``Idempotency-Key`` (uuid4, made once, never changed) and the ``If-Match`` version of
  the portal record it answers (from ``portal_records``), inside the caller's transaction.
- :func:`flush` sends queued items in id order. A lost answer (dropped connection, a
  kill -9 before the item was marked sent) is simply sent again with the same key: the
  portal replays its first answer. 412 → the problem's ``current`` record is applied like
  a synced record (merge) and the item is sent again with the new version. A permanent
  refusal (400/403/404/409/422/428) parks the item with the reason; a transient failure
  stops the flush (order is kept) and the run exits 75.
"""

from __future__ import annotations

import json
import uuid
from urllib.parse import quote

from crm.errors import BadInput

#: kind → (path template, stream of the record answered or None)
KINDS = {
    "callback": ("/callbacks", None),
    "complaint_event": ("/complaints/{ref}/events", "complaints"),
    "lead_followup": ("/leads/{ref}/followups", "leads"),
    "campaign_completion": ("/campaigns/{ref}/completions", "campaigns"),
}
MAX_412 = 3


def queue(tx, item: dict) -> int:
    if not isinstance(item, dict):
        raise BadInput("send_to_portal: the item must be a dict {kind, ref, payload}")
    kind = item.get("kind")
    if kind not in KINDS:
        raise BadInput(f"send_to_portal: unknown kind {kind!r} (kinds: {', '.join(KINDS)})")
    template, stream = KINDS[kind]
    ref = item.get("ref")
    if stream and (not isinstance(ref, str) or not ref.strip()):
        raise BadInput(f"send_to_portal: a {kind} needs the portal id of its record (ref)")
    payload = item.get("payload")
    if not isinstance(payload, dict):
        raise BadInput("send_to_portal: payload must be a JSON object")
    try:
        body = json.dumps(payload, ensure_ascii=False, sort_keys=True)
    except (TypeError, ValueError) as exc:
        raise BadInput(f"send_to_portal: payload is not JSON ({exc})") from None
    path = template.format(ref=quote(ref or "", safe=""))
    if_match = item.get("if_match")
    if if_match is None and stream:
        if_match = tx.conn.execute("SELECT version FROM portal_records WHERE stream = ? AND id = ? AND deleted = 0",
                                   (stream, ref)).fetchone()
        if_match = if_match[0] if if_match else None
    cur = tx.conn.execute(
        "INSERT INTO portal_outbox (kind, ref, path, payload, idempotency_key, if_match, customer_id, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (kind, ref if stream else None, path, body, str(uuid.uuid4()), if_match, item.get("customer_id"), tx.now))
    tx.audit("queue", "portal_outbox", [cur.lastrowid], detail={"kind": kind})
    return cur.lastrowid


def counts(store) -> dict:
    rows = store.query("SELECT status, count(*) AS n FROM portal_outbox GROUP BY status")
    out = {"queued": 0, "sent": 0, "parked": 0, "cancelled": 0}
    out.update({r["status"]: r["n"] for r in rows})
    return out


def list_items(store, *, status: str | None = None) -> list[dict]:
    sql = ("SELECT id, kind, ref, path, status, attempts, if_match, last_error, remote_id, created_at, sent_at"
           " FROM portal_outbox")
    if status:
        return store.query(sql + " WHERE status = ? ORDER BY id", (status,))
    return store.query(sql + " WHERE status IN ('queued', 'parked') ORDER BY id")


def _park(app, item_id: int, reason: str) -> None:
    with app.transaction() as tx:
        tx.conn.execute("UPDATE portal_outbox SET status = 'parked', attempts = attempts + 1, last_error = ?"
                        " WHERE id = ?", (reason[:500], item_id))
        tx.audit("park", "portal_outbox", [item_id])
    app.log.warning(f"outbox item {item_id} parked: {reason}")


def flush(app, client, *, merge, note=None) -> dict:
    """Send every queued item in order; returns ``{"sent", "parked", "replayed"}``.

    ``merge(tx, stream, [record])`` applies the portal's current record when it answers 412
    (:func:`crm_portal.apply.apply_records`, passed in by the sync: the outbox does not import
    the dispatcher)."""
    from .client import PortalRefused

    stats = {"sent": 0, "parked": 0, "replayed": 0}
    done: set[int] = set()
    while True:
        row = app.store.query_one(
            "SELECT id, kind, ref, path, payload, idempotency_key, if_match FROM portal_outbox"
            " WHERE status = 'queued' AND id > ? ORDER BY id LIMIT 1", (max(done, default=0),))
        if row is None:
            return stats
        done.add(row["id"])
        _, stream = KINDS[row["kind"]]
        if_match = row["if_match"]
        if stream and if_match is None:
            if_match = app.store.scalar("SELECT version FROM portal_records WHERE stream = ? AND id = ?"
                                        " AND deleted = 0", (stream, row["ref"]))
            if if_match is None:
                _park(app, row["id"], f"the portal {stream[:-1]} {row['ref']} is not known here (not synced, "
                                      "or withdrawn); run 'crm sync run', then 'crm sync retry'")
                stats["parked"] += 1
                continue
        payload = json.loads(row["payload"])
        for _attempt in range(MAX_412 + 1):
            headers = {"Idempotency-Key": row["idempotency_key"]}
            if stream:
                headers["If-Match"] = str(if_match)
            try:
                answer = client.request("POST", row["path"], json_body=payload, headers=headers, ok=(412,))
            except PortalRefused as exc:
                _park(app, row["id"], exc.message)
                stats["parked"] += 1
                break
            if answer.status == 412:
                current = answer.body.get("current") if isinstance(answer.body, dict) else None
                version = current.get("version") if isinstance(current, dict) else None
                if not isinstance(version, int):
                    _park(app, row["id"], f"portal POST {row['path']}: 412 without the current record")
                    stats["parked"] += 1
                    break
                with app.transaction() as tx:  # merge: the OEM's change lands here first
                    merge(tx, stream, [current])
                    tx.conn.execute("UPDATE portal_outbox SET if_match = ?, attempts = attempts + 1 WHERE id = ?",
                                    (version, row["id"]))
                if note:
                    note(f"outbox {row['id']}: 412, merged version {version}, sending again")
                if_match = version
                continue
            remote = answer.body.get("id") if isinstance(answer.body, dict) else None
            with app.transaction() as tx:
                tx.conn.execute("UPDATE portal_outbox SET status = 'sent', attempts = attempts + 1, sent_at = ?,"
                                " remote_id = ?, last_error = NULL, if_match = ? WHERE id = ?",
                                (tx.now, remote if isinstance(remote, str) else None,
                                 if_match if stream else None, row["id"]))
                tx.audit("send", "portal_outbox", [row["id"]], detail={"kind": row["kind"]})
            stats["sent"] += 1
            stats["replayed"] += answer.replayed
            break
        else:
            _park(app, row["id"], f"portal POST {row['path']}: still 412 after {MAX_412} merges")
            stats["parked"] += 1


def requeue(tx, item_id: int | None) -> int:
    if item_id is None:
        cur = tx.conn.execute("UPDATE portal_outbox SET status = 'queued' WHERE status = 'parked'")
    else:
        row = tx.conn.execute("SELECT status FROM portal_outbox WHERE id = ?", (item_id,)).fetchone()
        if row is None:
            from crm.errors import NotFound

            raise NotFound(f"no outbox item {item_id} (see 'crm sync outbox')")
        if row[0] != "parked":
            raise BadInput(f"outbox item {item_id} is {row[0]}, not parked")
        cur = tx.conn.execute("UPDATE portal_outbox SET status = 'queued' WHERE id = ?", (item_id,))
    tx.audit("retry", "portal_outbox", [item_id] if item_id else [], count=cur.rowcount)
    return cur.rowcount


def cancel(tx, item_id: int) -> None:
    row = tx.conn.execute("SELECT status FROM portal_outbox WHERE id = ?", (item_id,)).fetchone()
    if row is None:
        from crm.errors import NotFound

        raise NotFound(f"no outbox item {item_id} (see 'crm sync outbox')")
    if row[0] not in ("parked", "queued"):
        raise BadInput(f"outbox item {item_id} is {row[0]}; only queued or parked items can be cancelled")
    tx.conn.execute("UPDATE portal_outbox SET status = 'cancelled' WHERE id = ?", (item_id,))
    tx.audit("cancel", "portal_outbox", [item_id])
