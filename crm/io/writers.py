"""Write tables: CSV, XLSX, JSON, JSONL — safely.

Every writer:

* writes **atomically**: into a temporary file in the target's directory,
  flushed and fsync'ed, then ``os.replace``'d over the target (and the
  directory fsync'ed), so a crash leaves either the old file or the new one,
  never half a file;
* creates the file with mode **0600** (customer data is personal data; an
  existing file's permissions are not kept);
* neutralises **spreadsheet formula injection** in CSV and XLSX with the
  one neutraliser, :func:`crm.output.neutralise_formula` (a text cell that
  a spreadsheet would run gets a leading apostrophe; numbers stay numbers);
* returns the number of data rows written.

Rows are mappings (looked up by column key) or sequences (by position).

    >>> import tempfile, os
    >>> d = tempfile.mkdtemp()
    >>> write_csv(os.path.join(d, "out.csv"), [{"name": "张三", "note": "=HYPERLINK(\\"x\\")"}], ["name", "note"], titles=["姓名", "备注"])
    1
    >>> Path(d, "out.csv").read_bytes().decode("utf-8-sig")
    '姓名,备注\\r\\n张三,"\\'=HYPERLINK(""x"")"\\r\\n'
    >>> oct(os.stat(os.path.join(d, "out.csv")).st_mode & 0o777)
    '0o600'
"""

from __future__ import annotations

import contextlib
import csv
import errno
import datetime as _dt
import itertools
import json
import os
import re
import secrets
import shutil
import stat
from decimal import Decimal
from pathlib import Path
from typing import IO, Any
from collections.abc import Iterable, Iterator, Mapping, Sequence

from crm.errors import BadInput, TemporaryFailure
from crm.io import FileProblem
from crm.output import display_width, neutralise_formula

__all__ = [
    "check_target",
    "atomic_path",
    "atomic_write",
    "atomic_directory",
    "write_csv",
    "write_xlsx",
    "write_json",
    "write_jsonl",
    "write_table",
]

_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_XLSX_WIDTH_SAMPLE = 1000
_MAX_WIDTH = 60
_MAX_CELL = 32767


#: errno values that mean "no room": a full disk, a quota, a file-size limit.
DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
_SQLITE_MAGIC = b"SQLite format 3\x00"
_JOURNAL_MAGIC = b"\xd9\xd5\x05\xf9\x20\xa1\x63\xd7"
_WAL_MAGIC = (b"\x37\x7f\x06\x82", b"\x37\x7f\x06\x83")
_SIDE_FILE = re.compile(r"-(wal|shm|journal)$", re.IGNORECASE)


def _refuse(path: str | os.PathLike[str], why: str) -> BadInput:
    return BadInput(f"{os.fspath(path)}: {why}; nothing was written")


def check_target(
    path: str | os.PathLike[str],
    suffixes: Sequence[str] | None,
    *,
    allow_database: bool = False,
    protect: Iterable[str | os.PathLike[str]] = (),
) -> Path:
    """The one check every output path passes before anything is written.

    Refused (``BadInput``, exit 2, one line): a name without the format's
    extension (*suffixes*, lower case with the dot; ``None`` = any); a
    database's side file (``-wal``, ``-shm``, ``-journal``); anything that
    exists and is not a regular file (a folder, a device such as
    ``/dev/null``, a fifo, a socket, a broken symbolic link); a file that is
    an SQLite database, journal or WAL (the live database or a backup of it)
    unless *allow_database*; any path in *protect* (the live database and its
    side files, for ``db backup``); a missing folder.

    >>> import tempfile
    >>> check_target(os.path.join(tempfile.mkdtemp(), "a.csv"), (".csv",)).suffix
    '.csv'
    >>> check_target("/dev/null", (".csv",))
    Traceback (most recent call last):
    ...
    crm.errors.BadInput: /dev/null: is a device; only a new or a regular file can be written; nothing was written
    """
    target = Path(path)
    name = target.name
    if not name or name in (".", ".."):
        raise _refuse(path, "give a file name, not a folder")
    if _SIDE_FILE.search(name):
        raise _refuse(path, "this is a database's journal or WAL file")
    for other in protect:
        other = Path(other)
        for guarded in (other, *(other.with_name(other.name + s) for s in ("-wal", "-shm", "-journal"))):
            if os.path.abspath(guarded) == os.path.abspath(target) or (
                    guarded.exists() and target.exists() and os.path.samefile(guarded, target)):
                raise _refuse(path, "this is the database crm is using")
    try:
        st = os.stat(target)  # follows a symbolic link: what would be written through it
    except FileNotFoundError:
        if os.path.islink(target):
            raise _refuse(path, "a symbolic link to nothing") from None
        if not target.parent.is_dir():
            raise _refuse(path, f"the folder {target.parent} does not exist") from None
        _check_suffix(target, suffixes)
        return target
    except NotADirectoryError:
        raise _refuse(path, f"the folder {target.parent} does not exist") from None
    except OSError as exc:
        raise _refuse(path, f"cannot look at it ({exc.strerror or exc})") from None
    if stat.S_ISDIR(st.st_mode):
        raise _refuse(path, "is a folder; give a file name")
    if not stat.S_ISREG(st.st_mode):
        kind = ("a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode)
                else "a pipe" if stat.S_ISFIFO(st.st_mode) else "not a regular file")
        raise _refuse(path, f"is {kind}; only a new or a regular file can be written")
    if not allow_database:
        try:
            with open(target, "rb") as fh:
                head = fh.read(16)
        except OSError as exc:
            raise _refuse(path, f"cannot read it to check ({exc.strerror or exc})") from None
        if head.startswith(_SQLITE_MAGIC):
            raise _refuse(path, "is an SQLite database (the crm database or a backup)")
        if head.startswith(_JOURNAL_MAGIC) or head[:4] in _WAL_MAGIC:
            raise _refuse(path, "this is a database's journal or WAL file")
    _check_suffix(target, suffixes)
    return target


def _check_suffix(target: Path, suffixes: Sequence[str] | None) -> None:
    if suffixes is not None and target.suffix.lower() not in suffixes:
        raise _refuse(target, f"the file name must end in {' or '.join(suffixes)}")


def _full(target: Path, exc: OSError) -> TemporaryFailure:
    return TemporaryFailure(f"{os.fspath(target)}: the disk is full ({exc.strerror or exc}); nothing was written")


@contextlib.contextmanager
def atomic_path(
    path: str | os.PathLike[str],
    *,
    suffixes: Sequence[str] | None,
    allow_database: bool = False,
    protect: Iterable[str | os.PathLike[str]] = (),
) -> Iterator[Path]:
    """The one private atomic writer, for code that needs a file *name*
    (SQLite's backup): checks *path* (:func:`check_target`), yields a new
    empty 0600 temporary file beside it; when the block ends without an
    exception the temporary file is fsync'ed, renamed over *path* and the
    folder fsync'ed.  On an exception it is removed and *path* is
    untouched; a full disk becomes ``TemporaryFailure`` (exit 75).
    """
    target = check_target(path, suffixes, allow_database=allow_database, protect=protect)
    directory = target.parent
    tmp = directory / f".{target.name}.{secrets.token_hex(4)}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(tmp, flags, 0o600)
    except OSError as exc:
        if exc.errno in DISK_FULL:
            raise _full(target, exc) from None
        raise _refuse(path, f"cannot write here ({exc.strerror or exc})") from None
    try:
        os.fchmod(fd, 0o600)  # whatever the umask
    finally:
        os.close(fd)
    try:
        yield tmp
        fd = os.open(tmp, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        try:
            os.fchmod(fd, 0o600)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError) and exc.errno in DISK_FULL:
            raise _full(target, exc) from None
        raise
    _fsync_dir(directory)


@contextlib.contextmanager
def atomic_write(
    path: str | os.PathLike[str],
    mode: str = "w",
    *,
    suffixes: Sequence[str] | None = None,
    encoding: str | None = None,
    newline: str | None = None,
) -> Iterator[IO[Any]]:
    """:func:`atomic_path` with the temporary file open for writing (text
    or ``"wb"``): every crm export goes through here.

    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "x.txt")
    >>> with atomic_write(p, suffixes=(".txt",)) as f:
    ...     _ = f.write("hello")
    >>> Path(p).read_text(), oct(os.stat(p).st_mode & 0o777)
    ('hello', '0o600')
    """
    if mode not in ("w", "wb"):
        raise ValueError("mode must be 'w' or 'wb'")
    with atomic_path(path, suffixes=suffixes) as tmp:
        fd = os.open(tmp, os.O_WRONLY | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0))
        if mode == "wb":
            f: IO[Any] = os.fdopen(fd, "wb")
        else:
            f = os.fdopen(fd, "w", encoding=encoding or "utf-8", newline=newline)
        guard = _Guard(f)
        try:
            yield guard  # type: ignore[misc]
            f.flush()
        except BaseException:
            guard.kill()
            with contextlib.suppress(OSError):
                f.close()  # the error that matters is the one raised in the block
            raise
        f.close()


@contextlib.contextmanager
def atomic_directory(path: str | os.PathLike[str], *, protect: Iterable[str | os.PathLike[str]] = ()) -> Iterator[Path]:
    """The directory form of :func:`atomic_path`: yields a new empty 0700 temporary folder beside
    *path* (a hidden ``.NAME.xxxx.tmp``) to fill (through :func:`atomic_path` /
    :func:`atomic_write`, each file in it renamed into place when complete).  When the block
    ends without an exception every file is fsync'ed, the folder renamed to *path* and the
    parent fsync'ed: a reader sees the whole folder or nothing.  On an exception (or a kill:
    the hidden name) the temporary folder is removed and *path* never appears.

    Refused (``BadInput``): *path* exists (anything), its parent is not a folder, or it is
    one of *protect* (the live database).

    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp()) / "out"
    >>> with atomic_directory(d) as tmp:
    ...     with atomic_write(tmp / "a.txt", suffixes=(".txt",)) as f:
    ...         _ = f.write("x")
    >>> sorted(p.name for p in d.iterdir()), oct(d.stat().st_mode & 0o777)
    (['a.txt'], '0o700')
    """
    target = Path(path)
    name = target.name
    if not name or name in (".", ".."):
        raise _refuse(path, "give a folder name")
    for other in protect:
        if os.path.abspath(other) == os.path.abspath(target):
            raise _refuse(path, "this is the database crm is using")
    if os.path.lexists(target):
        raise _refuse(path, "already exists")
    directory = target.parent
    if not directory.is_dir():
        raise _refuse(path, f"the folder {directory} does not exist")
    tmp = directory / f".{name}.{secrets.token_hex(4)}.tmp"
    try:
        os.mkdir(tmp, 0o700)
    except OSError as exc:
        if exc.errno in DISK_FULL:
            raise _full(target, exc) from None
        raise _refuse(path, f"cannot write here ({exc.strerror or exc})") from None
    try:
        os.chmod(tmp, 0o700)
        yield tmp
        for child in tmp.iterdir():
            if child.is_file() and not child.is_symlink():
                fd = os.open(child, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
        _fsync_dir(tmp)
        if os.path.lexists(target):
            raise _refuse(path, "appeared while it was being written")
        os.rename(tmp, target)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, OSError) and exc.errno in DISK_FULL:
            raise _full(target, exc) from None
        raise
    _fsync_dir(directory)


#: a temporary folder older than this is a leftover of a killed writer, not one still at work
LEFTOVER_AGE_S = 6 * 3600


def remove_leftovers(folder: str | os.PathLike[str], prefix: str, *, older_than_s: float = LEFTOVER_AGE_S) -> list[Path]:
    """Remove the temporary folders a killed :func:`atomic_directory` left in *folder*.

    Only hidden ``.<prefix>….<8 hex>.tmp`` folders (the names :func:`atomic_directory` gives)
    whose last change is older than *older_than_s* go: a writer still filling one (another
    cron run) is younger than that.  They may hold personal data, and nothing else would
    ever remove them.  Returns what was removed.
    """
    import time

    pattern = re.compile(r"^\." + re.escape(prefix) + r".*\.[0-9a-f]{8}\.tmp$")
    cutoff = time.time() - older_than_s
    gone = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return gone
    for entry in entries:
        try:
            if (pattern.match(entry.name) and entry.is_dir(follow_symlinks=False)
                    and entry.stat(follow_symlinks=False).st_mtime < cutoff):
                shutil.rmtree(entry.path)
                gone.append(Path(entry.path))
        except OSError:
            continue  # another process removed it, or it is not ours to remove
    return gone


class _Guard:
    """The file handed to the writing code.  After a failure (a full disk) it swallows
    what is still written to it, keeping a plausible position, so that a library object
    caught in the traceback (a half-saved ``ZipFile``, which closes itself when collected)
    cannot print "Exception ignored" on stderr after crm's one-line error."""

    def __init__(self, f: IO[Any]):
        self._f = f
        self.dead = False
        self._pos = 0

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self._pos = self._f.tell()
        self.dead = True

    def __getattr__(self, name: str) -> Any:
        return getattr(self._f, name)

    def write(self, data: Any) -> int:
        if self.dead:
            self._pos += len(data)
            return len(data)
        return self._f.write(data)

    def flush(self) -> None:
        if not self.dead:
            self._f.flush()

    def seek(self, offset: int, whence: int = 0) -> int:
        if not self.dead:
            return self._f.seek(offset, whence)
        self._pos = offset if whence == 0 else self._pos + offset
        return self._pos

    def tell(self) -> int:
        return self._pos if self.dead else self._f.tell()

    def truncate(self, *args: Any) -> int:
        return self._pos if self.dead else self._f.truncate(*args)

    def close(self) -> None:
        if not self.dead:
            self._f.close()

    def __iter__(self):
        return iter(self._f)


def _fsync_dir(directory: Path) -> None:
    try:
        dfd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass
    finally:
        os.close(dfd)


def _columns_and_rows(
    rows: Iterable[Any], columns: Sequence[str] | None
) -> tuple[list[str] | None, Iterator[Any]]:
    it = iter(rows)
    if columns is not None:
        return list(columns), it
    try:
        first = next(it)
    except StopIteration:
        return None, iter(())
    cols = list(first.keys()) if isinstance(first, Mapping) else None
    return cols, itertools.chain([first], it)


def _getter(columns: list[str] | None):
    def get(row: Any) -> list[Any]:
        if isinstance(row, Mapping):
            if columns is None:
                return list(row.values())
            return [row.get(c) for c in columns]
        return list(row)

    return get


def _text(value: Any) -> str:
    """CSV rendering of one value."""
    if value is None:
        return ""
    if type(value) is str:
        return neutralise_formula(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal)):
        return str(value)
    if isinstance(value, float):
        return repr(value) if value == value else ""
    if isinstance(value, _dt.datetime):
        if value.tzinfo is not None:
            return value.isoformat(sep=" ")
        return value.isoformat(sep=" ", timespec="seconds" if not value.microsecond else "auto")
    if isinstance(value, (_dt.date, _dt.time)):
        return value.isoformat()
    return neutralise_formula(str(value))


def write_csv(
    path: str | os.PathLike[str],
    rows: Iterable[Mapping[str, Any] | Sequence[Any]],
    columns: Sequence[str] | None = None,
    *,
    titles: Sequence[str] | None = None,
    encoding: str = "utf-8-sig",
    delimiter: str = ",",
    suffixes: Sequence[str] = (".csv", ".txt"),
) -> int:
    """Write a CSV file; UTF-8 with BOM by default so Excel shows Chinese
    correctly (``encoding="gb18030"`` for old Excel/WPS set-ups).

    *columns* are the keys to write (default: the first mapping's keys);
    *titles* the header texts (default: the column keys).  Without columns
    (rows are plain sequences) no header is written unless *titles* is given.
    Dates are written ISO (``2025-03-05``, ``2025-03-05 14:30:00``).
    Characters that the chosen encoding cannot represent raise FileProblem.
    """
    cols, it = _columns_and_rows(rows, columns)
    if titles is not None and cols is not None and len(titles) != len(cols):
        raise ValueError("titles and columns differ in length")
    get = _getter(cols)
    n = 0
    try:
        with atomic_write(path, "w", suffixes=suffixes, encoding=encoding, newline="") as f:
            w = csv.writer(f, delimiter=delimiter)
            header = titles if titles is not None else cols
            if header is not None:
                w.writerow([_text(h) for h in header])
            for row in it:
                w.writerow([_text(v) for v in get(row)])
                n += 1
    except UnicodeEncodeError as exc:
        raise FileProblem(path, f"a value cannot be written as {encoding}: {exc.object[exc.start:exc.end]!r}", row=n + 2) from None
    return n


def _xlsx_value(ws: Any, value: Any) -> Any:
    from openpyxl.cell import WriteOnlyCell

    if value is None or isinstance(value, (bool, int, Decimal)):
        return value
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else None
    if isinstance(value, _dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(_dt.timezone(_dt.timedelta(hours=8))).replace(tzinfo=None)
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = "yyyy-mm-dd hh:mm:ss"
        return cell
    if isinstance(value, _dt.date):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    if isinstance(value, _dt.time):
        value = value.isoformat()
    s = value if type(value) is str else str(value)
    if _ILLEGAL_XML.search(s):
        s = _ILLEGAL_XML.sub("", s)
    s = neutralise_formula(s)
    if len(s) > _MAX_CELL:
        s = s[: _MAX_CELL - 1] + "…"
    return s  # never starts with "=" now, so openpyxl stores it as text


def _width_of(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, _dt.datetime):
        return 19
    if isinstance(value, _dt.date):
        return 10
    return display_width(_text(value))


def write_xlsx(
    path: str | os.PathLike[str],
    rows: Iterable[Mapping[str, Any] | Sequence[Any]],
    columns: Sequence[str] | None = None,
    *,
    titles: Sequence[str] | None = None,
    sheet: str = "Sheet1",
) -> int:
    """Write an XLSX workbook with one sheet, streaming (openpyxl write-only
    mode, constant memory).  The header row is bold and frozen; column widths
    come from the header and the first 1,000 rows, CJK characters counting
    double, capped at 60.  Dates get ``yyyy-mm-dd`` formats; text is
    always stored as text (never as a formula).
    """
    from openpyxl import Workbook  # lazy
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    check_target(path, (".xlsx",))  # before building the workbook
    cols, it = _columns_and_rows(rows, columns)
    if titles is not None and cols is not None and len(titles) != len(cols):
        raise ValueError("titles and columns differ in length")
    get = _getter(cols)
    header = list(titles) if titles is not None else cols
    head_rows = [get(r) for r in itertools.islice(it, _XLSX_WIDTH_SAMPLE)]

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=sheet[:31] or "Sheet1")
    ncols = max([len(header or [])] + [len(r) for r in head_rows] or [0])
    widths = [0] * ncols
    for r in ([header] if header else []) + head_rows:
        for i, v in enumerate(r):
            widths[i] = max(widths[i], _width_of(v))
    for i, w in enumerate(widths):
        ws.column_dimensions[get_column_letter(i + 1)].width = min(max(w, 4) + 2, _MAX_WIDTH)
    if header:
        ws.freeze_panes = "A2"
        bold = Font(bold=True)
        cells = []
        for h in header:
            c = _xlsx_value(ws, h)
            if not hasattr(c, "font"):  # WriteOnlyCell is a factory, not a class
                c = WriteOnlyCell(ws, value=c)
            c.font = bold
            cells.append(c)
        ws.append(cells)
    n = 0
    for values in itertools.chain(head_rows, (get(r) for r in it)):
        ws.append([_xlsx_value(ws, v) for v in values])
        n += 1
    try:
        with atomic_write(path, "wb", suffixes=(".xlsx",)) as f:
            wb.save(f)
    except BaseException:
        with contextlib.suppress(Exception):
            ws.close()  # finish openpyxl's row generator now, not noisily at exit
        raise
    return n


def _json_default(value: Any) -> Any:
    if isinstance(value, _dt.datetime):
        return value.isoformat(sep=" ") if value.tzinfo is None else value.isoformat()
    if isinstance(value, (_dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, Path):
        return os.fspath(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _json_rows(rows: Iterable[Any], columns: Sequence[str] | None) -> Iterator[Any]:
    cols, it = _columns_and_rows(rows, columns)
    for row in it:
        if isinstance(row, Mapping):
            yield dict(row) if columns is None else {c: row.get(c) for c in columns}
        elif cols is not None:
            yield dict(zip(cols, row))
        else:
            yield list(row)


def write_json(
    path: str | os.PathLike[str],
    rows: Iterable[Mapping[str, Any] | Sequence[Any]],
    columns: Sequence[str] | None = None,
) -> int:
    """Write a JSON array of objects (UTF-8, not ASCII-escaped), one object
    per line, streaming.  Dates are ISO strings, Decimals strings (exact)."""
    n = 0
    with atomic_write(path, "w", suffixes=(".json",), encoding="utf-8", newline="\n") as f:
        f.write("[")
        for obj in _json_rows(rows, columns):
            f.write(",\n" if n else "\n")
            f.write(json.dumps(obj, ensure_ascii=False, default=_json_default))
            n += 1
        f.write("\n]\n" if n else "]\n")
    return n


def write_jsonl(
    path: str | os.PathLike[str],
    rows: Iterable[Mapping[str, Any] | Sequence[Any]],
    columns: Sequence[str] | None = None,
) -> int:
    """Write JSON Lines: one object per line (UTF-8)."""
    n = 0
    with atomic_write(path, "w", suffixes=(".jsonl",), encoding="utf-8", newline="\n") as f:
        for obj in _json_rows(rows, columns):
            f.write(json.dumps(obj, ensure_ascii=False, default=_json_default))
            f.write("\n")
            n += 1
    return n


def write_table(
    path: str | os.PathLike[str],
    rows: Iterable[Mapping[str, Any] | Sequence[Any]],
    columns: Sequence[str] | None = None,
    *,
    titles: Sequence[str] | None = None,
    format: str | None = None,
) -> int:
    """Write by format name or by the file's extension: ``csv``,
    ``csv-gb18030``, ``tsv``, ``xlsx``, ``json``, ``jsonl``."""
    fmt = (format or Path(path).suffix.lstrip(".")).lower()
    if fmt == "csv":
        return write_csv(path, rows, columns, titles=titles)
    if fmt in ("csv-gb18030", "csv-gbk"):
        return write_csv(path, rows, columns, titles=titles, encoding="gb18030")
    if fmt == "tsv":
        return write_csv(path, rows, columns, titles=titles, delimiter="\t", suffixes=(".tsv", ".txt"))
    if fmt == "xlsx":
        return write_xlsx(path, rows, columns, titles=titles)
    if fmt == "json":
        return write_json(path, rows, columns)
    if fmt == "jsonl":
        return write_jsonl(path, rows, columns)
    raise ValueError(f"unknown output format {fmt!r} (csv, csv-gb18030, tsv, xlsx, json, jsonl)")
