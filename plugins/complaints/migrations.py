"""The complaints plugin's tables, as ordered migrations.

- ``complaints_tickets``: one row a complaint (the 顾客投诉登记表), with the current state and
  a few denormalised fields for listing; the truth is the event log.
- ``complaints_events``: the ticket's timeline: every transition with actor, time, note and
  data (JSON).  Timings are recomputed from these rows (see ``timings.py``).
"""

from crm.api import Migrations

migrations = Migrations("complaints")


def _run(db, script: str) -> None:
    for statement in script.split(";\n"):
        if statement.strip():
            db.execute(statement)


@migrations()
def m001_create_complaints(db):
    _run(db, """
CREATE TABLE complaints_tickets (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER REFERENCES customers(id),
    vehicle_id INTEGER REFERENCES vehicles(id),
    vin TEXT,
    plate TEXT,
    complainant TEXT,
    contact_phone TEXT,
    channel TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT 'cli',
    source_ref TEXT,
    portal_id TEXT UNIQUE,
    portal_version INTEGER,
    oem_status TEXT,
    category TEXT NOT NULL,
    final_category TEXT,
    severity TEXT NOT NULL,
    priority INTEGER NOT NULL,
    description TEXT,
    state TEXT NOT NULL,
    responsible_dept TEXT,
    responsible_person TEXT,
    handler TEXT,
    promised_at TEXT,
    respond_due_oem TEXT,
    resolve_due_oem TEXT,
    paused_reason TEXT,
    paused_since TEXT,
    confirmed_at TEXT,
    escalation_level INTEGER NOT NULL DEFAULT 0,
    repeat_of INTEGER REFERENCES complaints_tickets(id),
    received_at TEXT NOT NULL,
    closed_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX complaints_tickets_customer ON complaints_tickets(customer_id, received_at);
CREATE INDEX complaints_tickets_vehicle ON complaints_tickets(vehicle_id, received_at);
CREATE INDEX complaints_tickets_state ON complaints_tickets(state);
CREATE INDEX complaints_tickets_received ON complaints_tickets(received_at);
CREATE UNIQUE INDEX complaints_tickets_source ON complaints_tickets(source, source_ref)
    WHERE source_ref IS NOT NULL;
CREATE TABLE complaints_events (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES complaints_tickets(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    action TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    actor TEXT NOT NULL,
    role TEXT,
    at TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    note TEXT,
    data TEXT,
    UNIQUE (ticket_id, seq)
);
CREATE INDEX complaints_events_action ON complaints_events(action, at)
""")


@migrations()
def m002_complaint_files(db):
    """Evidence kept with a ticket (issue 17): the customer's signed confirmation (签字), copied
    into the folder beside the database and identified by its sha256."""
    _run(db, """
CREATE TABLE complaints_files (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES complaints_tickets(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    name TEXT,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    added_by TEXT,
    added_at TEXT NOT NULL
);
CREATE INDEX complaints_files_ticket ON complaints_files(ticket_id)
""")


@migrations()
def m003_complaint_timings(db):
    """Each ticket's timing facts (facts.py), for the dealer group's warehouse (issue 21): written
    with every new event; ``crm complaints escalate`` (the cron) fills in older tickets."""
    _run(db, """
CREATE TABLE complaints_timings (
    ticket_id INTEGER PRIMARY KEY REFERENCES complaints_tickets(id) ON DELETE CASCADE,
    responded_at TEXT,
    respond_due TEXT,
    respond_hours REAL,
    respond_on_time INTEGER,
    resolved_at TEXT,
    resolve_due TEXT,
    resolve_hours REAL,
    resolve_on_time INTEGER,
    computed_with TEXT,
    updated_at TEXT NOT NULL
)
""")
