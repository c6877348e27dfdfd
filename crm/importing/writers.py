"""Write rows to CSV, XLSX or JSON: mode 0600, atomic (temp file + ``os.replace``), and every
text cell that a spreadsheet would evaluate (= + - @, their full-width forms, tab/CR) is
neutralised with a leading ``'``."""

from __future__ import annotations

import csv
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Iterable, Sequence

from ..errors import BadInput

FORMATS = ("csv", "xlsx", "json", "jsonl")
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def neutralise(value: Any) -> Any:
    """``'=cmd|…`` for a formula-like text; numbers (also ``-12``) and other text unchanged."""
    if isinstance(value, str) and value.startswith(_DANGEROUS):
        try:
            float(value)
            return value
        except ValueError:
            return "'" + value
    return value


def format_of(path: str | os.PathLike, explicit: str | None = None) -> str:
    fmt = (explicit or Path(path).suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise BadInput(f"{path}: unknown export format {fmt or '(none)'!r}; use .csv, .xlsx or .json")
    return fmt


def _cell(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        value = "、".join(str(v) for v in value)
    elif isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False)
    return neutralise(value)


def write_rows(path: str | os.PathLike, rows: Iterable[dict], *, columns: Sequence[str],
               headers: Sequence[str] | None = None, fmt: str | None = None) -> int:
    """Write ``rows`` (dicts) to ``path``; returns the number of rows written."""
    path = Path(path)
    fmt = format_of(path, fmt)
    headers = list(headers or columns)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise BadInput(f"{path}: folder {folder} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    os.fchmod(fd, 0o600)
    count = 0
    try:
        if fmt == "xlsx":
            os.close(fd)
            from openpyxl import Workbook

            book = Workbook(write_only=True)
            sheet = book.create_sheet("data")
            sheet.append(headers)
            for row in rows:
                sheet.append([_cell(row.get(c)) for c in columns])
                count += 1
            book.save(tmp)
        else:
            with os.fdopen(fd, "w", encoding="utf-8-sig" if fmt == "csv" else "utf-8", newline="") as fh:
                if fmt == "csv":
                    writer = csv.writer(fh)
                    writer.writerow(headers)
                    for row in rows:
                        writer.writerow(["" if (v := _cell(row.get(c))) is None else v for c in columns])
                        count += 1
                elif fmt == "jsonl":
                    for row in rows:
                        fh.write(json.dumps({h: row.get(c) for c, h in zip(columns, headers)},
                                            ensure_ascii=False, default=str) + "\n")
                        count += 1
                else:
                    fh.write("[")
                    for row in rows:
                        fh.write(",\n" if count else "\n")
                        fh.write(json.dumps({h: row.get(c) for c, h in zip(columns, headers)},
                                            ensure_ascii=False, default=str))
                        count += 1
                    fh.write("\n]\n")
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return count
