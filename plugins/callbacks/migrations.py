"""The callbacks plugin's tables, as ordered migrations."""

from crm.migrations import Migrations

migrations = Migrations("callbacks")


@migrations()
def m001_create_callback_tasks(db):
    db.execute("""CREATE TABLE callback_tasks (
        id INTEGER PRIMARY KEY,
        customer_id INTEGER REFERENCES customers(id) ON DELETE CASCADE,
        rule TEXT NOT NULL, due_on TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'open',
        created_at TEXT NOT NULL
    )""")
