"""The importer writes no core table itself: the archive's bulk writers do (issue 14)."""

from __future__ import annotations

import re
from pathlib import Path

import crm.importing

CORE = ("customers", "customer_phones", "customer_consents", "customer_tags", "vehicles", "vehicle_owners",
        "visits", "interactions", "appointments", "membership_cards", "audit_log")
WRITE = re.compile(r"\b(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+[\"'`]?(\w+)", re.I)


def test_no_sql_writes_a_core_table_under_crm_importing():
    found = []
    for path in sorted(Path(crm.importing.__file__).parent.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        found += [f"{path.name}: {m.group(0)}" for m in WRITE.finditer(text) if m.group(1).lower() in CORE]
    assert found == []


def test_the_check_sees_a_write():
    assert WRITE.search('conn.execute(f"UPDATE vehicles SET {x} WHERE id = ?")').group(1) == "vehicles"
    assert WRITE.search("INSERT OR IGNORE INTO customer_tags (customer_id, tag)").group(1) == "customer_tags"
