"""Files in the shape of dealers' real exports: customer/vehicle CSV and XLSX, repair orders.

Customer files have one row per vehicle (a DMS "客户车辆档案" export): a
customer with two cars appears on two rows with the same personal data.

``messy=True`` turns the clean file into what dealers really send: a title
row and a blank row above the header, a total line at the bottom, phones with
spaces, dashes, ``+86`` or full-width digits, dates in four formats, stray
spaces, placeholders such as ``无`` in empty cells, a few exact duplicate rows
and a few invalid values.  The invalid values are listed in the returned
:class:`WriteReport` (``bad_rows``) so that tests can check an importer's
reject report line by line.  Apart from those, every messy row normalises to
the clean row of the same seed.
"""

from __future__ import annotations

import csv
import io
import os
import random
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from .columns import (  # noqa: F401 - re-exported: the export layout is part of this API
    BOOL_LABELS,
    CHANNEL_LABELS,
    CUSTOMER_COLUMNS,
    CUSTOMER_HEADERS,
    DATE_FIELDS,
    GENDER_LABELS,
    LIST_SEPARATOR,
    VISIT_COLUMNS,
    VISIT_HEADERS,
    customer_cells,
    customer_rows,
    vehicle_cells,
    visit_cells,
)
from .columns import COLUMN as _COL
from .generate import Generator
from .messy import BAD_EVERY, BAD_REASONS, DUPLICATE_EVERY, Messer  # noqa: F401

#: Largest number of rows of an xlsx sheet.
XLSX_MAX_ROWS = 1_048_576
_DATE_COLS = tuple(_COL[f] for f in DATE_FIELDS)
_INT_COLS = (_COL["model_year"], _COL["mileage"])




@dataclass(frozen=True)
class BadRow:
    """A deliberately invalid value in a messy file."""

    line: int  # 1-based line of the CSV file / row of the xlsx sheet
    ref: str  # customer ref of the row
    column: str  # Chinese header, e.g. "车架号"
    field: str  # field name, e.g. "vin"
    value: str  # what the file holds
    reason: str  # one of BAD_REASONS
    sheet: str | None = None  # xlsx sheet name


@dataclass(frozen=True)
class Duplicate:
    """An exact copy of an earlier data row in a messy file."""

    line: int
    of_line: int
    ref: str
    sheet: str | None = None


@dataclass
class WriteReport:
    """What a ``write_*`` function wrote."""

    path: Path
    format: str  # "csv" or "xlsx"
    messy: bool
    customers: int
    vehicles: int
    rows: int  # data rows, duplicates included
    header_line: int  # line (row) of the header
    footer_line: int | None = None  # the "合计" line of a messy file (last sheet for xlsx)
    sheets: list[str] = field(default_factory=list)
    bad_rows: list[BadRow] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    features: dict[str, int] = field(default_factory=dict)


# ---------------------------------------------------------------- CSV

def _generator(seed: int, as_of: date | None, city: str) -> Generator:
    return Generator(seed=seed, as_of=as_of or date(2026, 11, 20), city=city)


def _title(gen: Generator) -> str:
    d = gen.as_of
    return f"{gen.dealer} 客户档案 导出时间:{d.year}年{d.month}月{d.day}日"


#: Customers per unit of work of the CSV writer (and per messy stream).
CSV_CHUNK = 64 * 256


def write_customers_csv(path: str | Path, n: int, *, seed: int = 1, messy: bool = False,
                        encoding: str = "utf-8", as_of: date | None = None,
                        city: str = "北京", jobs: int = 1) -> WriteReport:
    """Write ``n`` customers with their vehicles as a CSV export (one row per vehicle).

    Clean: the header (:data:`CUSTOMER_HEADERS`) on line 1, ISO dates, 11-digit
    mobiles, ``是``/``否`` flags.  ``messy=True``: see the module docstring.
    ``encoding`` is passed to :func:`open` (``"gb18030"`` for the classic
    Chinese Excel export, ``"utf-8-sig"`` for a BOM).  Lines end in CRLF.

    The file is made in chunks of :data:`CSV_CHUNK` customers; ``jobs`` > 1
    makes them in that many worker processes (0: one per CPU).  The bytes are
    the same whatever ``jobs`` is.
    """
    path = Path(path)
    gen = _generator(seed, as_of, city)
    tasks = [(seed, gen.as_of, city, start, min(CSV_CHUNK, n - start), messy, start // CSV_CHUNK)
             for start in range(0, n, CSV_CHUNK)]
    report = WriteReport(path=path, format="csv", messy=messy, customers=0, vehicles=0, rows=0,
                         header_line=3 if messy else 1)
    features: Counter[str] = Counter()
    first_data_line = report.header_line + 1
    with path.open("w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        if messy:
            w.writerow([_title(gen)])
            w.writerow([])
            header = list(CUSTOMER_HEADERS)
            header[_COL["mobile"]] += " "
            header[_COL["plate"]] = " " + header[_COL["plate"]]
            w.writerow(header)
        else:
            w.writerow(CUSTOMER_HEADERS)
        if jobs == 0:
            jobs = os.cpu_count() or 1
        if jobs == 1 or len(tasks) == 1:
            chunks: Iterable[_Chunk] = (_csv_chunk(task, fh) for task in tasks)
        else:
            chunks = _map_ordered(_csv_chunk, tasks, jobs)
        for chunk in chunks:
            fh.write(chunk.text)
            offset = first_data_line + report.rows
            for k, ref, col, value, reason in chunk.bad:
                h, _, fname = CUSTOMER_COLUMNS[col]
                report.bad_rows.append(BadRow(offset + k, ref, h, fname, value, reason))
            for k, of, ref in chunk.dups:
                report.duplicates.append(Duplicate(offset + k, offset + of, ref))
            features.update(chunk.features)
            report.rows += chunk.rows
            report.customers += chunk.customers
            report.vehicles += chunk.vehicles
        if messy:
            w.writerow([f"合计：{report.rows} 条记录"])
            report.footer_line = first_data_line + report.rows
    if messy:
        _finish_features(report, features)
    return report


@dataclass
class _Chunk:
    """CSV text of a run of customers, with its (chunk-relative) messy report."""

    text: str
    rows: int
    customers: int
    vehicles: int
    bad: list
    dups: list
    features: dict


def _csv_chunk(task: tuple, fh=None) -> _Chunk:
    """Make one chunk of a customer CSV: into ``fh`` if given (then ``text`` is
    empty), else as text (in a worker process)."""
    seed, as_of, city, start, count, messy, chunk_no = task
    gen = _cached_generator(seed, as_of, city)
    counts = _Counts()
    src = counts.wrap(customer_rows(gen, count, start))
    buf = io.StringIO() if fh is None else None
    w = csv.writer(fh if fh is not None else buf)
    if messy:
        messer = Messer(seed, as_of, chunk_no)
        w.writerows(messer.rows(src))
        rows, bad, dups, features = messer._out, messer.bad, messer.dups, dict(messer.features)
    else:
        w.writerows(cells for _, cells in src)
        rows, bad, dups, features = counts.vehicles, [], [], {}
    text = buf.getvalue() if buf is not None else ""
    return _Chunk(text, rows, counts.customers, counts.vehicles, bad, dups, features)


@lru_cache(maxsize=4)
def _cached_generator(seed: int, as_of: date, city: str) -> Generator:
    return Generator(seed=seed, as_of=as_of, city=city)


def _map_ordered(fn, tasks: list, jobs: int) -> Iterator:
    """``map(fn, tasks)`` in ``jobs`` worker processes, in order, with at most
    ``2 * jobs`` results waiting (so memory stays bounded)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    ctx = multiprocessing.get_context("spawn")  # no fork of a possibly threaded parent
    with ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=ctx) as pool:
        pending: deque = deque()
        todo = iter(tasks)
        for task in todo:
            pending.append(pool.submit(fn, task))
            if len(pending) >= 2 * jobs:
                break
        while pending:
            result = pending.popleft().result()
            task = next(todo, None)
            if task is not None:
                pending.append(pool.submit(fn, task))
            yield result


def _finish_features(report: WriteReport, features: Counter) -> None:
    report.features = dict(sorted(features.items()))
    report.features.update(title_row=1, blank_row=1, footer_row=1, header_spaces=2,
                           bad_value=len(report.bad_rows))


class _Counts:
    """Counts customers and vehicles flowing through an iterator of rows."""

    def __init__(self) -> None:
        self.customers = self.vehicles = 0
        self._last = None

    def wrap(self, rows: Iterable[tuple[str, list]]) -> Iterator[tuple[str, list]]:
        for ref, cells in rows:
            self.vehicles += 1
            if ref != self._last:
                self.customers += 1
                self._last = ref
            yield ref, cells


class _ChunkedMesser:
    """The messy rows of a whole file, chunk by chunk exactly as the CSV writer
    makes them (so a messy xlsx has the rows of the messy CSV)."""

    def __init__(self, seed: int, as_of: date) -> None:
        self.seed, self.as_of = seed, as_of
        self.bad: list = []
        self.dups: list = []
        self.features: Counter[str] = Counter()
        self.rows_out = 0

    def rows(self, gen: Generator, n: int, counts: _Counts) -> Iterator[tuple[list, bool]]:
        """``(cells, has a bad value)`` of every data row."""
        for start in range(0, n, CSV_CHUNK):
            m = Messer(self.seed, self.as_of, start // CSV_CHUNK)
            for cells in m.rows(counts.wrap(customer_rows(gen, min(CSV_CHUNK, n - start), start))):
                yield cells, bool(m.bad) and m.bad[-1][0] == m._out
            base = self.rows_out
            self.bad += [(base + k, *rest) for k, *rest in m.bad]
            self.dups += [(base + k, base + of, ref) for k, of, ref in m.dups]
            self.features.update(m.features)
            self.rows_out += m._out


def _fill_messy_report(report: WriteReport, messer: _ChunkedMesser, where) -> None:
    """Translate the messer's data-row indexes into lines (and sheets)."""
    report.rows = messer.rows_out
    for k, ref, col, value, reason in messer.bad:
        line, sheet = where(k)
        h, _, fname = CUSTOMER_COLUMNS[col]
        report.bad_rows.append(BadRow(line, ref, h, fname, value, reason, sheet))
    for k, of, ref in messer.dups:
        line, sheet = where(k)
        of_line, _ = where(of)
        report.duplicates.append(Duplicate(line, of_line, ref, sheet))
    _finish_features(report, messer.features)


def write_visits_csv(path: str | Path, n_customers: int, *, seed: int = 1,
                     encoding: str = "utf-8", as_of: date | None = None,
                     city: str = "北京") -> WriteReport:
    """Write the repair orders of ``n_customers`` customers (:data:`VISIT_HEADERS`).

    Times are ``YYYY-MM-DD HH:MM:SS``, types Chinese (保养/维修/索赔/钣喷/PDI),
    amounts with two decimals, items joined by ``;``.
    """
    path = Path(path)
    gen = _generator(seed, as_of, city)
    k = vehicles = 0
    last_vin = None
    with path.open("w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        w.writerow(VISIT_HEADERS)
        for v in gen.visits(n_customers):
            w.writerow(visit_cells(v))
            k += 1
            if v["vin"] != last_vin:  # a vehicle's orders are consecutive
                vehicles += 1
                last_vin = v["vin"]
    return WriteReport(path=path, format="csv", messy=False, customers=n_customers,
                       vehicles=vehicles, rows=k, header_line=1)


# ---------------------------------------------------------------- XLSX

def write_customers_xlsx(path: str | Path, n: int, *, seed: int = 1, messy: bool = False,
                         title: bool | None = None, as_of: date | None = None,
                         city: str = "北京", engine: str = "openpyxl") -> WriteReport:
    """Write ``n`` customers with their vehicles as an .xlsx export (one row per vehicle).

    Clean: header on row 1, dates as Excel date cells, year and mileage as
    numbers, everything else text.  ``title`` (default: ``messy``) puts the
    dealer's title in a cell merged across the header's width (row 1) and a
    blank row 2, the header on row 3.  ``messy=True`` adds the messy values of
    the CSV and, in some rows, dates and phones typed as Excel dates/numbers
    rather than text.  More than :data:`XLSX_MAX_ROWS` rows continue on
    further sheets (``客户档案2`` …), each with its own header.

    ``engine="openpyxl"`` uses openpyxl's write-only mode (about 2 000 rows/s
    without lxml); ``engine="fast"`` the streaming writer of
    :mod:`crm.sampledata.xlsx` (same cells, about 6x faster).  Both are
    byte-for-byte reproducible for a seed.
    """
    if engine not in ("openpyxl", "fast"):
        raise ValueError("engine must be 'openpyxl' or 'fast'")
    from openpyxl.utils import get_column_letter

    path = Path(path)
    gen = _generator(seed, as_of, city)
    if title is None:
        title = messy
    counts = _Counts()
    messer = _ChunkedMesser(seed, gen.as_of) if messy else None
    rows: Iterable[tuple[list, bool]] = (
        messer.rows(gen, n, counts) if messer
        else ((cells, False) for _, cells in counts.wrap(customer_rows(gen, n))))
    type_rng = random.Random(f"crm.sampledata/{seed}/{gen.as_of.isoformat()}/xlsx")
    if engine == "fast":
        from .xlsx import FastWorkbook

        wb = FastWorkbook(path)

        def merge(ws, ref: str) -> None:
            ws.merge(ref)
    else:
        from openpyxl import Workbook
        from openpyxl.worksheet.cell_range import CellRange

        wb = Workbook(write_only=True)

        def merge(ws, ref: str) -> None:
            ws.merged_cells.add(CellRange(ref))
    sheets: list[str] = []
    starts: list[tuple[int, str, int]] = []  # (first data index, sheet, its first data row)
    ws = None
    room = 0
    k = 0
    features: Counter[str] = Counter()
    width = get_column_letter(len(CUSTOMER_HEADERS))

    def new_sheet():
        nonlocal ws, room
        name = "客户档案" if not sheets else f"客户档案{len(sheets) + 1}"
        ws = wb.create_sheet(name)
        sheets.append(name)
        first_row = 1
        if title and len(sheets) == 1:
            merge(ws, f"A1:{width}1")
            ws.append([_title(gen)])
            ws.append([])
            first_row = 3
        ws.append(list(CUSTOMER_HEADERS))
        starts.append((k, name, first_row + 1))
        room = XLSX_MAX_ROWS - first_row - (1 if messy else 0)

    r = type_rng.random
    for cells, bad in rows:
        if ws is None or room == 0:
            new_sheet()
        ws.append(_typed(cells, messy, r, features, bad))
        room -= 1
        k += 1
    if ws is None:
        new_sheet()
    footer = None
    if messer is not None:
        ws.append([f"合计：{k} 条记录"])
        footer = starts[-1][2] + (k - starts[-1][0])
    if engine == "fast":
        wb.save()
    else:
        wb.save(path)
        _reproducible_zip(path, gen.as_of)

    def where(idx: int) -> tuple[int, str]:
        for first, name, row in reversed(starts):
            if idx >= first:
                return row + idx - first, name
        raise AssertionError(idx)

    report = WriteReport(path=path, format="xlsx", messy=messy, customers=counts.customers,
                         vehicles=counts.vehicles, rows=k, header_line=starts[0][2] - 1,
                         footer_line=footer, sheets=sheets)
    if messer is not None:
        _fill_messy_report(report, messer, where)
        for key, v in features.items():
            report.features[key] = v
        report.features = dict(sorted(report.features.items()))
    return report


def _reproducible_zip(path: Path, as_of: date) -> None:
    """Rewrite an openpyxl file with fixed zip timestamps and document dates.

    openpyxl stamps the time of saving into ``docProps/core.xml`` and every zip
    entry; replacing both with ``as_of`` makes the file a function of the seed.
    Entries are streamed, so memory stays constant.
    """
    import re
    import shutil
    import zipfile

    stamp = f"{as_of.isoformat()}T09:30:00Z"
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w") as zout:
        for info in zin.infolist():
            out = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            out.compress_type = zipfile.ZIP_DEFLATED
            if info.filename == "docProps/core.xml":
                xml = zin.read(info).decode("utf-8")
                xml = re.sub(r"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rf"\g<1>{stamp}", xml)
                zout.writestr(out, xml)
                continue
            with zin.open(info) as src, zout.open(out, "w", force_zip64=True) as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
    tmp.replace(path)


def _typed(cells: list, messy: bool, r, features: Counter, bad: bool) -> list:
    """Cell values for openpyxl: dates as dates, numbers as ints (mostly).

    A row with a deliberately bad value keeps its dates and phones as text.
    """
    out: list = list(cells)
    for col in _INT_COLS:
        v = out[col]
        if v.isdigit():
            out[col] = int(v)
    for col in _DATE_COLS if not bad else ():
        v = out[col]
        if len(v) == 10 and v[4] == "-" and v[7] == "-":
            if not messy or r() < 0.5:
                out[col] = date(int(v[:4]), int(v[5:7]), int(v[8:10]))
                if messy:
                    features["date_cell"] += 1
    if messy and not bad:
        m = out[_COL["mobile"]]
        if len(m) == 11 and m.isdigit() and r() < 0.2:
            out[_COL["mobile"]] = int(m)
            features["phone_number_cell"] += 1
    for k, v in enumerate(out):
        if v == "":
            out[k] = None
    return out
