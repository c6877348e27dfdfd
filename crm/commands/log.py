"""crm log add | list — the interaction log (联系记录)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from ..archive import interactions
from ..context import current
from ..output import emit
from ._common import FormatOption, new_app

app = new_app("The interaction log: every call, SMS, visit, complaint, gift.")
Str = Optional[str]


@app.command()
def add(
    customer: Annotated[int, typer.Option(help="Customer id")],
    kind: Annotated[str, typer.Option(help="call, sms, visit, complaint, gift, note …")] = "call",
    channel: Annotated[str, typer.Option(help="phone, sms, wechat, email, visit, letter, portal, other")] = "phone",
    direction: Annotated[str, typer.Option(help="out (we contacted them) or in (they contacted us)")] = "out",
    summary: Annotated[Str, typer.Option(help="What was said / done")] = None,
    outcome: Annotated[Str, typer.Option(help="e.g. reached, no answer, booked")] = None,
    at: Annotated[Str, typer.Option(help="When (default now)")] = None,
    staff: Annotated[Str, typer.Option(help="Who (default: you)")] = None,
    ref: Annotated[Str, typer.Option(help="Reference (RO number, ticket …)")] = None,
) -> None:
    """Record an interaction with a customer; prints its id."""
    crm = current()
    fields = {"customer_id": customer, "kind": kind, "channel": channel, "direction": direction,
              "summary": summary, "outcome": outcome, "at": at, "staff": staff, "ref": ref}
    with crm.transaction() as tx:
        row = interactions.log_interaction(tx, {k: v for k, v in fields.items() if v is not None})
    typer.echo(row["id"])


@app.command("list")
def list_(
    customer: Annotated[Optional[int], typer.Option(help="Only this customer")] = None,
    staff: Annotated[Str, typer.Option()] = None,
    kind: Annotated[Str, typer.Option()] = None,
    channel: Annotated[Str, typer.Option()] = None,
    since: Annotated[Str, typer.Option(help="On or after this date")] = None,
    until: Annotated[Str, typer.Option(help="Before this date")] = None,
    limit: Annotated[int, typer.Option(min=1)] = 100,
    format: FormatOption = "table",
) -> None:
    """List interactions, newest first."""
    emit(interactions.list_interactions(current().store, customer_id=customer, staff=staff, kind=kind,
                                        channel=channel, since=since, until=until, limit=limit), format,
         empty_message="no interactions")
