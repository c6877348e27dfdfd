"""Reading dealers' spreadsheets and CSV files, writing exports.

* :func:`crm.io.readers.read_table` — CSV/TSV (UTF-8, UTF-8 BOM, UTF-16,
  GB18030/GBK), XLSX and XLS; finds the header row, maps headers to fields,
  streams rows with their original row numbers.
* :mod:`crm.io.writers` — CSV (UTF-8 BOM or GB18030), XLSX, JSON, JSONL;
  formula-injection safe, mode 0600, atomic.
* :mod:`crm.io.aliases` — the default header aliases.

Every problem with a file as a whole is raised as :class:`FileProblem`.
"""

from __future__ import annotations

import os
from pathlib import Path

from typing import Any

__all__ = ["FileProblem", "read_table", "Table", "Row", "write_table"]

_LAZY = {
    "read_table": "readers",
    "Table": "readers",
    "Row": "readers",
    "write_table": "writers",
}


def __getattr__(name: str) -> Any:
    """``from crm.io import read_table`` imports only what it needs."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'crm.io' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"crm.io.{module}"), name)
    globals()[name] = value
    return value


class FileProblem(ValueError):
    """A file that cannot be read as a table (or written).

    The message is one line naming the file and, when known, the sheet and
    the row (1-based, as Excel shows it)::

        >>> str(FileProblem("客户.xlsx", "no header row found", sheet="Sheet1"))
        "客户.xlsx, sheet 'Sheet1': no header row found"
        >>> str(FileProblem("a.csv", "cannot decode as gb18030", row=12))
        'a.csv, row 12: cannot decode as gb18030'
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        message: str,
        *,
        row: int | None = None,
        sheet: str | None = None,
    ) -> None:
        self.path = Path(path)
        self.message = " ".join(str(message).split())
        self.row = row
        self.sheet = sheet
        where = os.fspath(path)
        if sheet is not None:
            where += f", sheet {sheet!r}"
        if row is not None:
            where += f", row {row}"
        super().__init__(f"{where}: {self.message}")
