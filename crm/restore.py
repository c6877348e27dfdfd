"""Restoring a backup without losing the audit trail (``crm db restore``).

1. The backup is checked: SQLite integrity, a crm database, the audit log's append-only
   triggers and its hash chain (:mod:`crm.archive.audit_chain`). A backup that fails is refused.
2. It is copied to a private temporary file next to the database and migrated there.
3. The current database's audit rows that the backup does not have are carried over: as
   they are when the backup's chain is a prefix of the current one (the usual case), else
   appended again (re-chained) after the backup's last row.
4. Every forget those rows record is applied again, so nobody forgotten after the backup
   comes back; the restore itself is recorded.
5. The result replaces the database with SQLite's backup API.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from .errors import BadInput, TemporaryFailure


def check_backup(source: Path) -> None:
    from .archive.audit_chain import verify

    if not source.is_file():
        raise BadInput(f"{source}: no such backup file")
    try:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            ok = src.execute("PRAGMA integrity_check").fetchone()[0]
            has_migrations = src.execute("SELECT 1 FROM sqlite_master WHERE name = '_crm_migrations'").fetchone()
            if ok != "ok" or not has_migrations:
                raise BadInput(f"{source}: not a sound crm backup (integrity: {ok})")
            chained, detail, _bad = verify(src)
        finally:
            src.close()
    except sqlite3.DatabaseError as exc:
        raise BadInput(f"{source}: not a crm backup ({exc})") from None
    if not chained:
        raise BadInput(f"{source}: refused: {detail}")


def restore_into(app, source: Path) -> dict:
    from .store import Store

    live = app.store
    tmp = live.path.with_name(f".{live.path.name}.restore-{os.getpid()}")
    for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        leftover.unlink(missing_ok=True)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        dst = sqlite3.connect(tmp)
        try:
            src.backup(dst)
        finally:
            src.close()
            dst.close()
        staged = Store(tmp, busy_timeout_seconds=live.busy_timeout_seconds)
        try:
            from . import migrations

            migrations.apply(staged, app.migration_sets())
            summary = _carry_over(app, live, staged, source)
            from .group.changelog import after_restore

            with staged.transaction():  # a dealer group's change capture: versions go on rising
                after_restore(live.conn, staged.conn)
            staged.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            with live.transaction():
                pass  # wait for other writers to finish before replacing
            staged.conn.backup(live.conn)
        finally:
            staged.close()
    except sqlite3.Error as exc:
        raise TemporaryFailure(f"{live.path}: the restore failed ({exc}); the database was not changed") from None
    finally:
        for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            leftover.unlink(missing_ok=True)
    live.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    app.__dict__.pop("actor", None)
    return summary


def _carry_over(app, live, staged, source: Path) -> dict:
    import json

    from .archive.audit_chain import FIELDS, append, copy_rows, head, rows_after
    from .context import Transaction

    base_id, base_hash = head(staged.conn)
    same = live.conn.execute("SELECT hash FROM audit_log WHERE id = ?", (base_id,)).fetchone()
    later = rows_after(live.conn, base_id if same and same[0] == base_hash else 0)
    prefix = bool(same and same[0] == base_hash) or base_id == 0
    if not prefix:  # a backup of another history: keep every current row, re-chained after the backup's
        later = rows_after(live.conn, 0)
    forgotten: list[int] = []
    with staged.transaction():
        if prefix:
            copy_rows(staged.conn, later)
        else:
            append(staged.conn, [{f: r[f] for f in FIELDS if f != "id"} for r in later])
        for row in later:
            if row["action"] == "forget" and row["entity"] == "customer" and row["record_ids"]:
                forgotten += json.loads(row["record_ids"])
    done = 0
    tx_actor = app.actor
    with staged.transaction():
        tx = Transaction(app, staged, tx_actor)
        from .archive.forget import forget

        for cid in dict.fromkeys(forgotten):
            exists = staged.conn.execute("SELECT forgotten_at FROM customers WHERE id = ?", (cid,)).fetchone()
            if exists and exists[0] is None:
                forget(tx, cid)
                done += 1
        tx.audit("restore", "database", detail={"source": str(source), "carried": len(later),
                                                "rechained": not prefix, "forgets_applied": done})
    return {"carried": len(later), "forgotten": done}

