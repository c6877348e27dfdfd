"""Write the permission table into docs/privacy.md (run: python tools/permissions_doc.py).

tests/core/test_permissions.py fails when the page and crm/permissions.py disagree.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "docs" / "privacy.md"
START, END = "<!-- permissions:start -->", "<!-- permissions:end -->"


def default_table():
    """The permission table with the core's and the installed plugins' rows, config defaults."""
    import tempfile

    from crm.context import App

    with tempfile.TemporaryDirectory() as folder:
        empty = Path(folder) / "config.toml"
        empty.touch()
        return App(environ={"CRM_CONFIG": str(empty)}).permissions


def current_table() -> str:
    from crm.permissions import markdown_table

    return markdown_table(default_table())


def render(page: str, table: str) -> str:
    return re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _m: f"{START}\n{table}\n{END}", page, flags=re.S)


if __name__ == "__main__":
    page = TARGET.read_text(encoding="utf-8")
    if START not in page:
        sys.exit(f"{TARGET}: no {START} marker")
    TARGET.write_text(render(page, current_table()), encoding="utf-8")
