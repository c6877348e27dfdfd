"""crm vehicle add | show | transfer"""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from ..archive import vehicles
from ..context import current
from ..output import Format, emit, emit_record
from ._common import FormatOption, new_app

app = new_app("Vehicles: add, show, transfer ownership.")


@app.command()
def add(
    vin: Annotated[str, typer.Option(help="17-character VIN (车架号)")],
    customer: Annotated[Optional[int], typer.Option(help="Owner's customer id")] = None,
    plate: Annotated[Optional[str], typer.Option(help="Plate, e.g. 京A12345")] = None,
    model: Annotated[Optional[str], typer.Option()] = None,
    model_year: Annotated[Optional[int], typer.Option("--year")] = None,
    colour: Annotated[Optional[str], typer.Option()] = None,
    delivered: Annotated[Optional[str], typer.Option(help="Delivery date YYYY-MM-DD")] = None,
    mileage: Annotated[Optional[int], typer.Option()] = None,
) -> None:
    """Add a vehicle (and deliver it to its owner)."""
    crm = current()
    with crm.transaction() as tx:
        row = vehicles.add_vehicle(tx, {"vin": vin, "customer_id": customer, "plate": plate, "model": model,
                                        "model_year": model_year, "colour": colour, "delivery_date": delivered,
                                        "mileage": mileage})
    typer.echo(row["id"])


@app.command()
def show(key: Annotated[str, typer.Argument(metavar="ID|VIN|PLATE")], format: FormatOption = "table") -> None:
    """Show a vehicle with its ownership history."""
    crm = current()
    row = vehicles.get_vehicle(crm.store, key)
    owners = crm.store.query(
        "SELECT o.customer_id, c.name, o.since, o.until, o.reason FROM vehicle_owners o"
        " LEFT JOIN customers c ON c.id = o.customer_id WHERE o.vehicle_id = ? ORDER BY o.id", (row["id"],))
    row = {k: v for k, v in row.items() if k not in ("vin_rev", "plate_key")}
    if format in (Format.json, Format.jsonl):
        emit_record({**row, "owners": owners}, format)
        return
    emit_record(row, format)
    if format == Format.table:
        typer.echo("\nOwners")
        emit(owners, Format.table, empty_message="  (none)")


@app.command()
def transfer(
    key: Annotated[str, typer.Argument(metavar="ID|VIN|PLATE")],
    to: Annotated[int, typer.Option(help="New owner's customer id")],
    on: Annotated[Optional[str], typer.Option(help="Date of the transfer (default today)")] = None,
) -> None:
    """Transfer a vehicle to another customer; the history is kept."""
    crm = current()
    with crm.transaction() as tx:
        vehicles.transfer_vehicle(tx, key, to, on or tx.now[:10])
