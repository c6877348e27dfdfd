"""The audit log as a hash chain: each row carries sha256(canonical row + previous hash).

Editing, deleting or reordering a row (even with the append-only triggers removed) breaks
the chain from that row on; :func:`verify` finds the first bad row. Rows are only ever
added by :func:`append` (the core's ``Transaction.audit`` and the importer's bulk audit),
inside the command's write transaction, so the previous hash cannot change under it.

What the chain cannot stop: someone who rewrites the whole file and recomputes every
hash. ``crm audit verify`` prints the head hash; keep it somewhere else (a printed daily
report, another machine) to catch that too.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3

GENESIS = "0" * 64
FIELDS = ("id", "at", "actor", "principal", "role", "command", "action", "entity", "record_ids", "count", "detail")
TRIGGERS = {
    "audit_log_no_update": "BEFORE UPDATE ON audit_log",
    "audit_log_no_delete": "BEFORE DELETE ON audit_log",
}


def row_hash(row: dict | tuple, prev_hash: str) -> str:
    values = [row[f] for f in FIELDS] if isinstance(row, dict) else list(row)
    canonical = json.dumps(values, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((canonical + "\n" + prev_hash).encode("utf-8")).hexdigest()


def head(conn: sqlite3.Connection) -> tuple[int, str]:
    row = conn.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    return (0, GENESIS) if row is None else (row[0], row[1] or GENESIS)


def append(conn: sqlite3.Connection, rows: list[dict]) -> None:
    """Insert audit rows (dicts with the FIELDS but ``id``), chained after the last one."""
    last_id, prev = head(conn)
    values = []
    for offset, row in enumerate(rows, start=1):
        full = {**{f: None for f in FIELDS}, **row, "id": last_id + offset}
        digest = row_hash(full, prev)
        values.append((*[full[f] for f in FIELDS], prev, digest))
        prev = digest
    conn.executemany(
        f"INSERT INTO audit_log ({', '.join(FIELDS)}, prev_hash, hash) VALUES ({', '.join('?' * (len(FIELDS) + 2))})",
        values,
    )


def chain_existing(conn: sqlite3.Connection) -> int:
    """Chain rows that have no hash yet (the migration of an older database)."""
    prev = GENESIS
    done = 0
    for row in conn.execute(f"SELECT {', '.join(FIELDS)}, hash FROM audit_log ORDER BY id").fetchall():
        if row[-1] is not None:
            prev = row[-1]
            continue
        digest = row_hash(tuple(row[:-1]), prev)
        conn.execute("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?", (prev, digest, row[0]))
        prev = digest
        done += 1
    return done


def verify(conn: sqlite3.Connection) -> tuple[bool, str, int | None]:
    """(ok, detail, first bad row id): the append-only triggers and every row's hash."""
    present = {name: sql for name, sql in conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'")}
    for name, clause in TRIGGERS.items():
        sql = " ".join((present.get(name) or "").split())
        if clause not in sql or "RAISE(ABORT" not in sql:
            return False, f"the trigger {name} that keeps the audit log append-only is missing or changed", None
    columns = {r[1] for r in conn.execute("PRAGMA table_info(audit_log)")}
    if "hash" not in columns:
        return False, "the audit log has no hash chain (an old schema)", None
    prev = GENESIS
    count = 0
    for row in conn.execute(f"SELECT {', '.join(FIELDS)}, prev_hash, hash FROM audit_log ORDER BY id"):
        count += 1
        if row[-2] != prev or row_hash(tuple(row[:-2]), prev) != row[-1]:
            return False, f"audit row {row[0]} does not match the chain (edited, deleted or inserted)", row[0]
        prev = row[-1]
    return True, f"{count} rows chained; head {prev[:16]}", None


def copy_rows(conn: sqlite3.Connection, rows: list[dict]) -> None:
    """Insert rows of another copy of this chain as they are (ids, hashes): a restore's carry-over."""
    columns = (*FIELDS, "prev_hash", "hash")
    conn.executemany(f"INSERT INTO audit_log ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                     [tuple(r[c] for c in columns) for r in rows])


def rows_after(conn: sqlite3.Connection, last_id: int) -> list[dict]:
    cur = conn.execute(f"SELECT {', '.join(FIELDS)}, prev_hash, hash FROM audit_log WHERE id > ? ORDER BY id",
                       (last_id,))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]
