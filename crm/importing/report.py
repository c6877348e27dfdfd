"""The reject report (row, column, value, reason) and the summary of an import."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Rejects kept in memory for the report (a file with more bad rows is counted, not listed).
MAX_REJECTS = 100_000
#: Planned changes kept for --dry-run's listing.
MAX_CHANGES = 1_000
REPORT_COLUMNS = ("row", "column", "field", "value", "reason")


@dataclass
class Reject:
    row: int
    column: str
    field: str
    value: Any
    reason: str

    def as_dict(self) -> dict:
        value = self.value
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return {"row": self.row, "column": self.column, "field": self.field,
                "value": "" if value is None else str(value), "reason": self.reason}


@dataclass
class Summary:
    file: str
    kind: str
    sheet: str | None = None
    encoding: str | None = None
    header_row: int = 0
    rows_read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    rejected: int = 0
    vehicles_inserted: int = 0
    vehicles_updated: int = 0
    #: cells that would have lifted a do-not-contact or re-granted a withdrawn consent (kept)
    kept_stricter: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    #: "3 footer rows: row 102 合计：10 条; …" (totals, signatures, notes under the table)
    skipped: str = ""
    dry_run: bool = False
    written: bool = False
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def footer_note(footer_rows: list[tuple[int, str]], shown: int = 3) -> str:
    """``[(102, "合计：10 条"), …]`` → ``"2 footer rows: row 102 合计：10 条; row 103 制表人：王芳"``."""
    if not footer_rows:
        return ""
    n = len(footer_rows)
    listed = "; ".join(f"row {row} {text[:40]}" for row, text in footer_rows[:shown])
    return f"{n} footer row{'s' if n != 1 else ''}: {listed}" + ("; …" if n > shown else "")


class Report:
    """Rejected rows and the planned/applied changes of one import."""

    def __init__(self):
        self.rejects: list[Reject] = []
        self.rejected_rows: set[int] = set()
        self.changes: list[dict] = []
        self.lost = 0

    def reject(self, row: int, column: str, fieldname: str, value: Any, reason: str) -> None:
        self.rejected_rows.add(row)
        if len(self.rejects) < MAX_REJECTS:
            self.rejects.append(Reject(row, column, fieldname, value, reason))
        else:
            self.lost += 1

    @property
    def rejected(self) -> int:
        return len(self.rejected_rows)

    def change(self, row: int, action: str, entity: str, ident: Any, fields: list[str] | None = None) -> None:
        if len(self.changes) < MAX_CHANGES:
            self.changes.append({"row": row, "action": action, "entity": entity, "id": ident,
                                 "fields": ", ".join(fields or [])})

    def rows(self) -> list[dict]:
        return [r.as_dict() for r in self.rejects]


def save_report(path: str, report: Report) -> None:
    """Write the reject report as CSV (UTF-8 with BOM for Excel), 0600, atomically."""
    from .writers import write_rows

    write_rows(path, report.rows(), columns=list(REPORT_COLUMNS))
