"""Open a dealer's file as a table: which row holds the headers, which column is which field.

A :class:`Table` streams ``(row_number, cells)`` where ``row_number`` is the row as the
dealer sees it (1-based, as Excel or a text editor shows it) and ``cells`` is the list of
raw cell values (strings from CSV; str/float/int/date from a workbook).

The header row need not be the first row: the first 30 non-blank rows are scored by how
many cells are known header names (aliases, see :mod:`crm.importing.aliases`), and the
best one wins (title rows and the merged group headers above the real headers lose).
"""

from __future__ import annotations

import codecs
import csv
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping

from ..errors import BadInput
from . import aliases

HEADER_SCAN_ROWS = 30
SAMPLE = 64 * 1024

csv.field_size_limit(16 * 1024 * 1024)


@dataclass
class Table:
    path: Path
    kind: str  # csv | xlsx | xls
    header_row: int  # 1-based
    headers: list[str]
    columns: dict[int, str]  # column index -> field
    ignored: list[str]  # headers not mapped to any field
    rows: Iterator[tuple[int, list[Any]]]
    encoding: str | None = None
    sheet: str | None = None
    size: int = 0
    extra: dict = field(default_factory=dict)

    def header_of(self, fieldname: str) -> str:
        for idx, f in self.columns.items():
            if f == fieldname:
                return self.headers[idx]
        return fieldname


def _problem(path: Path, message: str, row: int | None = None, sheet: str | None = None) -> BadInput:
    where = str(path)
    if sheet:
        where += f", sheet {sheet!r}"
    if row:
        where += f", row {row}"
    return BadInput(f"{where}: {message}")


# ----------------------------------------------------------------------------- kinds
def file_kind(path: Path, head: bytes) -> str:
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"  # (not a zip: calamine will say why)
    if suffix == ".xls" and not head[:200].lstrip().startswith(b"<"):
        return "xls"
    return "csv"


def detect_encoding(head: bytes) -> str:
    """utf-8-sig for a BOM, utf-16 for its BOMs, utf-8 when it decodes, else gb18030."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("gb18030")().decode(head, final=False)
        return "gb18030"
    except UnicodeDecodeError:
        raise BadInput("the file is neither UTF-8 nor GB18030/GBK text; give --encoding") from None


def detect_delimiter(text: str) -> str:
    lines = [ln for ln in text.splitlines()[:30] if ln.strip()]
    best, score = ",", 0
    for delim in (",", "\t", ";", "|"):
        counts = [ln.count(delim) for ln in lines]
        if not counts:
            continue
        top = max(counts)
        # the delimiter appears often on the many lines (header rows may have a title above)
        s = sorted(counts)[len(counts) // 2] * 2 + top
        if s > score:
            best, score = delim, s
    return best


# ----------------------------------------------------------------------------- raw rows
def _csv_rows(path: Path, encoding: str | None, head: bytes) -> tuple[Iterator[tuple[int, list]], str]:
    enc = encoding or detect_encoding(head)
    if enc.lower().replace("_", "-") in ("gbk", "gb2312", "cp936"):
        enc = "gb18030"  # a superset: never fails where GBK works
    try:
        codecs.lookup(enc)
    except LookupError:
        raise BadInput(f"unknown encoding {encoding!r} (try utf-8, gb18030)") from None
    try:
        sample = head.decode(enc, errors="ignore")
    except LookupError:  # pragma: no cover
        sample = ""
    delimiter = detect_delimiter(sample)

    def rows():
        try:
            with open(path, encoding=enc, newline="") as fh:
                reader = csv.reader(fh, delimiter=delimiter)
                line = 1
                for cells in reader:
                    yield line, cells
                    line = reader.line_num + 1
        except UnicodeDecodeError as exc:
            raise _problem(path, f"cannot be read as {enc} ({exc.reason}); give --encoding") from None
        except csv.Error as exc:
            raise _problem(path, f"broken CSV: {exc}") from None

    return rows(), enc


def _workbook_rows(path: Path, sheet: str | None) -> tuple[Iterator[tuple[int, list]], str, int]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types
        raise _problem(path, f"cannot be read as a workbook ({type(exc).__name__}: {exc})") from None
    names = book.sheet_names
    if not names:
        raise _problem(path, "the workbook has no sheets")
    if sheet is None:
        chosen = names[0]
    elif sheet in names:
        chosen = sheet
    elif sheet.isdigit() and 1 <= int(sheet) <= len(names):
        chosen = names[int(sheet) - 1]
    else:
        raise _problem(path, f"no sheet {sheet!r} (sheets: {', '.join(names)})")
    ws = book.get_sheet_by_name(chosen)
    start = ws.start[0] if ws.start else 0

    def rows():
        for i, cells in enumerate(ws.iter_rows()):
            yield start + i + 1, cells

    return rows(), chosen, ws.height


def _estimate_rows(path: Path, kind: str, head: bytes, height: int | None) -> int:
    """About how many rows the file holds (decides the bulk strategy; never exact)."""
    if height is not None:
        return int(height)
    lines = head.count(b"\n")
    if not lines:
        return 1
    return int(path.stat().st_size / (len(head) / lines))


def _blank(cells: list) -> bool:
    for c in cells:
        if c is not None and c != "" and (not isinstance(c, str) or c.strip()):
            return False
    return True


# ----------------------------------------------------------------------------- header
def _score(cells: list, index: Mapping) -> int:
    return sum(1 for c in cells if isinstance(c, str) and aliases.lookup(index, c) is not None)


def map_columns(headers: list[str], index: Mapping, mapping: Mapping[str, str], known: set[str],
                path: Path) -> tuple[dict[int, str], list[str]]:
    """``{column index: field}`` and the headers left unmapped; ``mapping`` (from --map) wins."""
    wanted = {aliases.header_key(k): v for k, v in mapping.items()}
    columns: dict[int, str] = {}
    ranks: dict[str, tuple[int, int]] = {}  # field -> (rank, column)
    ignored: list[str] = []
    for i, h in enumerate(headers):
        key = aliases.header_key(h)
        if not key:
            continue
        if key in wanted:
            fieldname = wanted[key]
            if fieldname in ("", "-"):
                ignored.append(h)
                continue
            rank = -1
        else:
            hit = aliases.lookup(index, h)
            if hit is None or hit[0] not in known:
                ignored.append(h)
                continue
            fieldname, rank = hit
        if fieldname in ranks:
            prev_rank, prev_col = ranks[fieldname]
            overflow = aliases.OVERFLOW.get(fieldname)
            loser = i if rank >= prev_rank else prev_col
            if rank < prev_rank:
                columns[i] = fieldname
                ranks[fieldname] = (rank, i)
            if overflow and overflow not in ranks and overflow in known:
                columns[loser] = overflow
                ranks[overflow] = (99, loser)
            elif rank == -1 and prev_rank == -1:
                raise _problem(path, f"--map gives field {fieldname!r} to two columns")
            else:
                columns.pop(loser, None)
                ignored.append(headers[loser])
            continue
        columns[i] = fieldname
        ranks[fieldname] = (rank, i)
    unknown = [k for k, v in wanted.items() if v not in ("", "-") and not any(
        aliases.header_key(h) == k for h in headers)]
    if unknown:
        raise _problem(path, f"--map names a column that is not in the header row: {unknown[0]!r}"
                             f" (headers: {', '.join(h for h in headers if h)})")
    return columns, ignored


def open_table(path: str | os.PathLike, *, known_fields: set[str], required_any: tuple[str, ...],
               sheet: str | None = None, encoding: str | None = None,
               mapping: Mapping[str, str] | None = None) -> Table:
    """Open ``path``, find its header row and map its columns to ``known_fields``."""
    path = Path(path)
    if not path.exists():
        raise BadInput(f"{path}: no such file")
    if path.is_dir():
        raise BadInput(f"{path}: is a folder, not a file")
    mapping = dict(mapping or {})
    for target in mapping.values():
        if target not in ("", "-") and target not in known_fields:
            raise BadInput(f"--map: unknown field {target!r} (fields: {', '.join(sorted(known_fields))})")
    with open(path, "rb") as fh:
        head = fh.read(SAMPLE)
    if not head.strip():
        raise BadInput(f"{path}: the file is empty")
    kind = file_kind(path, head)
    used_encoding = None
    used_sheet = None
    raw_height = None
    if kind == "csv":
        raw, used_encoding = _csv_rows(path, encoding, head)
    else:
        raw, used_sheet, raw_height = _workbook_rows(path, sheet)
    index = aliases.index()
    extra_keys = {aliases.header_key(k) for k in mapping}

    # Score the first non-blank rows; the best-scoring one is the header row.
    buffered: list[tuple[int, list]] = []
    best = (-1, -1)
    for rownum, cells in raw:
        if _blank(cells):
            continue
        buffered.append((rownum, cells))
        s = _score(cells, index) + sum(1 for c in cells if isinstance(c, str)
                                       and aliases.header_key(c) in extra_keys)
        if s > best[0]:
            best = (s, len(buffered) - 1)
        if len(buffered) >= HEADER_SCAN_ROWS:
            break
    if not buffered:
        raise _problem(path, "no rows", sheet=used_sheet)
    if best[0] < 1:
        raise _problem(path, "no header row found in the first rows (expected headers such as 姓名, 手机, VIN;"
                             " use --map HEADER=field)", sheet=used_sheet)
    header_at = best[1]
    header_row, header_cells = buffered[header_at]
    headers = ["" if c is None else str(c).strip() for c in header_cells]
    columns, ignored = map_columns(headers, index, mapping, known_fields, path)
    if not any(f in columns.values() for f in required_any):
        raise _problem(path, f"none of the columns {', '.join(required_any)} was found in the header row"
                             f" (row {header_row}); use --map HEADER=field", sheet=used_sheet)
    rest = buffered[header_at + 1:]

    def rows():
        for rownum, cells in rest:
            yield rownum, cells
        for rownum, cells in raw:
            if not _blank(cells):
                yield rownum, cells

    return Table(path=path, kind=kind, header_row=header_row, headers=headers, columns=columns,
                 ignored=ignored, rows=rows(), encoding=used_encoding, sheet=used_sheet,
                 size=path.stat().st_size,
                 extra={"rows_estimate": _estimate_rows(path, kind, head, raw_height)})


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
