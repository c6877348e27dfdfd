"""crm vehicle add | show | edit | transfer"""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from ..archive import vehicles
from ..context import current
from ..errors import BadInput
from ..output import Format, emit, emit_record
from ._common import FormatOption, new_app

app = new_app("Vehicles: add, show, edit, transfer ownership.")
Str = Optional[str]


@app.command()
def add(
    vin: Annotated[str, typer.Option(help="17-character VIN (车架号); check digit verified where mandatory")],
    customer: Annotated[Optional[int], typer.Option(help="Owner's customer id")] = None,
    plate: Annotated[Str, typer.Option(help="Plate, e.g. 京A12345 or 京AD12345 (new energy)")] = None,
    model: Annotated[Str, typer.Option()] = None,
    model_year: Annotated[Str, typer.Option("--year")] = None,
    colour: Annotated[Str, typer.Option()] = None,
    delivered: Annotated[Str, typer.Option(help="Delivery date")] = None,
    mileage: Annotated[Str, typer.Option(help="Odometer km (12,345 / 1.2万 fine)")] = None,
    insurance: Annotated[Str, typer.Option("--insurance-expires", help="Insurance expiry date")] = None,
    inspection: Annotated[Str, typer.Option("--inspection-due", help="Annual inspection due date")] = None,
) -> None:
    """Add a vehicle (and deliver it to its owner); prints the new id."""
    crm = current()
    fields = {"vin": vin, "customer_id": customer, "plate": plate, "model": model, "model_year": model_year,
              "colour": colour, "delivery_date": delivered, "mileage": mileage, "insurance_expires": insurance,
              "inspection_due": inspection}
    with crm.transaction() as tx:
        row = vehicles.add_vehicle(tx, {k: v for k, v in fields.items() if v is not None})
    typer.echo(row["id"])


@app.command()
def edit(
    key: Annotated[str, typer.Argument(metavar="ID|VIN|PLATE")],
    plate: Annotated[Str, typer.Option()] = None,
    model: Annotated[Str, typer.Option()] = None,
    model_year: Annotated[Str, typer.Option("--year")] = None,
    colour: Annotated[Str, typer.Option()] = None,
    delivered: Annotated[Str, typer.Option()] = None,
    mileage: Annotated[Str, typer.Option()] = None,
    insurance: Annotated[Str, typer.Option("--insurance-expires")] = None,
    inspection: Annotated[Str, typer.Option("--inspection-due")] = None,
    format: FormatOption = "table",
) -> None:
    """Change a vehicle's plate, model, dates or mileage (the owner: 'crm vehicle transfer')."""
    crm = current()
    fields = {"plate": plate, "model": model, "model_year": model_year, "colour": colour,
              "delivery_date": delivered, "mileage": mileage, "insurance_expires": insurance,
              "inspection_due": inspection}
    fields = {k: v for k, v in fields.items() if v is not None}
    if not fields:
        raise BadInput("nothing to change: give at least one option")
    with crm.transaction() as tx:
        changes = vehicles.update_vehicle(tx, key, fields)
    emit([{"field": k, "old": v[0], "new": v[1]} for k, v in changes.items()], format,
         columns=["field", "old", "new"], empty_message="nothing changed")


@app.command()
def show(key: Annotated[str, typer.Argument(metavar="ID|VIN|PLATE")], format: FormatOption = "table") -> None:
    """Show a vehicle with its ownership history."""
    crm = current()
    row = vehicles.get_vehicle(crm.store, key)
    owners = vehicles.owners(crm.store, row["id"])
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
    on: Annotated[Str, typer.Option(help="Date of the transfer (default today)")] = None,
    reason: Annotated[str, typer.Option(help="transfer (sold on), correction, inheritance …")] = "transfer",
) -> None:
    """Transfer a vehicle to another customer; the history is kept."""
    crm = current()
    with crm.transaction() as tx:
        vehicles.transfer_vehicle(tx, key, to, on or tx.now[:10], reason)
