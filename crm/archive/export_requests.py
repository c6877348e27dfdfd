"""Requests for an unmasked export (不得私自转移、复制或删除客户信息): asked, approved, used once.

Personal data leaves crm unmasked in a file only when the manager runs the export, or when a
specialist asked for exactly that export (``crm export request``) and the manager approved it
(``crm export approve``). The requester then runs the export, which uses the approval once,
within :data:`APPROVAL_HOURS` of the approval. The one check that decides is
:meth:`crm.context.App.unmasked_file`; this module keeps the requests (the one writer of
``export_requests``). Every step is in the audit log, never the reason's text or any
personal data.
"""

from __future__ import annotations

import datetime as dt
import json
import re

from ..errors import BadInput, NotFound, PermissionDenied

#: an approval can be used for this long after the manager gave it, then it expires
APPROVAL_HOURS = 24

#: what can be asked for: kind → the command that writes it (the kind the command passes to
#: App.unmasked_file, and the filters it passes: the options that choose the rows)
KINDS = {
    "customer": "crm customer export FILE [--city --specialist --tag --model --classification --limit]",
    "report": "crm report KIND --out FILE, and the plugins' forms (filters: kind, period, staff)",
    "callbacks.queue": "crm callbacks export-queue FILE (filters: day, staff)",
    "callbacks.sheet": "crm callbacks sheet --out FILE (filters: period, staff)",
    "segment": "crm segment export NAME --out FILE (filters: segment)",
    "group.export_personal": "crm group export --with-personal-data (the group package's manager-only export)",
}
FORMATS = ("csv", "xlsx", "json", "html")
STATUSES = ("pending", "approved", "declined", "used", "expired")
LIST_COLUMNS = ["id", "kind", "filters", "format", "unmasked", "requested_by", "requested_at", "reason", "status",
                "decided_by", "decided_at", "expires_at", "used_at"]
_FILTER = re.compile(r"^([a-z_][a-z0-9_]*)=(.*)$")


def canonical_filters(filters: dict | None) -> str:
    """The filters as one comparable text: only those given, values as text, keys sorted."""
    given = {str(k): str(v) for k, v in (filters or {}).items() if v is not None and v != "" and v is not False}
    return json.dumps(given, ensure_ascii=False, sort_keys=True)


def parse_filters(pairs: list[str]) -> dict:
    filters = {}
    for pair in pairs:
        m = _FILTER.match(pair.strip())
        if not m or not m.group(2):
            raise BadInput(f"--filter {pair!r}: write it as NAME=VALUE, e.g. --filter city=北京")
        filters[m.group(1)] = m.group(2)
    return filters


def request(tx, *, kind: str, filters: dict, fmt: str | None, reason: str) -> dict:
    """Record a request of the acting staff member (pending until the manager decides)."""
    if kind not in KINDS:
        raise BadInput(f"unknown export kind {kind!r}: one of {', '.join(KINDS)}")
    if fmt is not None and fmt not in FORMATS:
        raise BadInput(f"--file-format {fmt!r}: one of {', '.join(FORMATS)}")
    if not (reason or "").strip():
        raise BadInput("--reason is required: say why the export must be unmasked (the manager reads it)")
    if not tx.actor.is_staff:
        raise PermissionDenied("an export request needs a staff identity: use --as CODE or CRM_USER=CODE")
    cur = tx.conn.execute(
        "INSERT INTO export_requests (kind, filters, format, unmasked, reason, requested_by, requested_at)"
        " VALUES (?, ?, ?, 1, ?, ?, ?)",
        (kind, canonical_filters(filters), fmt, reason.strip(), tx.actor.staff_id, tx.now))
    rid = cur.lastrowid
    tx.audit("export-request", "export_request", [rid],
             detail={"kind": kind, "filters": json.loads(canonical_filters(filters)), "format": fmt, "unmasked": True})
    return get(tx.store, rid, now=tx.now)


def _pending(tx, rid: int) -> dict:
    row = tx.store.query_one("SELECT * FROM export_requests WHERE id = ?", (rid,))
    if row is None:
        raise NotFound(f"no export request {rid}; see 'crm export requests'")
    if row["status"] != "pending":
        raise BadInput(f"export request {rid} is {row['status']}, not pending")
    if row["requested_by"] == tx.actor.staff_id:
        raise PermissionDenied(f"export request {rid}: nobody approves or declines their own request")
    return row


def approve(tx, rid: int, note: str | None = None) -> dict:
    _pending(tx, rid)
    expires = (dt.datetime.fromisoformat(tx.now) + dt.timedelta(hours=APPROVAL_HOURS)).isoformat(timespec="seconds")
    tx.conn.execute("UPDATE export_requests SET status = 'approved', decided_by = ?, decided_at = ?, note = ?,"
                    " expires_at = ? WHERE id = ?", (tx.actor.staff_id, tx.now, note, expires, rid))
    tx.audit("export-approve", "export_request", [rid], detail={"expires_at": expires})
    return get(tx.store, rid, now=tx.now)


def decline(tx, rid: int, note: str | None = None) -> dict:
    _pending(tx, rid)
    tx.conn.execute("UPDATE export_requests SET status = 'declined', decided_by = ?, decided_at = ?, note = ?"
                    " WHERE id = ?", (tx.actor.staff_id, tx.now, note, rid))
    tx.audit("export-decline", "export_request", [rid])
    return get(tx.store, rid, now=tx.now)


def usable(store, staff_id: int | None, kind: str, filters: dict | None, fmt: str | None, now: str) -> dict | None:
    """The staff member's approved, unexpired, unused request for exactly this export, if any."""
    if staff_id is None:
        return None
    return store.query_one(
        "SELECT * FROM export_requests WHERE status = 'approved' AND requested_by = ? AND kind = ? AND filters = ?"
        " AND (format IS NULL OR format = ?) AND expires_at > ? ORDER BY id LIMIT 1",
        (staff_id, kind, canonical_filters(filters), fmt, now))


def use(tx, rid: int) -> None:
    """Spend an approval (once): the export it allowed is being written."""
    done = tx.conn.execute("UPDATE export_requests SET status = 'used', used_at = ? WHERE id = ? AND status = 'approved'",
                           (tx.now, rid)).rowcount
    if not done:
        raise PermissionDenied(f"export request {rid} was used already")
    tx.audit("export-approval-used", "export_request", [rid])


_SELECT = """
SELECT r.id, r.kind, r.filters, r.format, r.unmasked, q.code AS requested_by, r.requested_at, r.reason,
       CASE WHEN r.status = 'approved' AND r.expires_at <= :now THEN 'expired' ELSE r.status END AS status,
       d.code AS decided_by, r.decided_at, r.note, r.expires_at, r.used_at
FROM export_requests r JOIN staff q ON q.id = r.requested_by LEFT JOIN staff d ON d.id = r.decided_by
"""


def get(store, rid: int, *, now: str) -> dict:
    row = store.query_one(_SELECT + " WHERE r.id = :id", {"now": now, "id": rid})
    if row is None:
        raise NotFound(f"no export request {rid}; see 'crm export requests'")
    return row


def listing(store, *, now: str, status: str | None = None, mine: int | None = None) -> list[dict]:
    rows = store.query(_SELECT + " WHERE (:mine IS NULL OR r.requested_by = :mine) ORDER BY r.id",
                       {"now": now, "mine": mine})
    return [r for r in rows if status is None or r["status"] == status]
