"""Hook implementations: kept light, so `crm --help` stays fast."""

from crm import hookimpl
from crm.api import Migrations

migrations = Migrations("hello")


@migrations()
def m001_create_greetings(db):
    db.execute(
        "CREATE TABLE hello_greetings ("
        " id INTEGER PRIMARY KEY,"
        " customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,"
        " text TEXT NOT NULL,"
        " created_at TEXT NOT NULL)"
    )


@hookimpl
def register_migrations(register):
    register(migrations)


@hookimpl
def register_commands(register):
    # A string: crm imports crm_hello.cli only when `crm hello ...` runs.
    register("hello", "crm_hello.cli:app", help="Greet customers (example plugin)")


@hookimpl
def on_customer_created(tx, customer):
    tx.conn.execute(
        "INSERT INTO hello_greetings (customer_id, text, created_at) VALUES (?, ?, ?)",
        (customer["id"], f"欢迎 {customer['name']}!", tx.now),
    )


@hookimpl
def on_customers_merged(tx, kept_id, merged_id):
    tx.conn.execute("UPDATE hello_greetings SET customer_id = ? WHERE customer_id = ?", (kept_id, merged_id))


@hookimpl
def on_customer_forgotten(tx, customer_id):
    tx.conn.execute("DELETE FROM hello_greetings WHERE customer_id = ?", (customer_id,))


@hookimpl
def customer_sections(app, customer):
    rows = app.store.query(
        "SELECT text, created_at FROM hello_greetings WHERE customer_id = ? ORDER BY id", (customer["id"],)
    )
    return [{"title": "Greetings", "rows": rows}]
