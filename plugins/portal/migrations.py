"""The portal plugin's tables, as ordered migrations."""

from crm.migrations import Migrations

migrations = Migrations("portal")


@migrations()
def m001_create_portal_streams(db):
    db.execute("""CREATE TABLE portal_streams (
        id INTEGER PRIMARY KEY,
        customer_id INTEGER REFERENCES customers(id) ON DELETE CASCADE,
        stream TEXT NOT NULL UNIQUE, updated_since TEXT,
        created_at TEXT NOT NULL
    )""")
