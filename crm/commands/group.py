"""crm group enable | disable | status | export (a store's side of a dealer group, docs/group.md).

The warehouse's commands (load, report, …) live in crm/commands/group_warehouse.py and are
added to this sub-app when that module is there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ..context import current
from ..errors import BadInput
from ..output import emit, emit_record
from ._common import FormatOption, new_app

app = new_app("A dealer group: change capture and export of this store (and the group's warehouse).")

EXTRA_MISSING = "crm group needs the 'group' extra: pip install 'crm[group]'"


def need_extra(*modules: str) -> None:
    """One line and exit 2 when the optional 'group' extra is not installed."""
    import importlib

    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError:
            raise BadInput(EXTRA_MISSING) from None


@app.command()
def enable() -> None:
    """Switch change capture on in this store (manager or IT): every later write is logged for export."""
    from ..group import changelog

    crm = current()
    crm.require("group.capture")
    with crm.transaction() as tx:
        was_on = changelog.is_enabled(tx.conn)
        tables = changelog.enable(tx.conn)
        tx.audit("group.enable", "database", detail={"tables": len(tables)})
    crm.info(("change capture is on" if was_on else "change capture switched on")
             + f": {len(tables)} tables; export with 'crm group export --out DIR'")


@app.command()
def disable(yes: Annotated[bool, typer.Option("--yes", help="Confirm: the change log is deleted")] = False) -> None:
    """Switch change capture off (manager or IT) and delete the change log; the next export after
    'enable' must be a full one."""
    from ..group import changelog

    crm = current()
    crm.require("group.capture")
    if not yes:
        raise BadInput("this deletes the change log; the group then needs a full export of this store; add --yes")
    with crm.transaction() as tx:
        changelog.disable(tx.conn)
        tx.audit("group.disable", "database")
    crm.info("change capture switched off")


@app.command()
def status(format: FormatOption = "table") -> None:
    """Whether capture is on, the last change and the last export's bookmark."""
    from ..group import changelog

    crm = current()
    conn = crm.store.conn
    on = changelog.is_enabled(conn)
    record = {"capture": "on" if on else "off", "dealer_code": crm.config.dealer_code or None,
              "last_change": changelog.last_seq(conn) if on else None,
              "last_bookmark": changelog.last_bookmark(conn) if on else None,
              "tables": len(changelog.covered(conn)) if on else 0,
              "uncovered": ", ".join(changelog.uncovered(conn)) if on else ""}
    emit_record(record, format)


@app.command()
def export(
    out: Annotated[Path, typer.Option("--out", help="Folder in which the export's own folder is made")],
    since: Annotated[Optional[str], typer.Option(
        "--since", metavar="BOOKMARK",
        help="Only the changes after this bookmark (printed by an earlier export; 'last' = the latest);"
             " without it, everything")] = None,
    with_personal_data: Annotated[bool, typer.Option(
        "--with-personal-data", help="Also the clear phones, names, VINs… (manager only; audited)")] = False,
    format: FormatOption = "table",
) -> None:
    """Write this store's changes as Parquet files and a manifest for the group's warehouse;
    prints the new bookmark for the next --since (nothing with -q, for cron).  Personal data
    leaves as keyed hashes (CRM_GROUP_KEY or [group] key_file)."""
    from ..group import changelog
    from ..group import export as exporting
    from ..group.pseudonym import Hasher, load_key

    crm = current()
    crm.require("group.export")
    store_code = exporting.dealer_code(crm.config)
    out = _check_out(out, crm.db_path)
    if with_personal_data:
        _may_export_personal(crm)
    conn = crm.store.conn
    if not changelog.is_enabled(conn):
        raise BadInput("change capture is off in this store: run 'crm group enable' first (docs/group.md);"
                       " nothing was written")
    since_value = exporting.parse_since(since, conn)
    exporting.check_since(since_value, changelog.last_seq(conn), conn)  # again in the export's snapshot
    key = load_key(crm.environ, crm.config)
    crm.add_secret(key.decode("utf-8"))
    need_extra("pyarrow")
    if changelog.uncovered(conn):  # a table made outside the migrations: cover it before reading
        with crm.store.transaction():
            changelog.refresh_triggers(conn)
    _make_out(out)
    with crm.transaction() as tx:  # the plugins' derived rows up to date, so this export carries them
        tx.fire("before_group_export")
    hasher = Hasher(key)
    result = exporting.run(crm.store, out=out, since=since_value, personal=with_personal_data, hasher=hasher,
                           store_code=store_code, created_at=crm.timestamp(), progress=crm.progress,
                           protect=[crm.db_path])
    rows = sum(t["rows"] for t in result["tables"].values())
    with crm.transaction() as tx:
        # the numbers of deleted phones leave the store's change log once their tombstones are exported
        exporting.scrub(tx.conn, hasher, result["bookmark"], after=changelog.last_bookmark(tx.conn) or 0)
        # recorded again when the folder was there already (a crash after its rename): harmless
        tx.conn.execute(f"INSERT OR IGNORE INTO {changelog.EXPORTS} (bookmark, since, directory, personal,"
                        " created_at) VALUES (?, ?, ?, ?, ?)",
                        (result["bookmark"], result["since"], result["directory"], int(with_personal_data), tx.now))
        if not result["existed"]:
            tx.audit("export", "group", count=rows,
                     detail={"path": result["directory"], "since": result["since"], "bookmark": result["bookmark"],
                             "tables": len(result["tables"]), "personal_data": with_personal_data})
    summary = {"directory": result["directory"], "since": result["since"], "bookmark": result["bookmark"],
               "full": result["full"], "tables": len(result["tables"]), "rows": rows,
               "personal_data": bool(result.get("personal_data")), "already_there": result["existed"]}
    if crm.quiet and format == "table":  # cron: quiet on success (the bookmark is recorded: --since last)
        return
    emit_record(summary, format)


def _may_export_personal(crm) -> None:
    """--with-personal-data: issue 17's one check (the manager through group.export_personal, or a
    specialist's approved 'crm export request group.export_personal')."""
    crm.unmasked_file("group.export_personal", unmasked=True, action="group.export_personal")


def _check_out(out: Path, db_path: Path) -> Path:
    """--out: an existing folder (made when only the last part is missing), never a file or the database."""
    import os

    if out.exists() and not out.is_dir():
        what = "the database crm is using" if os.path.exists(db_path) and os.path.samefile(out, db_path) else "a file"
        raise BadInput(f"--out {out}: is {what}, not a folder; nothing was written")
    if not out.exists() and not out.parent.is_dir():
        raise BadInput(f"--out {out}: the folder {out.parent} does not exist; nothing was written")
    return out.resolve()


def _make_out(out: Path) -> None:
    if not out.exists():
        try:
            out.mkdir(mode=0o700)
        except OSError as exc:
            raise BadInput(f"--out {out}: cannot make the folder ({exc.strerror or exc});"
                           " nothing was written") from None


def _add_warehouse_commands() -> None:
    """The warehouse's commands (crm/commands/group_warehouse.py, branch groupwh) join this sub-app."""
    import importlib.util

    if importlib.util.find_spec(f"{__package__}.group_warehouse") is not None:
        importlib.import_module(f"{__package__}.group_warehouse")


_add_warehouse_commands()
