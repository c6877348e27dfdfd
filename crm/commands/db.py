"""crm db migrate | backup | restore | check | path"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Annotated

import typer

from ..context import current
from ..errors import BadInput, NeedsAttention, TemporaryFailure
from ..output import emit
from ._common import FormatOption, new_app

app = new_app("The database: migrate, backup, restore, check.")


@app.command()
def migrate(
    status: Annotated[bool, typer.Option("--status", help="Only show applied and pending migrations")] = False,
    format: FormatOption = "table",
) -> None:
    """Apply pending migrations (core and plugins), or show them with --status; creates the
    database (and its folder) when there is none yet."""
    from .. import migrations

    crm = current()
    new = not crm.db_path.exists()
    store = crm.open_store(migrate=False, create=not status)
    if new and not status:
        crm.info(f"created a new database: {crm.db_path}")
    sets = crm.migration_sets()
    if status:
        rows = migrations.status(store, sets)
        for row in rows:
            row["state"] = "applied" if row["applied_at"] else "pending"
        emit(rows, format, columns=["owner", "name", "state", "applied_at"])
        return
    ran = migrations.apply(store, sets)
    emit([{"owner": s.owner, "name": s.name} for s in ran], format,
         empty_message="Nothing to migrate: the database is up to date.")


@app.command()
def path() -> None:
    """Print the database file's path."""
    typer.echo(str(current().db_path))


@app.command()
def backup(target: Annotated[Path, typer.Argument(help="File to write the backup to")]) -> None:
    """Copy the database with SQLite's online backup: safe while others write (manager or IT)."""
    from ..io.writers import atomic_path

    crm = current()
    crm.require("db.backup")
    store = crm.store
    try:
        # an older backup may be replaced; the live database, its side files, devices, folders never
        with atomic_path(target, suffixes=None, allow_database=True, protect=[store.path]) as tmp:
            dst = sqlite3.connect(tmp)
            try:
                store.conn.backup(dst)
                dst.execute("PRAGMA journal_mode = DELETE")
            finally:
                dst.close()
    except sqlite3.Error as exc:
        raise TemporaryFailure(f"{target}: cannot write the backup ({exc}); nothing was written") from None
    with crm.transaction() as tx:
        tx.audit("backup", "database", detail={"target": str(target)})
    crm.info(f"Backed up {store.path} to {target}")


@app.command()
def restore(
    source: Annotated[Path, typer.Argument(help="A backup made by 'crm db backup'")],
    yes: Annotated[bool, typer.Option("--yes", help="Really replace the current database")] = False,
) -> None:
    """Replace the database's contents with a backup (needs --yes; manager or IT).

    The backup must be sound: integrity, the audit log's append-only triggers and hash
    chain. The audit trail survives: rows recorded after the backup are carried over,
    forgets recorded after it are applied again, and the restore itself is recorded.
    """
    from ..restore import check_backup, restore_into

    crm = current()
    check_backup(source)
    if not crm.db_path.exists():
        crm.__dict__["store"] = crm.open_store(create=True)  # restoring into a new file creates it
    crm.require("db.restore")
    if not yes:
        raise BadInput("restoring replaces every record in the database: add --yes to go ahead")
    summary = restore_into(crm, source)
    crm.info(f"Restored {crm.store.path} from {source}; {summary['carried']} audit row(s) kept from after the backup"
             + (f", {summary['forgotten']} forget(s) applied again" if summary["forgotten"] else ""))


@app.command()
def checkpoint() -> None:
    """Copy the WAL into the database file and truncate it (exit 75 while another connection reads)."""
    from ..archive.forget import scrub_wal

    crm = current()
    scrub_wal(crm.store)
    crm.info(f"{crm.store.path}: the WAL is checkpointed and empty")


@app.command()
def check(format: FormatOption = "table") -> None:
    """Check the database: integrity, foreign keys, pending migrations (exit 3 if not ok)."""
    from .. import migrations

    crm = current()
    store = crm.open_store(migrate=False)
    integrity = [r[0] for r in store.conn.execute("PRAGMA integrity_check")]
    fk = store.conn.execute("PRAGMA foreign_key_check").fetchall()
    todo = migrations.pending(store, crm.migration_sets())
    rows = [
        {"check": "integrity", "ok": integrity == ["ok"], "detail": "; ".join(integrity[:5])},
        {"check": "foreign keys", "ok": not fk, "detail": f"{len(fk)} dangling references" if fk else "ok"},
        {"check": "migrations", "ok": not todo,
         "detail": ", ".join(f"{s.owner}.{s.name}" for s in todo) or "up to date"},
        _audit_check(store),
        {"check": "file mode", "ok": (store.path.stat().st_mode & 0o077) == 0,
         "detail": oct(store.path.stat().st_mode & 0o777)},
    ]
    emit(rows, format)
    if not all(r["ok"] for r in rows):
        raise NeedsAttention("the database check found problems (see above)")


def _audit_check(store) -> dict:
    from ..archive.audit_chain import verify

    ok, detail, _bad = verify(store.conn)
    return {"check": "audit chain", "ok": ok, "detail": detail}
