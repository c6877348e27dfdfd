"""Writing exports through the core's checked private atomic writer; formula-safe cells."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from crm.api import atomic_write, cell_text, check_target, display_width, neutralise_formula


def safe_cell(value: Any) -> Any:
    """A value for a spreadsheet cell: numbers stay numbers, text cannot run as a formula."""
    if value is None or isinstance(value, bool):
        return cell_text(value) if isinstance(value, bool) else None
    if isinstance(value, (int, float)):
        return value
    return neutralise_formula(cell_text(value))


def unformula(value: Any) -> Any:
    """Undo :func:`safe_cell`'s apostrophe on the way back in (exactly the one it added)."""
    if isinstance(value, str) and value.startswith("'") and neutralise_formula(value[1:]) == value:
        return value[1:]
    return value


def write_table(path: Path, headers: list[str], rows: list[list], sheet_title: str,
                validations: dict[int, list[str]] | None = None) -> None:
    """Rows to ``.xlsx`` (openpyxl) or ``.csv`` (UTF-8 with BOM for Excel), by extension,
    through the core's one checked private atomic writer."""
    check_target(path, (".xlsx", ".csv"))
    suffix = Path(path).suffix.lower()

    if suffix == ".csv":
        import csv

        with atomic_write(path, "w", suffixes=(".csv",), encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(headers)
            for row in rows:
                writer.writerow(["" if v is None else safe_cell(v) for v in row])
        return

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
        ws.column_dimensions[get_column_letter(i)].width = max(10, min(40, display_width(title) + 4))
    ws.freeze_panes = "A2"
    for col, choices in (validations or {}).items():
        from openpyxl.worksheet.datavalidation import DataValidation

        letter = get_column_letter(col)
        dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True)
        ws.add_data_validation(dv)
        dv.add(f"{letter}2:{letter}{max(len(rows) + 1, 2)}")
    with atomic_write(path, "wb", suffixes=(".xlsx",)) as fh:
        wb.save(fh)
