"""`crm hello ...`: imported only when the command runs."""

from typing import Annotated

import typer

from crm.api import FormatOption, current, emit, get_customer, new_app

app = new_app("Greet customers (example plugin).")


@app.command()
def greet(
    customer_id: Annotated[int, typer.Argument(metavar="ID")],
    text: Annotated[str, typer.Option(help="What to say")] = "您好!",
) -> None:
    """Record a greeting for a customer."""
    crm = current()
    with crm.transaction() as tx:
        customer = get_customer(tx.store, customer_id)  # exit 2 if unknown
        cursor = tx.conn.execute(
            "INSERT INTO hello_greetings (customer_id, text, created_at) VALUES (?, ?, ?)",
            (customer["id"], text, tx.now),
        )
        tx.audit("create", "hello_greeting", [cursor.lastrowid])


@app.command("list")
def list_greetings(format: FormatOption = "table") -> None:
    """List all greetings."""
    emit(current().store.query("SELECT * FROM hello_greetings ORDER BY id"), format)
