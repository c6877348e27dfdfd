"""docs/group.md lists the exported columns the code exports."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

import group_columns_doc  # noqa: E402


def test_the_columns_in_docs_group_are_the_columns_exported():
    page = (ROOT / "docs" / "group.md").read_text(encoding="utf-8")
    assert group_columns_doc.START in page
    assert group_columns_doc.render(page, group_columns_doc.current_table()) == page, \
        "docs/group.md is out of date: run python tools/group_columns_doc.py"
