"""Helpers of the import tests."""

from __future__ import annotations


def seed_sample_staff(crm) -> list[dict]:
    """Add the sample generator's active staff (the 专员 codes of its customer files)."""
    from crm.sampledata.generate import Generator

    staff = [s for s in Generator().staff() if s["active"]]
    for s in staff:
        crm("staff", "add", s["code"], "--name", s["name"], "--role", s["role"])
    return staff
