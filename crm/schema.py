"""The core's own tables (the customer archive, staff, audit log) as ordered migrations."""

from __future__ import annotations

from .migrations import Migrations

migrations = Migrations("core")


def _run(db, script: str) -> None:
    for statement in script.split(";\n"):
        if statement.strip():
            db.execute(statement)


@migrations()
def m001_create_archive(db):
    _run(
        db,
        """
CREATE TABLE staff (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('manager','satisfaction','appointment','callback','archive','advisor','it')),
    level INTEGER NOT NULL DEFAULT 1,
    daily_capacity INTEGER NOT NULL DEFAULT 40,
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE customers (
    id INTEGER PRIMARY KEY,
    ref TEXT UNIQUE,
    name TEXT,
    name_rev TEXT,
    name_pinyin TEXT,
    name_initials TEXT,
    gender TEXT CHECK (gender IN ('M','F')),
    birthday TEXT,
    mobile TEXT,
    mobile2 TEXT,
    landline TEXT,
    wechat TEXT,
    email TEXT,
    city TEXT,
    address TEXT,
    source TEXT,
    classification TEXT,
    preferred_channel TEXT,
    best_time TEXT,
    do_not_contact INTEGER NOT NULL DEFAULT 0,
    notes TEXT,
    specialist_id INTEGER REFERENCES staff(id),
    first_contact_due TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    forgotten_at TEXT
);
CREATE INDEX customers_name ON customers(name);
CREATE INDEX customers_name_rev ON customers(name_rev);
CREATE INDEX customers_name_pinyin ON customers(name_pinyin);
CREATE INDEX customers_name_initials ON customers(name_initials);
CREATE INDEX customers_specialist ON customers(specialist_id);
CREATE TABLE customer_phones (
    customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    phone TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'mobile',
    tail4 TEXT NOT NULL,
    PRIMARY KEY (customer_id, phone)
) WITHOUT ROWID;
CREATE INDEX customer_phones_phone ON customer_phones(phone);
CREATE INDEX customer_phones_tail4 ON customer_phones(tail4);
CREATE TABLE customer_tags (
    customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (customer_id, tag)
) WITHOUT ROWID;
CREATE INDEX customer_tags_tag ON customer_tags(tag);
CREATE TABLE customer_consents (
    customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    channel TEXT NOT NULL CHECK (channel IN ('phone','sms','wechat','email')),
    granted INTEGER NOT NULL,
    source TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (customer_id, channel)
) WITHOUT ROWID;
CREATE TABLE membership_cards (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    number TEXT NOT NULL UNIQUE,
    level TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    expires_on TEXT,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','expired','cancelled')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX membership_cards_customer ON membership_cards(customer_id);
CREATE INDEX membership_cards_expires ON membership_cards(expires_on);
CREATE TABLE vehicles (
    id INTEGER PRIMARY KEY,
    vin TEXT NOT NULL UNIQUE,
    vin_rev TEXT NOT NULL,
    plate TEXT,
    plate_key TEXT,
    model TEXT,
    model_year INTEGER,
    colour TEXT,
    delivery_date TEXT,
    mileage INTEGER,
    insurance_expires TEXT,
    inspection_due TEXT,
    customer_id INTEGER REFERENCES customers(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX vehicles_vin_rev ON vehicles(vin_rev);
CREATE INDEX vehicles_plate ON vehicles(plate);
CREATE INDEX vehicles_plate_key ON vehicles(plate_key);
CREATE INDEX vehicles_customer ON vehicles(customer_id);
CREATE TABLE vehicle_owners (
    id INTEGER PRIMARY KEY,
    vehicle_id INTEGER NOT NULL REFERENCES vehicles(id) ON DELETE CASCADE,
    customer_id INTEGER REFERENCES customers(id),
    since TEXT,
    until TEXT,
    reason TEXT
);
CREATE INDEX vehicle_owners_vehicle ON vehicle_owners(vehicle_id);
CREATE INDEX vehicle_owners_customer ON vehicle_owners(customer_id);
CREATE TABLE visits (
    id INTEGER PRIMARY KEY,
    ro_number TEXT NOT NULL UNIQUE,
    vehicle_id INTEGER REFERENCES vehicles(id),
    customer_id INTEGER REFERENCES customers(id),
    date_in TEXT NOT NULL,
    date_out TEXT,
    type TEXT NOT NULL CHECK (type IN ('maintenance','repair','warranty','bodypaint','pdi')),
    advisor TEXT,
    mileage INTEGER,
    amount REAL,
    items TEXT,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','closed')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX visits_customer ON visits(customer_id, date_in);
CREATE INDEX visits_vehicle ON visits(vehicle_id, date_in);
CREATE INDEX visits_date_out ON visits(date_out);
CREATE TABLE interactions (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER REFERENCES customers(id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    staff TEXT,
    channel TEXT NOT NULL,
    direction TEXT NOT NULL DEFAULT 'out' CHECK (direction IN ('in','out')),
    kind TEXT NOT NULL,
    summary TEXT,
    outcome TEXT,
    ref TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX interactions_customer ON interactions(customer_id, at);
CREATE INDEX interactions_at ON interactions(at);
CREATE TABLE appointments (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    vehicle_id INTEGER REFERENCES vehicles(id),
    at TEXT NOT NULL,
    type TEXT NOT NULL DEFAULT 'maintenance',
    staff TEXT,
    status TEXT NOT NULL DEFAULT 'booked' CHECK (status IN ('booked','arrived','no_show','cancelled')),
    note TEXT,
    source TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX appointments_at ON appointments(at);
CREATE INDEX appointments_customer ON appointments(customer_id)
""",
    )


@migrations()
def m002_create_audit_log(db):
    _run(
        db,
        """
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    role TEXT,
    command TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT,
    record_ids TEXT,
    count INTEGER,
    detail TEXT
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END
""",
    )


@migrations()
def m003_archive_indexes(db):
    """Indexes for the archive's filters, queues and search (issue 4)."""
    _run(
        db,
        """
CREATE INDEX IF NOT EXISTS customers_city ON customers(city);
CREATE INDEX IF NOT EXISTS customers_classification ON customers(classification);
CREATE INDEX IF NOT EXISTS customers_first_contact_due ON customers(specialist_id, first_contact_due);
CREATE INDEX IF NOT EXISTS vehicles_model ON vehicles(model);
CREATE INDEX IF NOT EXISTS vehicles_insurance ON vehicles(insurance_expires);
CREATE INDEX IF NOT EXISTS vehicles_inspection ON vehicles(inspection_due);
CREATE INDEX IF NOT EXISTS appointments_status ON appointments(status, at);
CREATE INDEX IF NOT EXISTS membership_cards_level ON membership_cards(level)
""",
    )
