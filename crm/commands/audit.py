"""crm audit list"""

from __future__ import annotations

import json
from typing import Annotated, Optional

import typer

from ..context import current
from ..output import emit
from ._common import FormatOption, new_app

app = new_app("The audit log: who did what, when. It can be read, never edited.")



@app.command("list")
def list_audit(
    since: Annotated[Optional[str], typer.Option(help="From this date/time (ISO)")] = None,
    actor: Annotated[Optional[str], typer.Option(help="Only this staff code")] = None,
    action: Annotated[Optional[str], typer.Option(help="Only this action (export, delete, ...)")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many, newest first")] = 50,
    format: FormatOption = "table",
) -> None:
    """List audit records, newest first (manager or IT)."""
    from ..archive.where import Where

    crm = current()
    crm.require("audit.read")
    w = Where().equal("actor", actor).equal("action", action)
    if since:
        w.add("at >= ?", since)
    sql = "SELECT id, at, actor, principal, role, command, action, entity, count, record_ids, detail FROM audit_log"
    rows = crm.store.query(sql + w.sql() + " ORDER BY id DESC LIMIT ?", (*w.params, max(limit, 0)))
    for row in rows:
        for key in ("record_ids", "detail"):
            if row[key] and format != "table":
                row[key] = json.loads(row[key])
    emit(rows, format, columns=None if format != "table" else
         ["id", "at", "actor", "principal", "command", "action", "entity", "count"])


@app.command()
def verify() -> None:
    """Check the audit log's hash chain and append-only triggers (exit 3 naming the first bad row)."""
    from ..archive.audit_chain import verify as run
    from ..errors import NeedsAttention

    crm = current()
    crm.require("audit.read")
    ok, detail, _bad = run(crm.store.conn)
    if not ok:
        raise NeedsAttention(f"audit log: {detail}")
    typer.echo(f"audit log ok: {detail}")
