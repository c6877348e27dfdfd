"""The complaints plugin's tables, as ordered migrations."""

from crm.migrations import Migrations

migrations = Migrations("complaints")


@migrations()
def m001_create_complaints(db):
    db.execute("""CREATE TABLE complaints (
        id INTEGER PRIMARY KEY,
        customer_id INTEGER REFERENCES customers(id) ON DELETE CASCADE,
        channel TEXT NOT NULL, description TEXT, status TEXT NOT NULL DEFAULT 'registered',
        created_at TEXT NOT NULL
    )""")
