"""crm order add | show | list | deliver | cancel — purchase orders and contracts (订单/合同)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from ..archive import orders
from ..context import current
from ..output import emit, emit_record
from ._common import FormatOption, new_app

app = new_app("""Purchase orders and contracts (订单/合同): sign, list, deliver.

\b
  crm order add --customer 12 --model 530Li --price 428000 --deposit 20000 \\
      --signed 2026-11-02 --promised 2026-11-28 --consultant xiaowang
  crm order list --slipped                  (promised delivery date passed)
  crm order deliver 3 --vin LBV5S3104ESJ12345 --plate 京A88888
Delivering creates the vehicle in the archive for the customer and fires the delivery
hooks, so the delivery-day callbacks follow.  Writing needs the order.write permission
(sales, manager), reading order.read (any staff): see the table in docs/privacy.md.
""")
Str = Optional[str]
OrderId = Annotated[str, typer.Argument(metavar="ID", help="The order's id or contract number")]


@app.command()
def add(
    customer: Annotated[int, typer.Option(help="Customer id")],
    model: Annotated[str, typer.Option(help="The model ordered, e.g. 530Li")],
    price: Annotated[str, typer.Option(help="Contract price (元)")],
    deposit: Annotated[Str, typer.Option(help="Deposit paid (元)")] = None,
    signed: Annotated[Str, typer.Option(help="Date the contract was signed (default today)")] = None,
    promised: Annotated[Str, typer.Option(help="Promised delivery date")] = None,
    consultant: Annotated[Str, typer.Option(help="Sales consultant's staff code (default: you, if sales)")] = None,
    number: Annotated[Str, typer.Option(help="Contract number (合同编号)")] = None,
    note: Annotated[Str, typer.Option()] = None,
    format: FormatOption = "table",
) -> None:
    """Record a signed order (合同); prints its id."""
    crm = current()
    crm.require("order.write")
    with crm.transaction() as tx:
        row = orders.add_order(tx, customer_id=customer, model=model, price=price, deposit=deposit,
                               signed_on=signed, promised_on=promised, consultant=consultant, number=number,
                               note=note)
    if format == "table":
        typer.echo(row["id"])
    else:
        emit_record(row, format)


@app.command()
def show(order_id: OrderId, format: FormatOption = "table") -> None:
    """One order with its customer, status and (once delivered) vehicle."""
    crm = current()
    crm.require("order.read")
    row = orders.get_order(crm.store, order_id)
    [full] = [r for r in orders.list_orders(crm.store, crm.today(), customer_id=row["customer_id"])
              if r["id"] == row["id"]]
    full = {**crm.mask(full), "status": f"{row['status']} ({orders.STATUSES[row['status']]})", "note": row["note"]}
    emit_record({k: v for k, v in full.items() if v is not None or format != "table"}, format)


@app.command("list")
def list_(
    status: Annotated[Str, typer.Option(help="signed, delivered or cancelled")] = None,
    consultant: Annotated[Str, typer.Option(help="Sales consultant's staff code")] = None,
    customer: Annotated[Optional[int], typer.Option(help="Customer id")] = None,
    since: Annotated[Str, typer.Option(help="Signed on or after (YYYY-MM-DD)")] = None,
    until: Annotated[Str, typer.Option(help="Signed before (YYYY-MM-DD)")] = None,
    slipped: Annotated[bool, typer.Option("--slipped", help="Only orders past their promised delivery date")] = False,
    format: FormatOption = "table",
) -> None:
    """List orders, oldest signed first (slipped_days: days past the promised delivery date)."""
    crm = current()
    crm.require("order.read")
    rows = orders.list_orders(crm.store, crm.today(), status=status, consultant=consultant, customer_id=customer,
                              since=since, until=until, slipped=slipped)
    emit([crm.mask(r) for r in rows], format, columns=orders.LIST_COLUMNS, empty_message="no orders")


@app.command()
def deliver(
    order_id: OrderId,
    vin: Annotated[str, typer.Option(help="The delivered car's VIN")],
    plate: Annotated[Str, typer.Option(help="Its plate, if registered")] = None,
    on: Annotated[Str, typer.Option(help="Delivery date (default today)")] = None,
    colour: Annotated[Str, typer.Option()] = None,
) -> None:
    """交车: create the vehicle for the customer and mark the order delivered (delivery callbacks follow)."""
    crm = current()
    crm.require("order.write")
    with crm.transaction() as tx:
        row = orders.deliver(tx, order_id, vin=vin, plate=plate, on=on, colour=colour)
    typer.echo(f"order {row['id']} delivered {row['delivered_on']}: vehicle {row['vin']} (#{row['vehicle_id']})")


@app.command()
def cancel(order_id: OrderId, reason: Annotated[Str, typer.Option()] = None) -> None:
    """Cancel a signed order."""
    crm = current()
    crm.require("order.write")
    with crm.transaction() as tx:
        orders.cancel(tx, order_id, reason)
