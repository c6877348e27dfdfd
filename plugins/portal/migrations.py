"""The portal plugin's tables, as ordered migrations (all named ``portal_*``)."""

from crm.api import Migrations

migrations = Migrations("portal")


def _run(db, script: str) -> None:
    for statement in script.split(";\n"):
        if statement.strip():
            db.execute(statement)


@migrations()
def m001_create_portal_tables(db):
    _run(db, """
CREATE TABLE portal_streams (
    stream TEXT PRIMARY KEY,
    updated_since TEXT,
    cursor TEXT,
    server_time TEXT,
    last_run_at TEXT,
    last_ok_at TEXT,
    last_error TEXT,
    applied INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0,
    deleted INTEGER NOT NULL DEFAULT 0,
    quarantined INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE portal_records (
    stream TEXT NOT NULL,
    id TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    raw TEXT,
    customer_id INTEGER,
    vehicle_id INTEGER,
    applied_at TEXT NOT NULL,
    PRIMARY KEY (stream, id)
) WITHOUT ROWID;
CREATE INDEX portal_records_customer ON portal_records(customer_id);
CREATE TABLE portal_quarantine (
    id INTEGER PRIMARY KEY,
    stream TEXT NOT NULL,
    record_id TEXT,
    version INTEGER,
    reason TEXT NOT NULL,
    raw TEXT,
    seen_at TEXT NOT NULL,
    resolved_at TEXT,
    UNIQUE (stream, record_id, version)
);
CREATE TABLE portal_leads (
    id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    name TEXT,
    phone TEXT,
    city TEXT,
    model_interest TEXT,
    source TEXT,
    created_at TEXT,
    contact_due TEXT,
    comments TEXT,
    adf TEXT,
    customer_id INTEGER REFERENCES customers(id) ON DELETE SET NULL,
    first_contact_at TEXT,
    last_outcome TEXT,
    next_contact_on TEXT,
    synced_at TEXT NOT NULL
);
CREATE INDEX portal_leads_due ON portal_leads(contact_due);
CREATE INDEX portal_leads_customer ON portal_leads(customer_id);
CREATE TABLE portal_outbox (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('callback','complaint_event','lead_followup','campaign_completion')),
    ref TEXT,
    method TEXT NOT NULL DEFAULT 'POST',
    path TEXT NOT NULL,
    payload TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    if_match INTEGER,
    status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued','sent','parked','cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    remote_id TEXT,
    customer_id INTEGER,
    created_at TEXT NOT NULL,
    sent_at TEXT
);
CREATE INDEX portal_outbox_status ON portal_outbox(status, id);
CREATE TABLE portal_conflicts (
    id INTEGER PRIMARY KEY,
    stream TEXT NOT NULL,
    record_id TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id INTEGER NOT NULL,
    field TEXT NOT NULL,
    base TEXT,
    local TEXT,
    portal TEXT,
    portal_version INTEGER,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','resolved')),
    resolution TEXT,
    created_at TEXT NOT NULL,
    resolved_at TEXT,
    resolved_by TEXT
);
CREATE INDEX portal_conflicts_open ON portal_conflicts(status, entity, entity_id, field)
""")
