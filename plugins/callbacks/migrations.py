"""The callbacks plugin's tables, as ordered migrations (never edit one that has shipped)."""

from crm.api import Migrations

migrations = Migrations("callbacks")


def _run(db, script: str) -> None:
    for statement in script.split(";\n"):
        if statement.strip():
            db.execute(statement)


@migrations()
def m001_create_callback_tasks(db):
    # The skeleton's first table; m002 replaces it (it never held data).
    db.execute("""CREATE TABLE callback_tasks (
        id INTEGER PRIMARY KEY,
        customer_id INTEGER REFERENCES customers(id) ON DELETE CASCADE,
        rule TEXT NOT NULL, due_on TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'open',
        created_at TEXT NOT NULL
    )""")


@migrations()
def m002_tasks_calls_keys_state(db):
    _run(db, """
DROP TABLE IF EXISTS callback_tasks;
CREATE TABLE callback_tasks (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    vehicle_id INTEGER REFERENCES vehicles(id) ON DELETE SET NULL,
    visit_id INTEGER REFERENCES visits(id) ON DELETE SET NULL,
    rules TEXT NOT NULL,
    reasons TEXT NOT NULL,
    member INTEGER NOT NULL DEFAULT 0,
    start_on TEXT NOT NULL,
    due_on TEXT NOT NULL,
    last_on TEXT NOT NULL,
    scheduled_on TEXT NOT NULL,
    assigned_to TEXT,
    avoid_staff TEXT,
    status TEXT NOT NULL DEFAULT 'open'
        CHECK (status IN ('open','done','unreachable','missed','cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    result TEXT CHECK (result IS NULL OR result IN ('satisfied','neutral','dissatisfied','unreachable')),
    score INTEGER,
    note TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    closed_at TEXT
);
CREATE INDEX callback_tasks_queue ON callback_tasks(status, assigned_to, scheduled_on);
CREATE INDEX callback_tasks_customer ON callback_tasks(customer_id, status);
CREATE INDEX callback_tasks_last ON callback_tasks(status, last_on);
CREATE INDEX callback_tasks_due ON callback_tasks(due_on);
CREATE TABLE callback_plan_keys (
    rule TEXT NOT NULL,
    key TEXT NOT NULL,
    task_id INTEGER REFERENCES callback_tasks(id) ON DELETE CASCADE,
    planned_at TEXT NOT NULL,
    PRIMARY KEY (rule, key)
) WITHOUT ROWID;
CREATE INDEX callback_plan_keys_task ON callback_plan_keys(task_id);
CREATE TABLE callback_calls (
    id INTEGER PRIMARY KEY,
    task_id INTEGER NOT NULL REFERENCES callback_tasks(id) ON DELETE CASCADE,
    customer_id INTEGER REFERENCES customers(id) ON DELETE CASCADE,
    staff TEXT,
    called_at TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    result TEXT NOT NULL CHECK (result IN ('satisfied','neutral','dissatisfied','unreachable')),
    score INTEGER CHECK (score IS NULL OR score BETWEEN 0 AND 10),
    aspects TEXT,
    note TEXT,
    suggestion TEXT,
    complaint_ref TEXT,
    appointment_id INTEGER,
    portal_ref TEXT,
    source TEXT NOT NULL DEFAULT 'cli',
    import_key TEXT UNIQUE,
    created_at TEXT NOT NULL
);
CREATE INDEX callback_calls_at ON callback_calls(called_at);
CREATE INDEX callback_calls_task ON callback_calls(task_id);
CREATE INDEX callback_calls_customer ON callback_calls(customer_id);
CREATE TABLE callback_state (
    name TEXT PRIMARY KEY,
    value TEXT,
    updated_at TEXT NOT NULL
)
""")


@migrations()
def m003_indexes_for_date_rules(db):
    # Date-driven rules look anchors up by date (or month-day) so a daily plan never scans
    # the archive.  These indexes sit on core tables but belong to this plugin (prefix
    # ``callbacks_``); see docs/callbacks.md "Decisions".
    _run(db, """
CREATE INDEX IF NOT EXISTS callbacks_customers_birthday_md ON customers(substr(birthday, 6, 5));
CREATE INDEX IF NOT EXISTS callbacks_vehicles_delivery ON vehicles(delivery_date);
CREATE INDEX IF NOT EXISTS callbacks_vehicles_delivery_md ON vehicles(substr(delivery_date, 6, 5));
CREATE INDEX IF NOT EXISTS callbacks_vehicles_insurance ON vehicles(insurance_expires);
CREATE INDEX IF NOT EXISTS callbacks_vehicles_inspection ON vehicles(inspection_due)
""")


@migrations()
def m004_visit_events(db):
    # Visits closed through crm (on_visit_closed) wait here for the next plan, so a visit
    # closed late is planned without scanning the visits table.
    db.execute("CREATE TABLE callback_visit_events (visit_id INTEGER PRIMARY KEY, at TEXT NOT NULL)")


@migrations()
def m005_agenda_index(db):
    # One specialist's queue (crm callbacks due --me, crm today) read in its order:
    # overdue first, members first, then by due date (see queue.PARTS).
    db.execute("CREATE INDEX IF NOT EXISTS callback_tasks_agenda ON callback_tasks(status, assigned_to, member, due_on)")


@migrations()
def m006_open_task_indexes(db):
    # The queue, agenda and expiry indexes only ever serve open tasks (every query on them
    # says status = 'open'): the same indexes, on the open tasks only.  Expiring or closing a
    # task removes its entries instead of moving them, and the closed tasks that pile up
    # over the years never weigh on them.  status stays their first column, so they still
    # cover the queries that read only their columns (loads).
    _run(db, """
DROP INDEX IF EXISTS callback_tasks_queue;
DROP INDEX IF EXISTS callback_tasks_agenda;
DROP INDEX IF EXISTS callback_tasks_last;
CREATE INDEX callback_tasks_queue ON callback_tasks(status, assigned_to, scheduled_on) WHERE status = 'open';
CREATE INDEX callback_tasks_agenda ON callback_tasks(status, assigned_to, member, due_on) WHERE status = 'open';
CREATE INDEX callback_tasks_last ON callback_tasks(status, last_on) WHERE status = 'open'
""")


@migrations()
def m007_about(db):
    # What a task was asked for about (the schedule_callback request's ``about``, a
    # crm.api.Ref: e.g. complaint 3 for its follow-up call), kept typed: kind and id.
    _run(db, """
ALTER TABLE callback_tasks ADD COLUMN about_kind TEXT;
ALTER TABLE callback_tasks ADD COLUMN about_id INTEGER
""")


@migrations()
def m008_channels_and_skips(db):
    # 会员客户100%回访: a member the phone may not reach is called back on another channel
    # the member allows (a task with its channel and the text to send); a member no channel
    # reaches is remembered with the reason, so the summary counts them as not reached.
    _run(db, """
ALTER TABLE callback_tasks ADD COLUMN channel TEXT NOT NULL DEFAULT 'phone';
ALTER TABLE callback_tasks ADD COLUMN message TEXT;
CREATE TABLE callback_skips (
    rule TEXT NOT NULL,
    key TEXT NOT NULL,
    customer_id INTEGER NOT NULL,
    member INTEGER NOT NULL DEFAULT 0,
    due_on TEXT NOT NULL,
    reason TEXT NOT NULL,
    planned_at TEXT NOT NULL,
    PRIMARY KEY (rule, key)
);
CREATE INDEX callback_skips_due ON callback_skips(due_on)
""")


@migrations()
def m009_call_length(db):
    # 回访时间不宜过长: each call's length (seconds; its start is called_at), for the average
    # and longest call per specialist in the summary.
    db.execute("ALTER TABLE callback_calls ADD COLUMN duration_s INTEGER")


@migrations()
def m010_call_back_result(db):
    # "Call me back at 19:00 tomorrow": a call that reached the customer and booked the next
    # one at their time (result call_back).  SQLite cannot change a CHECK: the table is
    # rebuilt with the same columns and indexes (nothing references it).
    _run(db, """
CREATE TABLE callback_calls_new (
    id INTEGER PRIMARY KEY,
    task_id INTEGER NOT NULL REFERENCES callback_tasks(id) ON DELETE CASCADE,
    customer_id INTEGER REFERENCES customers(id) ON DELETE CASCADE,
    staff TEXT,
    called_at TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    result TEXT NOT NULL CHECK (result IN ('satisfied','neutral','dissatisfied','unreachable','call_back')),
    score INTEGER CHECK (score IS NULL OR score BETWEEN 0 AND 10),
    aspects TEXT,
    note TEXT,
    suggestion TEXT,
    complaint_ref TEXT,
    appointment_id INTEGER,
    portal_ref TEXT,
    source TEXT NOT NULL DEFAULT 'cli',
    import_key TEXT UNIQUE,
    created_at TEXT NOT NULL,
    duration_s INTEGER
);
INSERT INTO callback_calls_new (id, task_id, customer_id, staff, called_at, attempt, result, score, aspects, note,
    suggestion, complaint_ref, appointment_id, portal_ref, source, import_key, created_at, duration_s)
  SELECT id, task_id, customer_id, staff, called_at, attempt, result, score, aspects, note,
    suggestion, complaint_ref, appointment_id, portal_ref, source, import_key, created_at, duration_s
  FROM callback_calls;
DROP TABLE callback_calls;
ALTER TABLE callback_calls_new RENAME TO callback_calls;
CREATE INDEX callback_calls_at ON callback_calls(called_at);
CREATE INDEX callback_calls_task ON callback_calls(task_id);
CREATE INDEX callback_calls_customer ON callback_calls(customer_id)
""")


@migrations()
def m011_maintenance_visits_index(db):
    # The maintenance rule reads the maintenance visits of a few days (by months) and of the
    # last months with a mileage (by km) on every daily plan: from this index alone (the
    # order of visits_date_in for one type, with every column the rule reads, type too, or
    # SQLite 3.40 reads the table to check it), not from the table.
    db.execute("CREATE INDEX IF NOT EXISTS callbacks_visits_maintenance"
               " ON visits(date_in, customer_id, id, vehicle_id, mileage, type) WHERE type = 'maintenance'")


@migrations()
def m012_drop_indexes_the_core_has(db):
    # m003 put three indexes on core tables before the core had them; the core's own
    # (customers_birthday_md, vehicles_insurance, vehicles_inspection) are the same index, and
    # a second copy only costs every write of those tables.
    for name in ("callbacks_customers_birthday_md", "callbacks_vehicles_insurance", "callbacks_vehicles_inspection"):
        db.execute(f"DROP INDEX IF EXISTS {name}")
