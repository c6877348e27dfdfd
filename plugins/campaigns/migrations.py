"""The campaigns plugin's tables, as ordered migrations."""

from crm.migrations import Migrations

migrations = Migrations("campaigns")


@migrations()
def m001_create_campaigns(db):
    db.execute("""CREATE TABLE campaigns (
        id INTEGER PRIMARY KEY,
        customer_id INTEGER REFERENCES customers(id) ON DELETE CASCADE,
        kind TEXT NOT NULL, title TEXT NOT NULL,
        created_at TEXT NOT NULL
    )""")
