"""The one SQLite file that holds everything, and the single way to write to it.

Every write command runs in exactly one ``BEGIN IMMEDIATE`` transaction opened by
:meth:`Store.transaction`: the write lock is taken up front, so a second writer waits
(``busy_timeout``) instead of failing half-way with "database is locked", and a crash
leaves all or nothing of the command.  sqlite-utils calls made inside that transaction
join it through savepoints.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from .errors import BadInput, CrmError, TemporaryFailure

if TYPE_CHECKING:  # pragma: no cover
    import sqlite_utils


def default_db_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("crm", appauthor=False)) / "crm.db"


def create_private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 (its folder 0700) unless it exists."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(fd)


def translate_sqlite_error(exc: sqlite3.Error, path: Path | str) -> CrmError:
    """Map SQLite's failures to crm's exit codes with a message a person understands."""
    text = str(exc)
    if "locked" in text or "busy" in text:
        return TemporaryFailure(
            f"{path}: the database is busy (another crm command is writing); try again"
        )
    if "disk is full" in text or "disk I/O error" in text:
        return TemporaryFailure(
            f"{path}: the disk is full or failing ({text}): the command was rolled back, nothing was written"
        )
    if "file is not a database" in text or "malformed" in text:
        return BadInput(f"{path}: not a crm database or damaged ({text}); see 'crm db check'")
    if "readonly" in text or "unable to open" in text:
        return BadInput(f"{path}: cannot open the database for writing ({text})")
    return CrmError(f"{path}: database error: {text}")


class Store:
    """A connection to the crm database file."""

    def __init__(self, path: Path | str, *, busy_timeout_seconds: float = 30.0):
        self.path = Path(path)
        self.busy_timeout_seconds = busy_timeout_seconds
        if str(path) != ":memory:":
            if self.path.is_dir():
                raise BadInput(f"{self.path}: is a folder, not a database file")
            try:
                create_private_file(self.path)
            except OSError as exc:
                raise BadInput(f"{self.path}: cannot create the database: {exc.strerror}") from None
        try:
            self.conn = sqlite3.connect(
                str(self.path), timeout=busy_timeout_seconds, isolation_level=None,
                check_same_thread=False,
            )
            self.conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_seconds * 1000)}")
            mode = self.conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode.lower() != "wal" and str(path) != ":memory:":
                raise BadInput(f"{self.path}: cannot switch the database to WAL mode ({mode})")
            self.conn.execute("PRAGMA foreign_keys = ON")
            self.conn.execute("PRAGMA synchronous = FULL")
            self.conn.execute("PRAGMA secure_delete = ON")
        except sqlite3.Error as exc:
            raise translate_sqlite_error(exc, self.path) from None
        self._db: "sqlite_utils.Database | None" = None
        self.depth = 0

    @property
    def db(self) -> "sqlite_utils.Database":
        """A sqlite-utils view of the same connection (imported on first use)."""
        if self._db is None:
            import sqlite_utils

            self._db = sqlite_utils.Database(self.conn)
        return self._db

    def query(self, sql: str, params: tuple | dict = ()) -> list[dict]:
        """Run a read query and return its rows as dicts."""
        cursor = self.conn.execute(sql, params)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]

    def query_one(self, sql: str, params: tuple | dict = ()) -> dict | None:
        cursor = self.conn.execute(sql, params)
        row = cursor.fetchone()
        if row is None:
            return None
        return dict(zip([d[0] for d in cursor.description], row))

    def scalar(self, sql: str, params: tuple | dict = ()):
        row = self.conn.execute(sql, params).fetchone()
        return None if row is None else row[0]

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One ``BEGIN IMMEDIATE`` transaction; nested calls join the outer one."""
        if self.depth:
            self.depth += 1
            try:
                yield self.conn
            finally:
                self.depth -= 1
            return
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise translate_sqlite_error(exc, self.path) from None
        self.depth = 1
        try:
            yield self.conn
        except BaseException:
            self.depth = 0
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        self.depth = 0
        try:
            self.conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise translate_sqlite_error(exc, self.path) from None

    @contextlib.contextmanager
    def savepoint(self, name: str = "crm_step") -> Iterator[None]:
        """A savepoint inside the current transaction: roll back just this part on error."""
        self.conn.execute(f'SAVEPOINT "{name}"')
        try:
            yield
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute(f'ROLLBACK TO "{name}"')
                self.conn.execute(f'RELEASE "{name}"')
            raise
        self.conn.execute(f'RELEASE "{name}"')

    def close(self) -> None:
        self.conn.close()
