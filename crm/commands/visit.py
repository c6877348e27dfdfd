"""crm visit add | close | list | import"""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from ..archive import visits
from ..context import current
from ..output import emit
from . import customer_io
from ._common import FormatOption, new_app

app = new_app("Service visits (repair orders): add, close, list, import.")
Str = Optional[str]


@app.command()
def add(
    ro: Annotated[str, typer.Option(help="Repair order number (工单号)")],
    vin: Annotated[str, typer.Option(help="VIN, plate or vehicle id")],
    date_in: Annotated[str, typer.Option("--in", help="When the car came in (date or date and time)")],
    date_out: Annotated[Str, typer.Option("--out", help="When it left; closes the visit")] = None,
    type: Annotated[str, typer.Option(help="maintenance, repair, warranty, bodypaint or pdi (保养/维修/保修/钣喷)")] = "maintenance",
    advisor: Annotated[Str, typer.Option(help="Service advisor's staff code")] = None,
    mileage: Annotated[Str, typer.Option()] = None,
    amount: Annotated[Str, typer.Option(help="Amount in yuan")] = None,
    items: Annotated[Str, typer.Option(help="Work done / parts")] = None,
    customer: Annotated[Optional[int], typer.Option(help="Customer (default: the vehicle's owner)")] = None,
) -> None:
    """Record a service visit; prints the new id."""
    crm = current()
    fields = {"ro_number": ro, "vin": vin, "date_in": date_in, "date_out": date_out, "type": type,
              "advisor": advisor, "mileage": mileage, "amount": amount, "items": items, "customer_id": customer}
    with crm.transaction() as tx:
        row = visits.add_visit(tx, {k: v for k, v in fields.items() if v is not None})
    typer.echo(row["id"])


@app.command()
def close(
    ro: Annotated[str, typer.Argument(metavar="RO", help="Repair order number")],
    out: Annotated[Str, typer.Option("--out", help="When the car left (default now)")] = None,
) -> None:
    """Close a visit: the car left the workshop (plugins react: callbacks, recalls)."""
    crm = current()
    with crm.transaction() as tx:
        visits.close_visit(tx, ro, out or tx.now[:19])


@app.command("list")
def list_(
    customer: Annotated[Optional[int], typer.Option(help="Only this customer's visits")] = None,
    vehicle: Annotated[Str, typer.Option(help="Only this vehicle (id, VIN or plate)")] = None,
    since: Annotated[Str, typer.Option(help="Came in on or after this date")] = None,
    until: Annotated[Str, typer.Option(help="Came in before this date")] = None,
    type: Annotated[Str, typer.Option()] = None,
    status: Annotated[Str, typer.Option(help="open or closed")] = None,
    advisor: Annotated[Str, typer.Option()] = None,
    limit: Annotated[int, typer.Option(min=1)] = 100,
    format: FormatOption = "table",
) -> None:
    """List visits, newest first."""
    emit(visits.list_visits(current().store, customer_id=customer, since=since, until=until, vtype=type,
                            status=status, advisor=advisor, vehicle=vehicle, limit=limit), format,
         empty_message="no visits")


app.command("import")(customer_io.import_visits)
