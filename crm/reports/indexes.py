"""Indexes the reports and the agenda need for their date-range queries at scale.

The core has no hook for a core sub-package's migrations, so this set is not applied by
itself: the lead registers it in ``App.migration_sets()`` (``sets.append(reports_indexes)``
after the core set), or moves these statements into a core migration.  Until then every
report still works, only slower on a million customers; ``bench/report_bench.py`` applies
it to measure the target speed.
"""

from __future__ import annotations

from ..migrations import Migrations

migrations = Migrations("reports")

STATEMENTS = [
    # new customers per period (created_at is an ISO timestamp starting with the local date)
    "CREATE INDEX IF NOT EXISTS customers_created ON customers(created_at)",
    # birthdays of the day: the month-day part of the ISO birthday, per specialist
    "CREATE INDEX IF NOT EXISTS customers_birthday_md ON customers(substr(birthday, 6, 5))",
    # first contacts due per specialist (the same index the archive branch adds)
    "CREATE INDEX IF NOT EXISTS customers_first_contact_due ON customers(specialist_id, first_contact_due)",
    # visits by date in (进厂台次) — the core only indexes date_out
    "CREATE INDEX IF NOT EXISTS visits_date_in ON visits(date_in, type)",
    # calls per specialist and day
    "CREATE INDEX IF NOT EXISTS interactions_staff_at ON interactions(staff, at)",
    # appointments per status and time (the same index the archive branch adds)
    "CREATE INDEX IF NOT EXISTS appointments_status ON appointments(status, at)",
]


@migrations()
def m001_report_indexes(db):
    for statement in STATEMENTS:
        db.execute(statement)
