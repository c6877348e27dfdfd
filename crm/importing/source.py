"""Open a dealer's file as a table through the shared reader (:func:`crm.io.readers.read_table`).

The reader sniffs the kind (CSV/TSV, XLSX, XLS) and the encoding (UTF-8, BOM, GB18030/GBK),
finds the header row under title rows and merged cells, maps Chinese/English header aliases
to fields and streams the rows with their original row numbers.  This module adds what the
import commands need on top: ``--map`` parsing and checking, the fields an import knows,
one-line errors (exit 2) and a row-count estimate for the bulk strategy.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping

from ..errors import BadInput
from . import aliases


@dataclass
class Table:
    path: Path
    kind: str  # csv | xlsx | xls
    header_row: int  # 1-based
    fields: dict[str, str]  # field -> header text in the file
    ignored: list[str]  # headers not mapped to any field
    rows: Iterator[tuple[int, dict[str, Any]]]  # (row number, {field: raw cell or None})
    encoding: str | None = None
    sheet: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def footer_rows(self) -> list[tuple[int, str]]:
        """(row, text) of the totals/signature/note rows the reader skipped (crm.io.footer)."""
        return getattr(self.rows, "footer_rows", [])


class _Rows:
    """The rows of a table, and the footer rows skipped while reading them (filled as
    the rows are read; a worker process sends its list back, see crm.importing.pipeline)."""

    def __init__(self, rows: Iterator, footer_rows: list):
        self._rows, self.footer_rows = rows, footer_rows

    def __iter__(self):
        return iter(self._rows)


def _estimate_rows(path: Path, kind: str) -> int:
    """About how many rows the file holds (decides the bulk strategy; never exact)."""
    size = path.stat().st_size
    if kind == "csv":
        with open(path, "rb") as fh:
            head = fh.read(64 * 1024)
        lines = head.count(b"\n")
        return int(size / (len(head) / lines)) if lines else 1
    return size // 40  # XLSX: ~40 compressed bytes per row of a customer sheet


def open_table(path: str | os.PathLike, *, known_fields: set[str], required_any: tuple[str, ...],
               sheet: str | None = None, encoding: str | None = None,
               mapping: Mapping[str, str] | None = None) -> Table:
    """Open ``path``, find its header row and map its columns to ``known_fields``."""
    from crm.io import FileProblem
    from crm.io.readers import read_table

    mapping = dict(mapping or {})
    for target in mapping.values():
        if target not in ("", "-") and target not in known_fields:
            raise BadInput(f"--map: unknown field {target!r} (fields: {', '.join(sorted(known_fields))})")
    table_aliases = {f: names for f, names in aliases.table().items() if f in known_fields}
    chosen_sheet: str | int | None = sheet
    if sheet is not None and sheet.isdigit():
        chosen_sheet = int(sheet) - 1  # --sheet 1 is the first sheet
    try:
        t = read_table(path, sheet=chosen_sheet, header_aliases=table_aliases,
                       mapping={k: (None if v in ("", "-") else v) for k, v in mapping.items()},
                       encoding=encoding)
    except FileProblem as exc:
        raise BadInput(str(exc)) from None
    except LookupError:
        raise BadInput(f"unknown encoding {encoding!r} (try utf-8 or gb18030)") from None
    if t.unused_mapping:
        t.close()
        raise BadInput(f"{path}: --map names a column that is not in the header row (row {t.header_row}):"
                       f" {t.unused_mapping[0]!r}; headers: {', '.join(h for h in t.headers if h)}")
    fields = {f: h for h, f in t.mapping.items()}
    if not any(f in fields for f in required_any):
        t.close()
        raise BadInput(f"{path}: none of the columns {', '.join(required_any)} was found in the header row"
                       f" (row {t.header_row}); use --map HEADER=field")

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        try:
            for row in t:
                yield row.line, row.values
        except FileProblem as exc:
            raise BadInput(str(exc)) from None
        except UnicodeDecodeError as exc:
            raise BadInput(f"{path}: cannot be decoded as {t.encoding} ({exc.reason}); give --encoding") from None

    p = Path(path)
    return Table(path=p, kind=t.kind, header_row=t.header_row, fields=fields, ignored=list(t.unmapped),
                 rows=_Rows(rows(), t.footer_rows), encoding=t.encoding, sheet=t.sheet,
                 extra={"rows_estimate": _estimate_rows(p, t.kind)})


def parse_mapping(items: list[str] | None) -> dict[str, str]:
    """``["客户来源=source", "备注2=-"]`` → ``{"客户来源": "source", "备注2": "-"}``."""
    out: dict[str, str] = {}
    for item in items or []:
        if "=" not in item:
            raise BadInput(f"--map {item!r}: use HEADER=field, e.g. --map 客户来源=source")
        header, _, target = item.rpartition("=")
        if not header.strip():
            raise BadInput(f"--map {item!r}: the header is empty")
        out[header.strip()] = target.strip()
    return out
