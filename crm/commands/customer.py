"""crm customer add | show | list"""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from ..archive import customers
from ..context import current
from ..output import Format, emit, emit_record
from ._common import FormatOption, new_app

app = new_app("The customer archive (客户档案): add, show, search, import, export, merge.")


@app.command()
def add(
    name: Annotated[str, typer.Option(help="Full name, e.g. 张三")],
    mobile: Annotated[Optional[str], typer.Option(help="Mobile number (+86, spaces, dashes are fine)")] = None,
    gender: Annotated[Optional[str], typer.Option(help="M/F or 男/女")] = None,
    city: Annotated[Optional[str], typer.Option()] = None,
    tag: Annotated[Optional[list[str]], typer.Option(help="A tag (repeatable)")] = None,
    format: FormatOption = "table",
) -> None:
    """Add a customer to the archive and print the new id."""
    crm = current()
    with crm.transaction() as tx:
        row = customers.add_customer(tx, {"name": name, "mobile": mobile, "gender": gender,
                                          "city": city, "tags": tag or []})
    if format == Format.table:
        typer.echo(row["id"])
    else:
        emit([crm.mask({"id": row["id"], "name": row["name"], "mobile": row["mobile"]})], format)


@app.command()
def show(
    customer_id: Annotated[str, typer.Argument(metavar="ID", help="Customer id")],
    format: FormatOption = "table",
) -> None:
    """One screen about a customer: contact, vehicles, visits, log, and plugins' sections."""
    crm = current()
    page = customers.customer_page(crm, customer_id)
    if format in (Format.json, Format.jsonl):
        import json

        from ..output import json_default

        typer.echo(json.dumps(page, ensure_ascii=False, default=json_default,
                              indent=2 if format == Format.json else None))
        return
    if format == Format.csv:
        emit([page["customer"]], format)
        return
    emit_record({k: v for k, v in page["customer"].items() if v not in (None, [], {})})
    for section in page["sections"]:
        typer.echo(f"\n{section['title']}")
        emit(section.get("rows") or [], Format.table, columns=section.get("columns"), empty_message="  (none)")


@app.command("list")
def list_(
    city: Annotated[Optional[str], typer.Option()] = None,
    specialist: Annotated[Optional[str], typer.Option(help="Staff code of the responsible specialist")] = None,
    tag: Annotated[Optional[str], typer.Option()] = None,
    limit: Annotated[int, typer.Option()] = 100,
    format: FormatOption = "table",
) -> None:
    """List customers, filtered."""
    crm = current()
    rows = customers.list_customers(crm.store, city=city, specialist=specialist, tag=tag, limit=limit)
    emit([crm.mask(r) for r in rows], format)


from . import customer_io as _io  # noqa: E402  (import/export live in their own module)

app.command("import")(_io.import_customers)
app.command("export")(_io.export_customers)
