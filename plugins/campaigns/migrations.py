"""The campaigns plugin's tables, as ordered migrations (every table is named campaigns_*)."""

from crm.api import Migrations

migrations = Migrations("campaigns")


def _run(db, script: str) -> None:
    for statement in script.split(";\n"):
        if statement.strip():
            db.execute(statement)


@migrations()
def m001_segments_and_messages(db):
    _run(db, """
CREATE TABLE campaigns_segments (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    description TEXT,
    spec TEXT NOT NULL,
    created_by TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE campaigns_messages (
    id INTEGER PRIMARY KEY,
    dedupe_key TEXT NOT NULL UNIQUE,
    customer_id INTEGER REFERENCES customers(id) ON DELETE SET NULL,
    channel TEXT NOT NULL,
    to_addr TEXT,
    text TEXT,
    campaign TEXT NOT NULL,
    ref TEXT,
    status TEXT NOT NULL CHECK (status IN ('held','sent','no_sender','failed')),
    not_before TEXT,
    sent_at TEXT,
    delivery_ref TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX campaigns_messages_customer ON campaigns_messages(customer_id);
CREATE INDEX campaigns_messages_held ON campaigns_messages(status, not_before);
CREATE TABLE campaigns_outbox (
    id INTEGER PRIMARY KEY,
    message_id INTEGER REFERENCES campaigns_messages(id) ON DELETE SET NULL,
    channel TEXT NOT NULL,
    to_addr TEXT,
    text TEXT,
    file TEXT,
    created_at TEXT NOT NULL,
    written_at TEXT
);
CREATE INDEX campaigns_outbox_pending ON campaigns_outbox(written_at)
""")


@migrations()
def m002_events(db):
    _run(db, """
CREATE TABLE campaigns_events (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'event',
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    place TEXT NOT NULL,
    capacity INTEGER,
    description TEXT,
    template TEXT,
    status TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('planned','cancelled')),
    oem_ref TEXT UNIQUE,
    created_by TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE campaigns_invitations (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES campaigns_events(id) ON DELETE CASCADE,
    customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    channel TEXT NOT NULL,
    segment TEXT,
    invited_at TEXT NOT NULL,
    reply TEXT NOT NULL DEFAULT 'pending'
        CHECK (reply IN ('pending','accepted','waitlisted','declined','maybe','walk_in')),
    replied_at TEXT,
    waitlisted_at TEXT,
    reminded_at TEXT,
    checked_in_at TEXT,
    note TEXT,
    UNIQUE (event_id, customer_id)
);
CREATE INDEX campaigns_invitations_customer ON campaigns_invitations(customer_id)
""")


@migrations()
def m003_care(db):
    _run(db, """
CREATE TABLE campaigns_care_sends (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER REFERENCES customers(id) ON DELETE CASCADE,
    campaign TEXT NOT NULL,
    occasion TEXT NOT NULL,
    channel TEXT,
    message_id INTEGER,
    created_at TEXT NOT NULL,
    UNIQUE (customer_id, campaign, occasion)
);
CREATE TABLE campaigns_gifts (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER REFERENCES customers(id) ON DELETE CASCADE,
    campaign TEXT NOT NULL,
    occasion TEXT,
    gift TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('planned','given','cancelled')),
    given_on TEXT,
    given_by TEXT,
    note TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX campaigns_gifts_customer ON campaigns_gifts(customer_id)
""")


@migrations()
def m004_oem_campaigns(db):
    _run(db, """
CREATE TABLE campaigns_oem (
    id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    kind TEXT NOT NULL,
    title TEXT,
    description TEXT,
    starts_on TEXT,
    ends_on TEXT,
    deleted INTEGER NOT NULL DEFAULT 0,
    remote_updated_at TEXT,
    received_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE campaigns_oem_vins (
    id INTEGER PRIMARY KEY,
    campaign_id TEXT NOT NULL REFERENCES campaigns_oem(id) ON DELETE CASCADE,
    vin TEXT NOT NULL,
    vehicle_id INTEGER REFERENCES vehicles(id),
    customer_id INTEGER REFERENCES customers(id) ON DELETE SET NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','unmatched','completed','withdrawn')),
    outreach_ref TEXT,
    outreach_at TEXT,
    contact_outcome TEXT,
    contacted_at TEXT,
    completed_on TEXT,
    completed_ro TEXT,
    portal_ref TEXT,
    updated_at TEXT NOT NULL,
    UNIQUE (campaign_id, vin)
);
CREATE INDEX campaigns_oem_vins_vin ON campaigns_oem_vins(vin);
CREATE INDEX campaigns_oem_vins_customer ON campaigns_oem_vins(customer_id)
""")


@migrations()
def m005_surveys(db):
    _run(db, """
CREATE TABLE campaigns_surveys (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('sales_csi','service_csi','other')),
    channel TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT 'dealer',
    created_at TEXT NOT NULL
);
CREATE TABLE campaigns_survey_questions (
    id INTEGER PRIMARY KEY,
    survey_id INTEGER NOT NULL REFERENCES campaigns_surveys(id) ON DELETE CASCADE,
    code TEXT NOT NULL,
    position INTEGER NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('scale','choice','text')),
    text TEXT NOT NULL,
    choices TEXT,
    nps INTEGER NOT NULL DEFAULT 0,
    UNIQUE (survey_id, code)
);
CREATE TABLE campaigns_survey_sends (
    id INTEGER PRIMARY KEY,
    survey_id INTEGER NOT NULL REFERENCES campaigns_surveys(id) ON DELETE CASCADE,
    customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    channel TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    UNIQUE (survey_id, customer_id)
);
CREATE TABLE campaigns_survey_responses (
    id INTEGER PRIMARY KEY,
    survey_id INTEGER NOT NULL REFERENCES campaigns_surveys(id) ON DELETE CASCADE,
    customer_id INTEGER REFERENCES customers(id) ON DELETE SET NULL,
    vehicle_id INTEGER REFERENCES vehicles(id),
    visit_id INTEGER REFERENCES visits(id),
    advisor TEXT,
    channel TEXT,
    source TEXT NOT NULL,
    source_ref TEXT NOT NULL UNIQUE,
    version INTEGER NOT NULL DEFAULT 1,
    deleted INTEGER NOT NULL DEFAULT 0,
    answered_at TEXT NOT NULL,
    followup TEXT,
    followup_ref TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX campaigns_survey_responses_survey ON campaigns_survey_responses(survey_id, answered_at);
CREATE INDEX campaigns_survey_responses_customer ON campaigns_survey_responses(customer_id);
CREATE TABLE campaigns_survey_answers (
    response_id INTEGER NOT NULL REFERENCES campaigns_survey_responses(id) ON DELETE CASCADE,
    question_id INTEGER NOT NULL REFERENCES campaigns_survey_questions(id) ON DELETE CASCADE,
    value_num REAL,
    value_text TEXT,
    PRIMARY KEY (response_id, question_id)
) WITHOUT ROWID
""")


@migrations()
def m006_winback_and_referrals(db):
    _run(db, """
CREATE TABLE campaigns_runs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    segment TEXT NOT NULL,
    channel TEXT NOT NULL,
    template TEXT NOT NULL,
    offer TEXT,
    created_by TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE campaigns_run_targets (
    run_id INTEGER NOT NULL REFERENCES campaigns_runs(id) ON DELETE CASCADE,
    customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    sent_at TEXT NOT NULL,
    PRIMARY KEY (run_id, customer_id)
) WITHOUT ROWID;
CREATE TABLE campaigns_referrals (
    id INTEGER PRIMARY KEY,
    referrer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    referred_id INTEGER REFERENCES customers(id) ON DELETE SET NULL,
    referred_name TEXT,
    referred_phone TEXT,
    interest TEXT,
    referred_on TEXT NOT NULL,
    outcome TEXT NOT NULL DEFAULT 'open' CHECK (outcome IN ('open','contacted','visited','purchased','lost')),
    reward TEXT,
    note TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX campaigns_referrals_referrer ON campaigns_referrals(referrer_id);
CREATE INDEX campaigns_referrals_referred ON campaigns_referrals(referred_id)
""")


@migrations()
def m007_birthday_tail_index(db):
    # Today's birthdays for the agenda (sections.agenda_items reads substr(birthday, -5)):
    # an index lookup instead of a scan of the archive.
    db.execute("CREATE INDEX IF NOT EXISTS campaigns_customers_birthday_tail ON customers(substr(birthday, -5))")
