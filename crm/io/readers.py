"""Read a dealer's table (CSV/TSV, XLSX, XLS) as a stream of mapped rows.

    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "客户.csv"
    >>> _ = p.write_text(
    ...     "XX宝马4S店客户档案 2025年\\n\\n客户姓名,手机号码*,车牌号,爱好\\n张三,138 1234 5678,京A12345,高尔夫\\n",
    ...     encoding="gbk")
    >>> with read_table(p) as t:
    ...     print(t.encoding, t.header_row, t.mapping, t.unmapped)
    ...     for row in t:
    ...         print(row.line, row.values, row.extra)
    gb18030 3 {'客户姓名': 'name', '手机号码*': 'mobile', '车牌号': 'plate'} ['爱好']
    4 {'name': '张三', 'mobile': '138 1234 5678', 'plate': '京A12345'} {'爱好': '高尔夫'}

What it does:

* **File type by content**, not extension: zip → XLSX (calamine; openpyxl
  when calamine is missing or cannot read the file), OLE2 → XLS (calamine;
  xlrd likewise), text → CSV/TSV.
  HTML saved as ``.xls``, PDFs, images, Word files, empty files → a
  :class:`~crm.io.FileProblem` with a one-line reason.
* **Encoding** (text): BOM (UTF-8, UTF-16), then strict UTF-8, then
  GB18030 (superset of GBK/GB2312) if the result looks like Chinese text;
  otherwise a FileProblem asking for UTF-8 or an explicit ``encoding``.
* **Delimiter**: ``,``, tab, ``;`` or ``|``, the one that splits the first
  lines most consistently.
* **Header row**: among the first 20 non-blank rows, the one matching the
  most known header aliases (at least 2, or all of its non-empty cells);
  title rows, notes, blank rows and merged title cells above it are skipped.
* **Rows**: fully blank rows and repeated header rows are skipped; each row
  carries its original 1-based row number (the Excel row, or the CSV record
  number, which is what Excel shows for a CSV).  Values are raw: strings as
  in the file (empty → None), numbers from Excel as int (whole) or float,
  dates as ``date``/``datetime``.  Normalize them with :mod:`crm.values`.
* **Merged cells** (XLSX/XLS): a cell merged *vertically* (e.g. one
  customer's name spanning their two vehicles' rows) gives its value to every
  row of the merge; horizontal merges are not copied sideways.
* **Streaming**: CSV rows are read lazily, memory stays flat for any size.
  XLSX/XLS sheets are loaded by calamine's Rust reader (compact, but the
  sheet is in memory: an Excel sheet has at most 1,048,576 rows).
"""

from __future__ import annotations

import codecs
import csv
import datetime as _dt
import itertools
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from collections.abc import Callable, Iterable, Iterator, Mapping

from crm.io import FileProblem
from crm.io import aliases as _aliases
from crm.io.footer import FooterWatch
from crm.io.sniff import SAMPLE_SIZE, UnknownEncoding, detect_delimiter, detect_encoding, sniff_kind

__all__ = ["read_table", "Table", "Row", "HEADER_SCAN_ROWS", "column_letter"]

#: How many non-blank rows are searched for the header row.
HEADER_SCAN_ROWS = 20
_MAX_BLANK_SCAN = 1000  # physical rows searched at most

RawRows = Iterator[tuple[int, list[Any]]]


def column_letter(index: int) -> str:
    """Excel column letter of a 0-based column index.

    >>> column_letter(0), column_letter(25), column_letter(26), column_letter(701)
    ('A', 'Z', 'AA', 'ZZ')
    """
    s = ""
    index += 1
    while index:
        index, r = divmod(index - 1, 26)
        s = chr(65 + r) + s
    return s


@dataclass(slots=True)
class Row:
    """One data row: ``line`` is its row number in the file (1-based),
    ``values`` maps every mapped field to the raw cell (None when empty),
    ``extra`` holds the non-empty cells of unmapped columns by header."""

    line: int
    values: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def get(self, key: str, default: Any = None) -> Any:
        v = self.values.get(key)
        return default if v is None else v


class Table:
    """A table being read.  Iterate it (once) for :class:`Row` objects; use it
    as a context manager (or call :meth:`close`) to release the file.

    Attributes: ``path``, ``kind`` (csv/xlsx/xls), ``sheet`` (sheet name or
    None), ``sheets`` (all sheet names), ``encoding`` and ``delimiter`` (CSV),
    ``header_row`` (1-based), ``headers`` (header cells as in the file, ""
    for blank ones), ``mapping`` (header → field, in column order),
    ``columns`` (field → column letter), ``unmapped`` (headers of unmapped
    columns), ``unused_mapping`` (keys of the ``mapping`` argument that
    matched no column), ``rows_read`` (data rows yielded so far), ``footer_rows``
    (``(row, text)`` of the totals/signature/note rows skipped so far, see
    :mod:`crm.io.footer`).
    """

    def __init__(
        self,
        *,
        path: Path,
        kind: str,
        sheet: str | None,
        sheets: list[str],
        encoding: str | None,
        delimiter: str | None,
        header_row: int,
        headers: list[str],
        fields: list[str | None],
        extra_names: list[str | None],
        unused_mapping: list[str],
        rows: Iterator[tuple[int, list[Any]]],
        close: Callable[[], None],
        col_offset: int = 0,
    ) -> None:
        self.path = path
        self.kind = kind
        self.sheet = sheet
        self.sheets = sheets
        self.encoding = encoding
        self.delimiter = delimiter
        self.header_row = header_row
        self.headers = headers
        self._fields = fields
        self._extra_names = extra_names
        self.mapping = {headers[i]: f for i, f in enumerate(fields) if f is not None}
        self.columns = {f: column_letter(i + col_offset) for i, f in enumerate(fields) if f is not None}
        self.unmapped = [h for h, f, x in zip(headers, fields, extra_names) if f is None and x is not None and h]
        self.unused_mapping = unused_mapping
        self.rows_read = 0
        #: (row, text) of the rows skipped under the table: totals, signatures, notes (crm.io.footer)
        self.footer_rows: list[tuple[int, str]] = []
        self._rows = rows
        self._close = close
        self._col0 = col_offset
        self._iterated = False

    @property
    def fields(self) -> list[str]:
        """Mapped fields in column order."""
        return [f for f in self._fields if f is not None]

    def __iter__(self) -> Iterator[Row]:
        if self._iterated:
            raise RuntimeError("a Table can be iterated only once")
        self._iterated = True
        return self._generate()

    def _generate(self) -> Iterator[Row]:
        fields, extra_names = self._fields, self._extra_names
        width = len(fields)
        col0 = self._col0
        headers = self.headers
        first = next((i for i, f in enumerate(fields) if f is not None), 0)
        probe = headers[first] if headers else None
        # a row exactly as wide as the header (nearly every row) is mapped by these lists
        mapped = [(i, f) for i, f in enumerate(fields) if f is not None]
        named = [(i, n) for i, (f, n) in enumerate(zip(fields, extra_names)) if f is None and n is not None]
        complete = len({f for _, f in mapped}) == len(mapped)
        footer = FooterWatch()
        after_blank = False
        try:
            for line, cells in self._rows:
                if _blank(cells):
                    after_blank = True
                    continue
                if footer.is_footer(cells, after_blank=after_blank):
                    text = " ".join(str(c).strip() for c in cells if c is not None and str(c).strip())
                    self.footer_rows.append((line, text))
                    continue
                after_blank = False
                if (
                    len(cells) > first
                    and type(cells[first]) is str
                    and cells[first].strip() == probe
                    and ["" if c is None else str(c).strip() for c in cells[:width]] == headers
                ):
                    continue  # header repeated (multi-page exports)
                values: dict[str, Any] = {}
                extra: dict[str, Any] = {}
                if len(cells) == width and complete:
                    for i, f in mapped:
                        cell = cells[i]
                        if cell == "" or (type(cell) is str and cell.isspace()):
                            cell = None
                        values[f] = cell
                    for i, name in named:
                        cell = cells[i]
                        if cell is not None and cell != "" and not (type(cell) is str and cell.isspace()):
                            extra[name] = cell
                    self.rows_read += 1
                    yield Row(line, values, extra)
                    continue
                for i, cell in enumerate(cells):
                    if cell == "" or (type(cell) is str and cell.isspace()):
                        cell = None
                    if i < width:
                        f = fields[i]
                        if f is not None:
                            values[f] = cell
                            continue
                        name = extra_names[i]
                        if name is None:
                            continue
                    else:
                        name = f"column {column_letter(i + col0)}"
                    if cell is not None:
                        extra[name] = cell
                for f in fields:
                    if f is not None and f not in values:
                        values[f] = None
                self.rows_read += 1
                yield Row(line, values, extra)
        finally:
            self.close()

    def close(self) -> None:
        """Release the file; safe to call more than once."""
        close, self._close = self._close, lambda: None
        close()

    def __enter__(self) -> Table:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        where = f", sheet={self.sheet!r}" if self.sheet else ""
        return f"<Table {os.fspath(self.path)!r}{where} header_row={self.header_row} fields={self.fields}>"


def _blank(cells: list[Any]) -> bool:
    for c in cells:
        if c is None or c == "":
            continue
        if type(c) is str and (c.isspace() or not c.strip("\u200b\ufeff\u3000\u00a0 \t")):
            continue
        return False
    return True


# ---------------------------------------------------------------- header row


@dataclass
class _Header:
    line: int
    cells: list[Any]
    fields: list[str | None]
    extra_names: list[str | None]
    unused: list[str]
    buffered: list[tuple[int, list[Any]]]  # rows after the header, read ahead


def _expected(aliases: Mapping[str, Iterable[str]]) -> str:
    shown = []
    for f in ("name", "mobile", "plate", "vin", "ro_number"):
        if f in aliases:
            shown.extend(list(aliases[f])[:2])
    if not shown:
        for names in aliases.values():
            shown.extend(list(names)[:1])
    return ", ".join(shown[:10])


def _find_header(
    path: Path,
    rows: RawRows,
    aliases: Mapping[str, Iterable[str]],
    mapping: Mapping[str, str | None] | None,
    sheet: str | None,
    required: bool = True,
    col0: int = 0,
) -> _Header | None:
    index = _aliases.alias_index(aliases)
    explicit = {_aliases.header_key(k): v for k, v in (mapping or {}).items()}
    scanned: list[tuple[int, list[Any]]] = []
    best: tuple[int, int] | None = None  # (score, position in scanned)
    nonblank = 0
    for line, cells in rows:
        scanned.append((line, cells))
        if _blank(cells):
            if line > _MAX_BLANK_SCAN:
                break
            continue
        nonblank += 1
        matched, filled = set(), 0
        for c in cells:
            if c is None or c == "":
                continue
            filled += 1
            key = _aliases.header_key(c)
            if key in explicit:
                if explicit[key] is not None:
                    matched.add(explicit[key])
                continue
            hit = _aliases.lookup(index, c) if isinstance(c, str) else None
            if hit:
                matched.add(hit[0])
        score = len(matched)
        if (score >= 2 or (score >= 1 and score == filled)) and (best is None or score > best[0]):
            best = (score, len(scanned) - 1)
        if nonblank >= HEADER_SCAN_ROWS:
            break
    if best is None:
        if not required:
            return None
        if nonblank == 0:
            raise FileProblem(path, "no data: the file has no non-blank rows", sheet=sheet)
        raise FileProblem(
            path,
            f"no header row found in the first {HEADER_SCAN_ROWS} rows; expected column headers such as {_expected(aliases)}"
            " (or pass a mapping)",
            sheet=sheet,
        )
    line, cells = scanned[best[1]]
    fields, extra_names, unused = _map_headers(path, cells, index, explicit, mapping or {}, sheet, line, col0)
    return _Header(line, cells, fields, extra_names, unused, scanned[best[1] + 1 :])


def _map_headers(
    path: Path,
    cells: list[Any],
    index: Mapping[str, tuple[str, int]],
    explicit: Mapping[str, str | None],
    mapping: Mapping[str, str | None],
    sheet: str | None,
    line: int,
    col0: int = 0,
) -> tuple[list[str | None], list[str | None], list[str]]:
    fields: list[str | None] = [None] * len(cells)
    extra_names: list[str | None] = [None] * len(cells)
    claims: dict[str, list[tuple[int, int]]] = {}  # field → [(rank, column)]
    used_explicit: set[str] = set()
    seen_extra: dict[str, int] = {}
    for i, c in enumerate(cells):
        text = "" if c is None else str(c).strip()
        key = _aliases.header_key(text)
        if not key:
            extra_names[i] = f"column {column_letter(i + col0)}"
            continue
        if key in explicit:
            used_explicit.add(key)
            f = explicit[key]
            if f is None:
                continue  # explicitly ignored column
            claims.setdefault(f, []).append((-1, i))
            continue
        hit = _aliases.lookup(index, text)
        if hit:
            claims.setdefault(hit[0], []).append((hit[1], i))
        else:
            n = seen_extra.get(text, 0) + 1
            seen_extra[text] = n
            extra_names[i] = text if n == 1 else f"{text} ({n})"
    for f, cols in list(claims.items()):
        cols.sort()
        if len(cols) == 1:
            fields[cols[0][1]] = f
            continue
        overflow = _aliases.OVERFLOW.get(f)
        if len(cols) == 2 and overflow and overflow not in claims and cols[0][0] != cols[1][0]:
            fields[cols[0][1]] = f
            fields[cols[1][1]] = overflow
            continue
        names = " and ".join(f"{str(cells[i]).strip()!r} (column {column_letter(i + col0)})" for _, i in sorted(cols, key=lambda x: x[1]))
        raise FileProblem(
            path,
            f"columns {names} both map to {f!r}; pass a mapping such as {{{str(cells[cols[-1][1]]).strip()!r}: None}} to ignore one",
            sheet=sheet,
            row=line,
        )
    unused = [k for k in mapping if _aliases.header_key(k) not in used_explicit]
    return fields, extra_names, unused


# ---------------------------------------------------------------- CSV


def _byte_lines(fb: IO[bytes], encoding: str) -> Iterator[str]:
    """Decode line by line so that a bad byte is reported on its own row.
    Splitting on b"\\n" is safe for UTF-8 and the GB/Big5 family (their
    multi-byte sequences never contain 0x0A)."""
    dec = codecs.getincrementaldecoder(encoding)("strict")
    offset = 0  # bytes of the file before ``raw``, to say where a bad byte is
    for raw in itertools.chain(fb, (b"",)):
        try:
            text = dec.decode(raw, final=not raw)
        except UnicodeDecodeError as exc:
            exc.file_offset = offset + exc.start  # type: ignore[attr-defined]
            raise
        offset += len(raw)
        if text:
            yield text


def _csv_rows(path: Path, encoding: str, delimiter: str, head: bytes) -> tuple[RawRows, Callable[[], None]]:
    by_line = "16" not in encoding and "32" not in encoding and (b"\n" in head or b"\r" not in head)
    if by_line:
        f: IO[Any] = open(path, "rb")
        lines: Iterable[str] = _byte_lines(f, encoding)
    else:  # UTF-16, or old-Mac files whose lines end in a bare CR
        f = open(path, encoding=encoding, newline="", errors="strict")
        lines = f

    def gen() -> RawRows:
        record = 0
        try:
            reader = csv.reader(lines, delimiter=delimiter)
            while True:
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except UnicodeError as exc:  # UnicodeDecodeError, or UTF-16 without its BOM
                    raise FileProblem(path, _not_valid_in(encoding, exc), row=record + 1) from None
                except csv.Error as exc:
                    raise FileProblem(path, f"malformed CSV: {exc}", row=record + 1) from None
                record += 1
                yield record, cells
        finally:
            f.close()

    return gen(), f.close


def _not_valid_in(encoding: str, exc: UnicodeError) -> str:
    """"the file is not valid gbk text: byte 0xd5 at byte 1234 (illegal multibyte sequence)"."""
    where = ""
    if isinstance(exc, UnicodeDecodeError):
        bad = exc.object[exc.start:exc.start + 1]
        at = getattr(exc, "file_offset", None)
        where = f": byte 0x{bad.hex()}" + (f" at offset {at}" if at is not None else "") if bad else ""
    reason = exc.reason if isinstance(exc, UnicodeDecodeError) else str(exc)
    return (f"the file is not valid {encoding} text{where} ({reason}); give the file's real encoding"
            " (e.g. gb18030 or utf-8) or leave the encoding out to have it sniffed")


def _wrong_encoding(path: Path, head: bytes, given: str) -> FileProblem | None:
    """When ``given`` decodes the file without error but no header shows, and the file looks
    like another encoding: say so (rather than "no header row found")."""
    try:
        sniffed = detect_encoding(head)
    except UnknownEncoding:
        return None
    if codecs.lookup(sniffed).name == codecs.lookup(given).name:
        return None
    return FileProblem(path, f"no header row found when the file is read as {given}; it looks like {sniffed}"
                             f" text: give {sniffed} as the encoding, or leave the encoding out to have it sniffed")


def _open_text(path: Path, head: bytes, encoding: str | None,
               delimiter: str | None = None) -> tuple[dict, RawRows, Callable[[], None]]:
    if encoding is None:
        try:
            encoding = detect_encoding(head)
        except UnknownEncoding:
            raise FileProblem(
                path, "unknown text encoding (not UTF-8, UTF-16 or GB18030/GBK); save it as UTF-8 CSV or pass encoding=..."
            ) from None
    else:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise FileProblem(path, f"unknown encoding {encoding!r} (e.g. utf-8, gb18030, gbk, utf-16)") from None
    if delimiter is None:
        delimiter = detect_delimiter(head[:SAMPLE_SIZE].decode(encoding, errors="ignore"))
    rows, close = _csv_rows(path, encoding, delimiter, head)
    return {"encoding": encoding, "delimiter": delimiter}, rows, close


# ---------------------------------------------------------------- Excel


def _cell(v: Any) -> Any:
    if type(v) is float and v.is_integer() and abs(v) < 1e16:
        return int(v)
    if v == "":
        return None
    return v


def _fill_merged(rows: RawRows, merged: list[tuple[tuple[int, int], tuple[int, int]]] | None, col0: int) -> RawRows:
    """Copy the value of a vertically merged cell into the rows below it."""
    starts: dict[int, list[tuple[int, int, int]]] = {}
    for (r0, c0), (r1, _c1) in merged or ():
        if r1 > r0:
            starts.setdefault(r0, []).append((c0 - col0, r1, c0))
    if not starts:
        yield from rows
        return
    active: list[tuple[int, int, Any]] = []  # (column, last row, value)
    for line, cells in rows:
        r = line - 1
        if active:
            active = [a for a in active if a[1] >= r]
            for col, _last, value in active:
                if 0 <= col and value is not None:
                    if col >= len(cells):
                        cells = cells + [None] * (col + 1 - len(cells))
                    if cells[col] is None:
                        cells[col] = value
        for col, last, _c in starts.get(r, ()):
            if 0 <= col < len(cells):
                active.append((col, last, cells[col]))
        yield line, cells


# A Rust panic inside calamine surfaces as pyo3's PanicException, which
# derives from BaseException: catch everything but these.
_PASS_THROUGH = (KeyboardInterrupt, SystemExit, GeneratorExit)


def _calamine_sheets(path: Path):
    import python_calamine as pc  # lazy

    try:
        wb = pc.CalamineWorkbook.from_path(os.fspath(path))
    except pc.PasswordError:
        raise FileProblem(path, "the workbook is password-protected; remove the password in Excel first") from None
    except _PASS_THROUGH:
        raise
    except BaseException as exc:  # CalamineError, ZipError, XmlError, … and Rust panics
        raise FileProblem(path, f"corrupt or unreadable workbook ({type(exc).__name__}: {_short(exc)})") from None
    names = []
    for meta in wb.sheets_metadata:
        if str(meta.typ).endswith("WorkSheet") and str(meta.visible).endswith(".Visible"):
            names.append(meta.name)
    all_names = list(wb.sheet_names)

    def open_sheet(name: str) -> tuple[RawRows, int]:
        try:
            sh = wb.get_sheet_by_name(name)
            merged = sh.merged_cell_ranges
            start = sh.start
            it = sh.iter_rows()
        except _PASS_THROUGH:
            raise
        except BaseException as exc:
            raise FileProblem(path, f"cannot read sheet ({_short(exc)})", sheet=name) from None
        col0 = start[1] if start else 0

        def gen() -> RawRows:
            # iter_rows() yields rows from row 1 (leading empty rows included)
            # but columns only from the first used column.
            try:
                for i, row in enumerate(it):  # _cell, inlined (a million rows of 30 cells)
                    yield i + 1, [(int(v) if v.is_integer() and abs(v) < 1e16 else v) if type(v) is float
                                  else (None if v == "" else v) for v in row]
            except _PASS_THROUGH:
                raise
            except BaseException as exc:
                raise FileProblem(path, f"cannot read sheet ({_short(exc)})", sheet=name) from None

        return _fill_merged(gen(), merged, col0), col0

    return all_names, names or all_names, open_sheet, wb.close


def _openpyxl_sheets(path: Path):
    import openpyxl  # lazy fallback when calamine is not installed

    try:
        wb = openpyxl.load_workbook(os.fspath(path), read_only=True, data_only=True)
    except Exception as exc:
        raise FileProblem(path, f"corrupt or unreadable workbook ({type(exc).__name__}: {_short(exc)})") from None
    all_names = list(wb.sheetnames)
    visible = [ws.title for ws in wb.worksheets if getattr(ws, "sheet_state", "visible") == "visible"]

    def open_sheet(name: str) -> tuple[RawRows, int]:
        def gen() -> RawRows:
            try:
                ws = wb[name]
                for i, row in enumerate(ws.iter_rows(values_only=True)):
                    yield i + 1, [_cell(v) for v in row]
            except Exception as exc:
                raise FileProblem(path, f"cannot read sheet ({type(exc).__name__}: {_short(exc)})", sheet=name) from None

        return gen(), 0

    return all_names, visible or all_names, open_sheet, wb.close


def _xlrd_sheets(path: Path):
    import xlrd  # lazy fallback for .xls when calamine is not installed

    try:
        wb = xlrd.open_workbook(os.fspath(path), on_demand=True, formatting_info=True)
    except Exception as exc:
        raise FileProblem(path, f"corrupt or unreadable .xls workbook ({_short(exc)})") from None
    names = wb.sheet_names()

    def open_sheet(name: str) -> tuple[RawRows, int]:
        try:
            sh = wb.sheet_by_name(name)
        except Exception as exc:
            raise FileProblem(path, f"cannot read sheet ({_short(exc)})", sheet=name) from None

        def value(c: Any) -> Any:
            if c.ctype == xlrd.XL_CELL_DATE:
                t = xlrd.xldate_as_tuple(c.value, wb.datemode)
                return _dt.datetime(*t) if any(t[3:]) else _dt.date(*t[:3])
            if c.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
                return None
            return _cell(c.value)

        def gen() -> RawRows:
            try:
                for r in range(sh.nrows):
                    yield r + 1, [value(c) for c in sh.row(r)]
            except Exception as exc:
                raise FileProblem(path, f"cannot read sheet ({_short(exc)})", sheet=name) from None

        merged = [((r0, c0), (r1 - 1, c1 - 1)) for r0, r1, c0, c1 in getattr(sh, "merged_cells", [])]
        return _fill_merged(gen(), merged, 0), 0

    return names, names, open_sheet, wb.release_resources


def _short(exc: BaseException) -> str:
    s = " ".join(str(exc).split())
    return s[:160] + ("…" if len(s) > 160 else "")


def _check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise FileProblem(path, f"corrupt XLSX file (damaged zip archive: {_short(exc)})") from None
    if "xl/workbook.xml" in names or "xl/workbook.bin" in names or "content.xml" in names:
        return
    if "word/document.xml" in names:
        raise FileProblem(path, "a Word document, not a spreadsheet")
    if "ppt/presentation.xml" in names:
        raise FileProblem(path, "a PowerPoint file, not a spreadsheet")
    raise FileProblem(path, "a zip archive, not an Excel workbook")


def _open_workbook(path: Path, kind: str):
    """Open with calamine; if it is not installed, or cannot read this file,
    with openpyxl (XLSX) or xlrd (XLS).  When every reader fails, the first
    reader's error is raised."""
    fallback = _xlrd_sheets if kind == "xls" else _openpyxl_sheets
    try:
        import python_calamine  # noqa: F401
    except ImportError:
        return fallback(path)
    try:
        return _calamine_sheets(path)
    except FileProblem as first:
        if "password" in first.message:
            raise
        try:
            return fallback(path)
        except FileProblem:
            raise first from None


# ---------------------------------------------------------------- entry point


def read_table(
    path: str | os.PathLike[str],
    *,
    sheet: str | int | None = None,
    header_aliases: Mapping[str, Iterable[str]] | None = None,
    mapping: Mapping[str, str | None] | None = None,
    encoding: str | None = None,
) -> Table:
    """Open *path* and find its header row; iterate the result for rows.

    :param sheet: sheet name or 0-based index for workbooks; by default the
        first visible worksheet in which a header row is found.
    :param header_aliases: ``{field: (alias, …)}``; default
        :data:`crm.io.aliases.ALL` (customers, vehicles and visits).
    :param mapping: extra ``{header text: field}`` entries that take
        precedence over the aliases (``{"客户来源": "source"}``); a value of
        None ignores that column.  Header texts are matched like aliases.
    :param encoding: force the encoding of a CSV/TSV file.
    :raises crm.io.FileProblem: missing/unreadable/corrupt/empty file, wrong
        type, unknown encoding, unknown sheet, no header row, two columns
        mapped to one field.
    """
    p = Path(path)
    aliases = _aliases.ALL if header_aliases is None else header_aliases
    try:
        with open(p, "rb") as f:
            head = f.read(SAMPLE_SIZE + 1)
    except FileNotFoundError:
        raise FileProblem(p, "no such file") from None
    except IsADirectoryError:
        raise FileProblem(p, "is a directory, not a file") from None
    except OSError as exc:
        raise FileProblem(p, f"cannot read the file ({exc.strerror or exc})") from None

    kind = sniff_kind(head)
    if kind == "empty":
        raise FileProblem(p, "the file is empty")
    if kind == "html":
        raise FileProblem(p, "an HTML page (a web export saved as .xls), not a spreadsheet; open it in Excel and save as .xlsx")
    if kind == "text":
        # The header row decides the delimiter: when the sniffed one finds no header
        # (a note column full of "|", say), the other candidates get their turn.
        meta, rows, close = _open_text(p, head, encoding)
        tried, first_problem = [meta["delimiter"]], None
        while True:
            try:
                header = _find_header(p, rows, aliases, mapping, None)
                break
            except FileProblem as problem:
                close()
                first_problem = first_problem or problem
                untried = [d for d in ",\t;|" if d not in tried]
                if not untried:
                    if encoding is not None and first_problem.row is None:
                        raise (_wrong_encoding(p, head, encoding) or first_problem) from None
                    raise first_problem from None
                meta, rows, close = _open_text(p, head, meta["encoding"], untried[0])
                tried.append(untried[0])
            except BaseException:
                close()
                raise
        assert header is not None
        return _table(p, "csv", None, [], meta, header, rows, close, 0)
    if kind not in ("xlsx", "xls"):
        raise FileProblem(p, f"not a spreadsheet or CSV file (looks like {kind.upper()})")
    if kind == "xlsx":
        _check_zip(p)
    all_names, candidates, open_sheet, close_wb = _open_workbook(p, kind)
    try:
        if sheet is not None:
            if isinstance(sheet, int) and not isinstance(sheet, bool):
                if not 0 <= sheet < len(all_names):
                    raise FileProblem(p, f"no sheet number {sheet} (the workbook has {len(all_names)})")
                name = all_names[sheet]
            elif sheet in all_names:
                name = str(sheet)
            else:
                raise FileProblem(p, f"no sheet named {sheet!r} (sheets: {', '.join(all_names)})")
            rows, col0 = open_sheet(name)
            header = _find_header(p, rows, aliases, mapping, name, col0=col0)
            assert header is not None
            return _table(p, kind, name, all_names, {}, header, rows, close_wb, col0)
        for name in candidates:
            rows, col0 = open_sheet(name)
            header = _find_header(p, rows, aliases, mapping, name, required=len(candidates) == 1, col0=col0)
            if header is not None:
                return _table(p, kind, name, all_names, {}, header, rows, close_wb, col0)
        raise FileProblem(
            p,
            f"no header row found in sheets {', '.join(candidates)}; expected column headers such as {_expected(aliases)}"
            " (or pass sheet= and a mapping)",
        )
    except BaseException:
        close_wb()
        raise


def _table(
    p: Path,
    kind: str,
    sheet: str | None,
    sheets: list[str],
    meta: dict,
    header: _Header,
    rows: RawRows,
    close: Callable[[], None],
    col0: int,
) -> Table:
    def chained() -> RawRows:
        yield from header.buffered
        yield from rows

    headers = ["" if c is None else str(c).strip() for c in header.cells]
    return Table(
        path=p,
        kind=kind,
        sheet=sheet,
        sheets=sheets,
        encoding=meta.get("encoding"),
        delimiter=meta.get("delimiter"),
        header_row=header.line,
        headers=headers,
        fields=header.fields,
        extra_names=header.extra_names,
        unused_mapping=header.unused,
        rows=chained(),
        close=close,
        col_offset=col0,
    )
