"""What the warehouse's modules share: the extra's imports, the bookkeeping table, a table file."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from ..errors import BadInput

#: the warehouse's own bookkeeping table: each (store, since, bookmark) loaded
LOADS = "_group_loads"
SYSTEM_COLUMNS = ("_store", "_op", "_version")
EXTRA_HINT = "crm group needs the 'group' extra: pip install 'crm[group]'"


def need(module: str):
    """Import one of the group extra's packages, or one line and exit 2."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise BadInput(EXTRA_HINT) from None


@dataclasses.dataclass(frozen=True)
class TableFile:
    """One table's Parquet file of an export, as its manifest describes it."""

    name: str
    path: Path
    rows: int
    key: tuple[str, ...]
    columns: tuple[str, ...]
