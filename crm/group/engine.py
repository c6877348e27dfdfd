"""What the two warehouse engines share: the bookkeeping table, the upsert SQL, queries.

SQL here is written once for both engines with ``?`` placeholders (:meth:`Engine.execute`
turns them into psycopg's ``%s`` for PostgreSQL); the engines differ only in how rows get
in (:meth:`load_table`) and in a few statements (``DISTINCT ON`` vs ``QUALIFY``).
"""

from __future__ import annotations

import contextlib

from .common import LOADS, TableFile


def q(name: str) -> str:
    """A quoted identifier (names were checked against warehouse.NAME already)."""
    return '"' + name.replace('"', '""') + '"'


def key_match(table: str, other: str, key: tuple[str, ...]) -> str:
    return " AND ".join(f"{other}.{q(k)} = {q(table)}.{q(k)}" for k in ("_store", *key))


class Engine:
    """A warehouse connection; subclasses implement the engine-specific parts."""

    kind = ""
    placeholder = "?"

    # -- plumbing the subclasses provide -------------------------------------------
    def _run(self, sql: str, params=()):  # pragma: no cover - abstract
        raise NotImplementedError

    def tables(self) -> set[str]:  # pragma: no cover - abstract
        raise NotImplementedError

    def columns(self, table: str) -> dict[str, str]:  # pragma: no cover - abstract
        raise NotImplementedError

    def load_table(self, t: TableFile, *, full: bool) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def is_server_gone(self, ex: Exception) -> bool:
        return False

    @contextlib.contextmanager
    def transaction(self):  # pragma: no cover - abstract
        raise NotImplementedError
        yield

    def close(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    # -- shared ----------------------------------------------------------------------
    def execute(self, sql: str, params=()) -> list[tuple]:
        if self.placeholder != "?":
            sql = sql.replace("%", "%%").replace("?", self.placeholder)
        return self._run(sql, tuple(params))

    def query(self, sql: str, params=()) -> list[dict]:
        rows, names = self._run_named(sql, params)
        return [dict(zip(names, r)) for r in rows]

    def _run_named(self, sql: str, params=()):  # pragma: no cover - abstract
        raise NotImplementedError

    def cached(self) -> "Engine":
        """This connection, its tables and columns read once (for read-only work: a report)."""
        return _Cached(self)

    def ensure_meta(self) -> None:
        if LOADS not in self.tables():
            self.execute(f"CREATE TABLE {LOADS} (store TEXT NOT NULL, since BIGINT NOT NULL, bookmark BIGINT NOT NULL,"
                         " full_export BOOLEAN NOT NULL, dir TEXT, rows BIGINT, loaded_at TEXT)")

    def loaded_state(self) -> dict[str, tuple[int, set[tuple[int, int]]]]:
        out: dict = {}
        if LOADS not in self.tables():
            return out
        for store, since, bookmark in self.execute(f"SELECT store, since, bookmark FROM {LOADS}"):
            cur, pairs = out.get(store, (None, set()))
            pairs.add((int(since), int(bookmark)))
            out[store] = (max(int(bookmark), cur if cur is not None else -1), pairs)
        return out

    def data_tables(self) -> list[str]:
        return sorted(t for t in self.tables() if not t.startswith("_group"))

    def clear_store(self, store: str) -> None:
        """Everything of ``store`` goes (a full export replaces it)."""
        for t in self.data_tables():
            if "_store" in self.columns(t):
                self.execute(f"DELETE FROM {q(t)} WHERE _store = ?", (store,))

    def merge(self, table: str, source: str, key: tuple[str, ...], columns: list[str], *, full: bool) -> None:
        """Upsert the rows of ``source`` (one a key, the latest version) into ``table``."""
        cols = ", ".join(q(c) for c in columns)
        if not full:
            self.execute(f"DELETE FROM {q(table)} WHERE EXISTS (SELECT 1 FROM {source} s"
                         f" WHERE {key_match(table, 's', key)} AND s._version >= {q(table)}._version)")
            self.execute(f"INSERT INTO {q(table)} ({cols}) SELECT {cols} FROM {source} s WHERE s._op = 'upsert'"
                         f" AND NOT EXISTS (SELECT 1 FROM {q(table)} WHERE {key_match(table, 's', key)})")
        else:
            self.execute(f"INSERT INTO {q(table)} ({cols}) SELECT {cols} FROM {source} s WHERE s._op = 'upsert'")


class _Cached:
    """An engine whose catalogue look-ups (tables, columns) are remembered."""

    def __init__(self, engine: Engine):
        self._engine = engine
        self._tables: set[str] | None = None
        self._columns: dict[str, dict[str, str]] = {}

    def __getattr__(self, name):
        return getattr(self._engine, name)

    def tables(self) -> set[str]:
        if self._tables is None:
            self._tables = self._engine.tables()
        return self._tables

    def columns(self, table: str) -> dict[str, str]:
        if table not in self._columns:
            self._columns[table] = self._engine.columns(table)
        return self._columns[table]
