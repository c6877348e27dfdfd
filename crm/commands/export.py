"""crm export request | approve | decline | requests — unmasked exports need the manager."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from ..archive import export_requests
from ..context import current
from ..output import emit, emit_record
from ._common import FormatOption, new_app

app = new_app(f"""Unmasked exports of personal data need the manager (不得私自转移、复制或删除客户信息).

\b
  crm export request customer --filter city=北京 --file-format xlsx --reason "保险续保名单"
  crm export approve 3                      (the manager)
  crm --as wangfang customer export bj.xlsx --city 北京 --unmasked   (uses the approval once)
  crm export requests --status pending
The manager exports unmasked without asking; anyone else asks for exactly the export they
will run (kind, filters, file format), the manager approves or declines it, and the
requester's next such export uses the approval (once, within {export_requests.APPROVAL_HOURS} hours).
Every step is in the audit log.  Masked exports need no request.  See docs/privacy.md.
""")
RequestId = Annotated[int, typer.Argument(metavar="ID", help="The request's id (crm export requests)")]


@app.command()
def request(
    kind: Annotated[str, typer.Argument(help="What to export: " + ", ".join(export_requests.KINDS))],
    filter: Annotated[Optional[list[str]], typer.Option(
        "--filter", metavar="NAME=VALUE",
        help="An option of the export as you will run it, e.g. city=北京 (repeat; none = the whole list)")] = None,
    file_format: Annotated[Optional[str], typer.Option(
        "--file-format", help="The file's format: " + ", ".join(export_requests.FORMATS) + " (default: any)")] = None,
    reason: Annotated[str, typer.Option(help="Why the export must be unmasked (the manager reads it)")] = "",
    format: FormatOption = "table",
) -> None:
    """Ask the manager for an unmasked export; prints the request's id."""
    crm = current()
    crm.require("export.request")
    with crm.transaction() as tx:
        row = export_requests.request(tx, kind=kind, filters=export_requests.parse_filters(filter or []),
                                      fmt=file_format, reason=reason)
    if format == "table":
        typer.echo(row["id"])
    else:
        emit_record(row, format)


def _decide(request_id: int, note: Optional[str], format, decide) -> None:
    crm = current()
    crm.require("export.approve")
    with crm.transaction() as tx:
        row = decide(tx, request_id, note)
    if format == "table":
        typer.echo(f"export request {row['id']}: {row['status']}"
                   + (f" until {row['expires_at']}" if row["status"] == "approved" else ""))
    else:
        emit_record(row, format)


Note = Annotated[Optional[str], typer.Option(help="A note for the requester")]


@app.command()
def approve(request_id: RequestId, note: Note = None, format: FormatOption = "table") -> None:
    """Approve a pending request (the manager): the requester may run that export once."""
    _decide(request_id, note, format, export_requests.approve)


@app.command()
def decline(request_id: RequestId, note: Note = None, format: FormatOption = "table") -> None:
    """Decline a pending request (the manager)."""
    _decide(request_id, note, format, export_requests.decline)


@app.command()
def requests(
    status: Annotated[Optional[str], typer.Option(help=", ".join(export_requests.STATUSES))] = None,
    format: FormatOption = "table",
) -> None:
    """The export requests: all of them for the manager, your own for anyone else."""
    crm = current()
    crm.require("export.requests")
    if status is not None and status not in export_requests.STATUSES:
        from ..errors import BadInput

        raise BadInput(f"--status {status!r}: one of {', '.join(export_requests.STATUSES)}")
    mine = None if crm.may("export.approve") else crm.actor.staff_id
    rows = export_requests.listing(crm.store, now=crm.timestamp(), status=status, mine=mine)
    emit(rows, format, columns=export_requests.LIST_COLUMNS, empty_message="no export requests")
