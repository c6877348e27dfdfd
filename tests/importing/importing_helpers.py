"""Helpers of the import tests."""

from __future__ import annotations


def seed_sample_staff(crm) -> list[dict]:
    """Add the sample generator's active staff (the 专员 codes of its customer files)."""
    from crm.sampledata.generate import Generator

    staff = [s for s in Generator().staff() if s["active"]]
    for s in staff:
        crm(*_as_manager(crm), "staff", "add", s["code"], "--name", s["name"], "--role", s["role"])
    return staff


def _as_manager(crm) -> tuple:
    """After first-time setup only a manager (or IT) adds staff: act as the first one added."""
    has_staff = crm.db_path.exists() and crm.sql("SELECT 1 FROM sqlite_master WHERE name = 'staff'")
    row = crm.sql("SELECT code FROM staff WHERE role IN ('manager', 'it') AND active ORDER BY id LIMIT 1") \
        if has_staff else []
    return ("--as", row[0][0]) if row else ()
