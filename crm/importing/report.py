"""The reject report (row, column, value, reason) and the summary of an import."""

from __future__ import annotations

import contextlib
import errno
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Iterator

#: Rejects kept in memory: the terminal lists 30 of them, --format json/jsonl/csv these; the
#: --report file gets every one, streamed to a spool file beside it as they are found.
SAMPLE = 1_000
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
    """Rejected rows and the planned/applied changes of one import.

    With a *path* (``--report``) every reject is streamed to an anonymous spool file in the
    report's folder as it is found (memory stays flat however many rows are bad, and a full
    disk shows up while the import can still roll back); :meth:`save` writes the report
    from it through the checked atomic writer.  In memory: the first ``SAMPLE`` rejects.
    """

    def __init__(self, path: str | None = None):
        self.path = path
        self.rejects: list[Reject] = []
        self.problems = 0
        self.rejected_rows: set[int] = set()
        self.changes: list[dict] = []
        self._spool: IO[str] | None = None

    def reject(self, row: int, column: str, fieldname: str, value: Any, reason: str) -> None:
        self.rejected_rows.add(row)
        self.problems += 1
        item = Reject(row, column, fieldname, value, reason)
        if len(self.rejects) < SAMPLE:
            self.rejects.append(item)
        if self.path is not None:
            try:
                if self._spool is None:
                    import tempfile

                    self._spool = tempfile.TemporaryFile("w+", encoding="utf-8", dir=Path(self.path).parent or ".")
                d = item.as_dict()
                self._spool.write(json.dumps([d[c] for c in REPORT_COLUMNS], ensure_ascii=False) + "\n")
            except OSError as exc:
                self._full(exc)

    @property
    def lost(self) -> int:
        """Rejects not kept in memory (they are in the --report file)."""
        return self.problems - len(self.rejects)

    @property
    def rejected(self) -> int:
        return len(self.rejected_rows)

    def change(self, row: int, action: str, entity: str, ident: Any, fields: list[str] | None = None) -> None:
        if len(self.changes) < MAX_CHANGES:
            self.changes.append({"row": row, "action": action, "entity": entity, "id": ident,
                                 "fields": ", ".join(fields or [])})

    def rows(self) -> list[dict]:
        """The sample kept in memory (all rejects when there are at most ``SAMPLE``)."""
        return [r.as_dict() for r in self.rejects]

    def _all(self) -> Iterator[dict]:
        if self._spool is None:
            return
        self._spool.flush()
        self._spool.seek(0)
        for line in self._spool:
            yield dict(zip(REPORT_COLUMNS, json.loads(line)))

    def save(self) -> None:
        """Write the --report file (every reject; CSV with BOM for Excel, or by extension),
        0600 and atomically.  The importers call it inside their transaction, before the
        commit: a report that cannot be written (full disk: exit 75) rolls the import back."""
        if self.path is None:
            return
        from .writers import write_rows

        from ..errors import TemporaryFailure

        try:
            write_rows(self.path, self._all(), columns=list(REPORT_COLUMNS))
        except OSError as exc:
            self._full(exc)
        except TemporaryFailure:  # the writer's "disk is full": say what it means here
            self._full(OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))
        finally:
            if self._spool is not None:
                with contextlib.suppress(OSError):
                    self._spool.close()
                self._spool = None

    def _full(self, exc: OSError) -> None:
        from ..errors import TemporaryFailure

        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            raise TemporaryFailure(f"{self.path}: the disk is full while writing the reject report "
                                   f"({exc.strerror}); nothing was imported or written") from None
        raise exc
