"""``--warehouse``: a PostgreSQL URL or a DuckDB file, opened by its engine."""

from __future__ import annotations

from pathlib import Path

from ..errors import BadInput


def is_postgres(target: str) -> bool:
    return str(target).startswith(("postgresql://", "postgres://"))


def open_warehouse(target: str, *, create: bool = False):
    """The engine for ``--warehouse``: a PostgreSQL URL or a DuckDB file."""
    if not target:
        raise BadInput("--warehouse: give a DuckDB file (group.duckdb) or a postgresql:// URL")
    if is_postgres(target):
        from .pg import Postgres

        return Postgres.connect(target)
    from .duck import Duck

    return Duck.open(Path(target), create=create)
