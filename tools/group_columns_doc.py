"""Write the exported columns of a group export into docs/group.md (run: python tools/group_columns_doc.py).

tests/group/test_group_docs.py fails when the page and crm/group/pseudonym.py disagree.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "docs" / "group.md"
START, END = "<!-- group-columns:start -->", "<!-- group-columns:end -->"


def current_table() -> str:
    """The table for a store with the built-in plugins, migrated in a temporary folder."""
    from crm.context import App
    from crm.group.export import columns_markdown

    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "config.toml"
        config.touch()
        app = App(environ={"CRM_DB": str(Path(folder) / "crm.db"), "CRM_CONFIG": str(config)})
        store = app.open_store(create=True)
        try:
            return columns_markdown(store.conn)
        finally:
            store.conn.close()


def render(page: str, table: str) -> str:
    return re.sub(re.escape(START) + r".*?" + re.escape(END), lambda _: f"{START}\n{table}\n{END}", page, flags=re.S)


def main() -> int:
    page = TARGET.read_text(encoding="utf-8")
    TARGET.write_text(render(page, current_table()), encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
