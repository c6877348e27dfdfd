"""crm visit add | close | list"""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from ..archive import visits
from ..context import current
from ..output import emit
from ._common import FormatOption, new_app

app = new_app("Service visits (repair orders): add, close, list.")


@app.command()
def add(
    ro: Annotated[str, typer.Option(help="Repair order number (工单号)")],
    vin: Annotated[str, typer.Option(help="VIN, plate or vehicle id")],
    date_in: Annotated[str, typer.Option("--in", help="When the car came in (ISO date/time)")],
    date_out: Annotated[Optional[str], typer.Option("--out", help="When it left; closes the visit")] = None,
    type: Annotated[str, typer.Option(help="maintenance, repair, warranty, bodypaint or pdi")] = "maintenance",
    advisor: Annotated[Optional[str], typer.Option(help="Service advisor's staff code")] = None,
    mileage: Annotated[Optional[int], typer.Option()] = None,
    amount: Annotated[Optional[float], typer.Option()] = None,
    items: Annotated[Optional[str], typer.Option()] = None,
) -> None:
    """Record a service visit."""
    crm = current()
    with crm.transaction() as tx:
        row = visits.add_visit(tx, {"ro_number": ro, "vin": vin, "date_in": date_in, "date_out": date_out,
                                    "type": type, "advisor": advisor, "mileage": mileage, "amount": amount,
                                    "items": items})
    typer.echo(row["id"])


@app.command()
def close(
    ro: Annotated[str, typer.Argument(metavar="RO", help="Repair order number")],
    out: Annotated[Optional[str], typer.Option("--out", help="When the car left (default now)")] = None,
) -> None:
    """Close a visit: the car left the workshop (plugins react: callbacks, recalls)."""
    crm = current()
    with crm.transaction() as tx:
        visits.close_visit(tx, ro, out or tx.now)


@app.command("list")
def list_(
    customer: Annotated[Optional[int], typer.Option(help="Only this customer's visits")] = None,
    since: Annotated[Optional[str], typer.Option(help="Came in on or after this date")] = None,
    until: Annotated[Optional[str], typer.Option(help="Came in before this date")] = None,
    type: Annotated[Optional[str], typer.Option()] = None,
    limit: Annotated[int, typer.Option()] = 100,
    format: FormatOption = "table",
) -> None:
    """List visits, newest first."""
    emit(visits.list_visits(current().store, customer_id=customer, since=since, until=until, vtype=type,
                            limit=limit), format)


from . import customer_io as _io  # noqa: E402  (import lives in its own module)

app.command("import")(_io.import_visits)
