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


@migrations()
def m004_report_indexes(db):
    """Indexes of the reports' and the agenda's date-range queries (issue 9; was crm/reports/indexes.py)."""
    _run(
        db,
        """
CREATE INDEX IF NOT EXISTS customers_created ON customers(created_at);
CREATE INDEX IF NOT EXISTS customers_birthday_md ON customers(substr(birthday, 6, 5));
CREATE INDEX IF NOT EXISTS visits_date_in ON visits(date_in, type, customer_id);
CREATE INDEX IF NOT EXISTS interactions_staff_at ON interactions(staff, at)
""",
    )


# ---------------------------------------------------------------- archive completeness counts
# A customer's completeness facts as a bit mask (bit i = FACTS[i] is on record), and how many
# live (not forgotten) customers of each specialist hold each mask, kept exact by triggers on
# customers and vehicles: the report's completeness snapshot reads a few hundred rows instead
# of scanning every archive, whatever weights the config gives (crm/reports/completeness.py).
# Never change FACTS' order: the stored masks depend on it (add a fact at the end, with a new
# migration that rebuilds the counts).
FACTS = ["mobile", "name", "gender", "birthday", "wechat", "email", "city", "address", "source",
         "preferred_channel", "best_time", "vehicle", "plate", "specialist"]
NO_SPECIALIST = -1  # archive_fact_counts.sid of customers without a specialist


def _column_bits(c: str) -> str:
    bits = [f"(({c}.{f} IS NOT NULL AND {c}.{f} <> '') << {i})" for i, f in enumerate(FACTS)
            if f not in ("vehicle", "plate", "specialist")]
    bits.append(f"(({c}.specialist_id IS NOT NULL) << {FACTS.index('specialist')})")
    return " | ".join(bits)


def _vehicle_bits(cid: str, exclude: tuple[str, ...] = (), row: str | None = None) -> str:
    """The vehicle and plate bits of customer ``cid``: its vehicles other than the ids ``exclude``,
    plus the vehicle ``row`` (OLD or NEW in a trigger) when that row belongs to ``cid``."""
    plate = "v.plate IS NOT NULL AND v.plate <> ''"
    others = "".join(f" AND v.id IS NOT {x}" for x in exclude)
    has = f"EXISTS (SELECT 1 FROM vehicles v WHERE v.customer_id = {cid}{others})"
    has_plate = f"EXISTS (SELECT 1 FROM vehicles v WHERE v.customer_id = {cid}{others} AND {plate})"
    if row:
        has = f"({has} OR {row}.customer_id IS {cid})"
        has_plate = (f"({has_plate} OR ({row}.customer_id IS {cid} AND {row}.plate IS NOT NULL"
                     f" AND {row}.plate <> ''))")
    return f"(({has}) << {FACTS.index('vehicle')}) | (({has_plate}) << {FACTS.index('plate')})"


def fact_mask_sql(c: str = "c") -> str:
    """SQL of the fact mask of the customers row aliased ``c`` (against the vehicles as they are)."""
    return f"({_column_bits(c)} | {_vehicle_bits(c + '.id')})"


def _add(sid: str, mask: str, where: str = "") -> str:
    return (f"INSERT INTO archive_fact_counts (sid, mask, n) SELECT coalesce({sid}, {NO_SPECIALIST}), {mask}, 1"
            f" {where or 'WHERE 1'} ON CONFLICT (sid, mask) DO UPDATE SET n = n + 1;")


def _sub(sid: str, mask: str, where: str = "") -> str:
    return (f"UPDATE archive_fact_counts SET n = n - 1 WHERE (sid, mask) ="
            f" (SELECT coalesce({sid}, {NO_SPECIALIST}), {mask} {where});")


def _vehicle_change(cid: str, before_row: str | None, after_row: str | None, exclude: tuple[str, ...],
                    guard: str = "") -> str:
    """Move customer ``cid`` (if live) from its mask before a vehicle change to its mask after."""
    where = f"FROM customers c WHERE c.id = {cid} AND c.forgotten_at IS NULL{guard}"
    before = f"({_column_bits('c')} | {_vehicle_bits('c.id', exclude, before_row)})"
    after = f"({_column_bits('c')} | {_vehicle_bits('c.id', exclude, after_row)})"
    return _sub("c.specialist_id", before, where) + "\n" + _add("c.specialist_id", after, where)


def completeness_count_statements() -> list[str]:
    customer_cols = ", ".join(f for f in FACTS if f not in ("vehicle", "plate", "specialist"))
    new_mask = f"({_column_bits('NEW')} | {_vehicle_bits('NEW.id')})"
    old_mask = f"({_column_bits('OLD')} | {_vehicle_bits('OLD.id')})"
    return [
        "CREATE TABLE archive_fact_counts (sid INTEGER NOT NULL, mask INTEGER NOT NULL, n INTEGER NOT NULL,"
        " PRIMARY KEY (sid, mask)) WITHOUT ROWID",
        f"INSERT INTO archive_fact_counts (sid, mask, n) SELECT coalesce(c.specialist_id, {NO_SPECIALIST}),"
        f" {fact_mask_sql('c')}, count(*) FROM customers c WHERE c.forgotten_at IS NULL GROUP BY 1, 2",
        "CREATE TRIGGER archive_facts_customer_insert AFTER INSERT ON customers WHEN NEW.forgotten_at IS NULL"
        f" BEGIN {_add('NEW.specialist_id', new_mask)} END",
        "CREATE TRIGGER archive_facts_customer_delete AFTER DELETE ON customers WHEN OLD.forgotten_at IS NULL"
        f" BEGIN {_sub('OLD.specialist_id', old_mask)} END",
        f"CREATE TRIGGER archive_facts_customer_update AFTER UPDATE OF id, {customer_cols}, specialist_id,"
        " forgotten_at ON customers BEGIN "
        + _sub("OLD.specialist_id", old_mask, "WHERE OLD.forgotten_at IS NULL")
        + _add("NEW.specialist_id", new_mask, "WHERE NEW.forgotten_at IS NULL") + " END",
        "CREATE TRIGGER archive_facts_vehicle_insert AFTER INSERT ON vehicles WHEN NEW.customer_id IS NOT NULL"
        f" BEGIN {_vehicle_change('NEW.customer_id', None, 'NEW', ('NEW.id',))} END",
        "CREATE TRIGGER archive_facts_vehicle_delete AFTER DELETE ON vehicles WHEN OLD.customer_id IS NOT NULL"
        f" BEGIN {_vehicle_change('OLD.customer_id', 'OLD', None, ('OLD.id',))} END",
        "CREATE TRIGGER archive_facts_vehicle_update AFTER UPDATE OF id, customer_id, plate ON vehicles"
        " WHEN OLD.customer_id IS NOT NULL OR NEW.customer_id IS NOT NULL BEGIN "
        + _vehicle_change("OLD.customer_id", "OLD", "NEW", ("OLD.id", "NEW.id"))
        + "\n" + _vehicle_change("NEW.customer_id", "OLD", "NEW", ("OLD.id", "NEW.id"),
                                 " AND NEW.customer_id IS NOT OLD.customer_id") + " END",
    ]


def recount_archive_facts(conn) -> None:
    """Recompute ``archive_fact_counts`` from the archive (after a bulk import that ran
    without the triggers); inside the caller's transaction."""
    conn.execute("DELETE FROM archive_fact_counts")
    conn.execute(completeness_count_statements()[1])


@migrations()
def m005_archive_fact_counts(db):
    """Per-specialist counts of the customers' completeness fact masks, kept by triggers (issue 9)."""
    for statement in completeness_count_statements():
        db.execute(statement)


@migrations()
def m006_report_covering_indexes(db):
    """The monthly report's period counts read only index entries (issue 9: ≤ 1 s on 1M customers).

    interactions(at, …) and appointments(at, …) cover the per-period GROUP BYs of
    crm/reports/core.py (they start with the columns of interactions_at and appointments_at,
    which they replace); first contacts due across the department are read in date order.
    """
    _run(
        db,
        """
CREATE INDEX IF NOT EXISTS interactions_at_cover ON interactions(at, direction, channel, outcome, staff, customer_id);
DROP INDEX IF EXISTS interactions_at;
CREATE INDEX IF NOT EXISTS appointments_at_cover ON appointments(at, status, staff);
DROP INDEX IF EXISTS appointments_at;
CREATE INDEX IF NOT EXISTS customers_first_contact_due_all ON customers(first_contact_due) WHERE first_contact_due IS NOT NULL
""",
    )


@migrations()
def m007_worklog(db):
    """The specialist's own written work (issue 16): notes of the daily log (每日工作日志),
    goals of the weekly plan (每周工作计划, submitted to the manager) and the month's problems
    (月度工作总结), filled into the forms next to the generated figures."""
    _run(
        db,
        """
CREATE TABLE worklog (
    id INTEGER PRIMARY KEY,
    staff TEXT NOT NULL,
    day TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('note', 'goal', 'problem', 'plan')),
    text TEXT NOT NULL,
    target TEXT,
    done TEXT,
    submitted_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX worklog_day ON worklog(kind, day, staff)
""",
    )


#: the roles the staff table accepts (crm.identity.ROLES); widened by m008 for sales
_OLD_ROLE_CHECK = "role IN ('manager','satisfaction','appointment','callback','archive','advisor','it')"
_NEW_ROLE_CHECK = "role IN ('manager','satisfaction','appointment','callback','archive','advisor','it','sales')"


@migrations()
def m008_sales_orders(db):
    """Issue 17, sales side: a ``sales`` role (销售顾问) and the purchase orders / contracts (订单/合同).

    The staff table's CHECK is widened in place (SQLite's documented writable_schema procedure for a
    CHECK that only admits more values: no row can violate it, no table is rebuilt, the foreign keys
    from customers.specialist_id stay as they are).
    """
    conn = db.conn
    sql = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'staff'").fetchone()[0]
    if _OLD_ROLE_CHECK in sql:
        version = conn.execute("PRAGMA schema_version").fetchone()[0]
        conn.execute("PRAGMA writable_schema = ON")
        try:
            conn.execute("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'staff'",
                         (sql.replace(_OLD_ROLE_CHECK, _NEW_ROLE_CHECK),))
            conn.execute(f"PRAGMA schema_version = {version + 1}")
        finally:
            conn.execute("PRAGMA writable_schema = OFF")
    _run(
        db,
        """
CREATE TABLE orders (
    id INTEGER PRIMARY KEY,
    number TEXT UNIQUE,
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    model TEXT NOT NULL,
    price REAL NOT NULL CHECK (price >= 0),
    deposit REAL NOT NULL DEFAULT 0 CHECK (deposit >= 0),
    signed_on TEXT NOT NULL,
    promised_on TEXT,
    consultant TEXT,
    status TEXT NOT NULL DEFAULT 'signed' CHECK (status IN ('signed','delivered','cancelled')),
    vehicle_id INTEGER REFERENCES vehicles(id),
    delivered_on TEXT,
    note TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX orders_customer ON orders(customer_id);
CREATE INDEX orders_signed ON orders(signed_on, consultant);
CREATE INDEX orders_open_promised ON orders(promised_on) WHERE status = 'signed'
""",
    )


@migrations()
def m009_appointment_place_and_progress(db):
    """Issue 17, appointments and the workshop: where the service happens (店内 in_store / 上门
    at_home), and the repair progress of the visit (接车, 维修中, 待料, 质检, 可交车) with times."""
    _run(
        db,
        """
ALTER TABLE appointments ADD COLUMN place TEXT NOT NULL DEFAULT 'in_store' CHECK (place IN ('in_store','at_home'));
ALTER TABLE appointments ADD COLUMN progress TEXT;
CREATE TABLE appointment_progress (
    id INTEGER PRIMARY KEY,
    appointment_id INTEGER NOT NULL REFERENCES appointments(id) ON DELETE CASCADE,
    state TEXT NOT NULL CHECK (state IN ('received','in_repair','waiting_parts','inspection','ready')),
    at TEXT NOT NULL,
    staff TEXT,
    note TEXT,
    message_ref TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX appointment_progress_appointment ON appointment_progress(appointment_id, id);
CREATE INDEX appointments_in_progress ON appointments(progress) WHERE progress IS NOT NULL
""",
    )


@migrations()
def m010_identity_and_audit_chain(db):
    """PINs, login sessions, forget tombstones; the audit log chained by hashes (issue 15).

    Existing audit rows are chained once, in id order (the append-only triggers are
    lifted for that one update inside this migration's transaction).
    """
    _run(
        db,
        """
ALTER TABLE staff ADD COLUMN pin_hash TEXT;
CREATE TABLE staff_sessions (
    token_hash TEXT PRIMARY KEY,
    staff_id INTEGER NOT NULL REFERENCES staff(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE TABLE forgotten_keys (
    key_hash TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    bucket TEXT NOT NULL,
    forgotten_at TEXT NOT NULL
);
CREATE INDEX forgotten_keys_bucket ON forgotten_keys(kind, bucket);
ALTER TABLE audit_log ADD COLUMN principal TEXT;
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;
DROP TRIGGER audit_log_no_update
""",
    )
    from .archive.audit_chain import chain_existing

    chain_existing(db.conn)
    _run(
        db,
        """
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END
""",
    )


@migrations()
def m011_corrective_actions(db):
    """Corrective actions (整改项, issue 16): a problem found by a callback, a survey or a
    complaint, given to a department with an owner, a due date and a status
    (open → in_progress → done → verified). ``source`` is the typed reference's text form
    (``callback:6:8``, ``complaint:3``, ``survey-response:5``), NULL for one raised by hand."""
    _run(
        db,
        """
CREATE TABLE corrective_actions (
    id INTEGER PRIMARY KEY,
    source TEXT,
    customer_id INTEGER REFERENCES customers(id) ON DELETE SET NULL,
    problem TEXT NOT NULL,
    dept TEXT NOT NULL,
    owner TEXT NOT NULL,
    due_on TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','in_progress','done','verified')),
    raised_by TEXT,
    note TEXT,
    done_at TEXT,
    verified_at TEXT,
    verified_by TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX corrective_actions_open ON corrective_actions(status, due_on);
CREATE INDEX corrective_actions_owner ON corrective_actions(owner, status);
CREATE INDEX corrective_actions_source ON corrective_actions(source)
""",
    )


@migrations()
def m012_export_requests(db):
    """Issue 17, confidentiality: a specialist's request for an unmasked export, decided by the
    manager and used once (crm/archive/export_requests.py)."""
    _run(
        db,
        """
CREATE TABLE export_requests (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    filters TEXT NOT NULL DEFAULT '{}',
    format TEXT,
    unmasked INTEGER NOT NULL DEFAULT 1,
    reason TEXT NOT NULL,
    requested_by INTEGER NOT NULL REFERENCES staff(id),
    requested_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'declined', 'used')),
    decided_by INTEGER REFERENCES staff(id),
    decided_at TEXT,
    note TEXT,
    expires_at TEXT,
    used_at TEXT
);
CREATE INDEX export_requests_usable ON export_requests(requested_by, kind, status)
""",
    )
