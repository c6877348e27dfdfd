"""Writing CSV/XLSX exports (0600, atomic, formulas neutralised) and reading XLSX imports."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Sequence

from crm.errors import BadInput
from crm.api import cell_text, neutralise_formula

from .common import write_private


def csv_bytes(rows: Sequence[dict], columns: Sequence[str], headers: Sequence[str] | None = None) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(list(headers or columns))
    for row in rows:
        writer.writerow([neutralise_formula(cell_text(row.get(c))) for c in columns])
    return buffer.getvalue().encode("utf-8")


def write_table(path: Path, rows: Sequence[dict], columns: Sequence[str]) -> Path:
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.append(list(columns))
        for row in rows:
            sheet.append([neutralise_formula(cell_text(row.get(c))) for c in columns])
        buffer = io.BytesIO()
        book.save(buffer)
        return write_private(path, buffer.getvalue())
    return write_private(path, b"\xef\xbb\xbf" + csv_bytes(rows, columns))


def read_xlsx(path: Path) -> tuple[list[str], list[tuple[int, dict]]]:
    """The header row and ``(row number, {header: value})`` for every non-empty row."""
    path = Path(path)
    if not path.is_file():
        raise BadInput(f"{path}: no such file")
    try:
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zip errors, not a workbook
        raise BadInput(f"{path}: not an XLSX workbook ({type(exc).__name__})") from None
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if not header:
            raise BadInput(f"{path}: the first sheet is empty")
        names = [str(h).strip() if h is not None else "" for h in header]
        out = []
        for number, values in enumerate(rows, start=2):
            if values is None or all(v is None or str(v).strip() == "" for v in values):
                continue
            out.append((number, {names[i]: values[i] for i in range(min(len(names), len(values))) if names[i]}))
        return names, out
    finally:
        book.close()
