"""Export files through the shared writers (:mod:`crm.io.writers`: 0600, atomic, formula-safe)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, Sequence

from ..errors import BadInput

FORMATS = ("csv", "xlsx", "json", "jsonl")


def format_of(path: str | os.PathLike, explicit: str | None = None) -> str:
    fmt = (explicit or Path(path).suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise BadInput(f"{path}: unknown export format {fmt or '(none)'!r}; use .csv, .xlsx or .json")
    return fmt


def _cells(rows: Iterable[dict]) -> Iterable[dict]:
    for row in rows:
        yield {k: ("、".join(map(str, v)) if isinstance(v, (list, tuple)) else v) for k, v in row.items()}


def write_rows(path: str | os.PathLike, rows: Iterable[dict], *, columns: Sequence[str],
               headers: Sequence[str] | None = None, fmt: str | None = None) -> int:
    """Write ``rows`` (dicts) with ``columns`` titled ``headers``; returns the row count."""
    from crm.io import FileProblem
    from crm.io.writers import check_target, write_table

    check_target(path, None if fmt else tuple(f".{f}" for f in FORMATS))
    fmt = format_of(path, fmt)
    titles = list(headers or columns)
    try:
        if fmt in ("json", "jsonl"):
            renamed = ({t: row.get(c) for c, t in zip(columns, titles)} for row in rows)
            return write_table(path, renamed, titles, format=fmt)
        return write_table(path, _cells(rows), list(columns), titles=titles, format=fmt)
    except FileProblem as exc:
        raise BadInput(str(exc)) from None
