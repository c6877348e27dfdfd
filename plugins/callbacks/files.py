"""Writing exports: private (0600), atomic (temp file + os.replace), formula-safe cells."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable

from crm.errors import BadInput
from crm.api import cell_text, neutralise_formula


def safe_cell(value: Any) -> Any:
    """A value for a spreadsheet cell: numbers stay numbers, text cannot run as a formula."""
    if value is None or isinstance(value, bool):
        return cell_text(value) if isinstance(value, bool) else None
    if isinstance(value, (int, float)):
        return value
    return neutralise_formula(cell_text(value))


def unformula(value: Any) -> Any:
    """Undo :func:`safe_cell`'s apostrophe on the way back in."""
    if isinstance(value, str) and value.startswith("'") and len(value) > 1 and value[1] in "=+-@\t\r＝＋－＠":
        return value[1:]
    return value


def write_private(path: Path, write: Callable[[Path], None]) -> None:
    path = Path(path)
    if not path.parent.is_dir():
        raise BadInput(f"{path.parent}: no such folder")
    if path.is_dir():
        raise BadInput(f"{path}: is a folder")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_table(path: Path, headers: list[str], rows: list[list], sheet_title: str,
                validations: dict[int, list[str]] | None = None) -> None:
    """Rows to ``.xlsx`` (openpyxl) or ``.csv`` (UTF-8 with BOM for Excel), by extension."""
    suffix = Path(path).suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise BadInput(f"{path}: write a .xlsx or a .csv file")

    def to_csv(tmp: Path) -> None:
        import csv

        with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(headers)
            for row in rows:
                writer.writerow(["" if v is None else safe_cell(v) for v in row])

    def to_xlsx(tmp: Path) -> None:
        from openpyxl import Workbook
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter

        wb = Workbook()
        ws = wb.active
        ws.title = sheet_title
        ws.append(headers)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            ws.append([safe_cell(v) for v in row])
        for i, title in enumerate(headers, 1):
            ws.column_dimensions[get_column_letter(i)].width = max(10, min(40, len(title) * 2 + 4))
        ws.freeze_panes = "A2"
        for col, choices in (validations or {}).items():
            from openpyxl.worksheet.datavalidation import DataValidation

            letter = get_column_letter(col)
            dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True)
            ws.add_data_validation(dv)
            dv.add(f"{letter}2:{letter}{max(len(rows) + 1, 2)}")
        wb.save(tmp)

    write_private(path, to_xlsx if suffix == ".xlsx" else to_csv)
