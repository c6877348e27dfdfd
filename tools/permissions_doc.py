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


def current_table() -> str:
    """The table with the core's rows and the installed plugins' rows, config defaults."""
    from crm.context import App
    from crm.permissions import markdown_table

    app = App(environ={"CRM_CONFIG": str(ROOT / "no-such-config.toml")})
    return markdown_table(app.permissions)


def render(page: str, table: str) -> str:
    return re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _m: f"{START}\n{table}\n{END}", page, flags=re.S)


if __name__ == "__main__":
    page = TARGET.read_text(encoding="utf-8")
    if START not in page:
        sys.exit(f"{TARGET}: no {START} marker")
    TARGET.write_text(render(page, current_table()), encoding="utf-8")
