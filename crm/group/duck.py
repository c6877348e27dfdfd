"""The DuckDB warehouse: one file, the embedded default (``--warehouse group.duckdb``).

DuckDB reads the stores' Parquet files itself (``read_parquet``), so a load is a few SQL
statements a table; the whole load is one DuckDB transaction.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from ..errors import BadInput, TemporaryFailure
from .engine import Engine, q
from .common import TableFile, need


def _literal(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


class Duck(Engine):
    kind = "duckdb"

    def __init__(self, con, path: Path):
        self.con = con
        self.path = path

    @classmethod
    def open(cls, path: Path, *, create: bool = False) -> "Duck":
        duckdb = need("duckdb")
        if not create and not path.is_file():
            raise BadInput(f"--warehouse {path}: no such warehouse (load exports into it with 'crm group load')")
        try:
            con = duckdb.connect(str(path), read_only=not create)
        except duckdb.IOException as e:
            if "lock" in str(e).lower():
                raise TemporaryFailure(f"--warehouse {path}: in use by another process; try again later") from None
            raise BadInput(f"--warehouse {path}: not a DuckDB warehouse ({str(e).splitlines()[0][:160]})") from None
        except duckdb.Error as e:
            raise BadInput(f"--warehouse {path}: not a DuckDB warehouse ({str(e).splitlines()[0][:160]})") from None
        return cls(con, path)

    def _run(self, sql: str, params=()):
        cur = self.con.execute(sql, list(params)) if params else self.con.execute(sql)
        try:
            return cur.fetchall()
        except Exception:  # statements without a result
            return []

    def _run_named(self, sql: str, params=()):
        cur = self.con.execute(sql, list(params)) if params else self.con.execute(sql)
        names = [d[0] for d in cur.description]
        return cur.fetchall(), names

    def tables(self) -> set[str]:
        return {r[0] for r in self.con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'").fetchall()}

    def columns(self, table: str) -> dict[str, str]:
        return {r[0]: r[1] for r in self.con.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'main'"
            " AND table_name = ? ORDER BY ordinal_position", [table]).fetchall()}

    @contextlib.contextmanager
    def transaction(self):
        self.con.begin()
        try:
            yield self
        except BaseException:
            self.con.rollback()
            raise
        else:
            self.con.commit()

    def load_table(self, t: TableFile, *, full: bool) -> None:
        keys = ", ".join(q(k) for k in ("_store", *t.key))
        latest = "" if full else f" QUALIFY row_number() OVER (PARTITION BY {keys} ORDER BY _version DESC) = 1"
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE _src AS SELECT * FROM read_parquet({_literal(t.path)}){latest}")
        src = {r[0]: r[1] for r in self.con.execute("DESCRIBE _src").fetchall()}
        cols = [c for c in src if c != "_op"]
        have = self.columns(t.name)
        if not have:
            spec = ", ".join(f"{q(c)} {_type(src[c])}" for c in cols)
            self.con.execute(f"CREATE TABLE {q(t.name)} ({spec})")
        else:
            for c in cols:
                if c not in have:
                    self.con.execute(f"ALTER TABLE {q(t.name)} ADD COLUMN {q(c)} {_type(src[c])}")
        self.merge(t.name, "_src", t.key, cols, full=full)
        self.con.execute("DROP TABLE _src")

    def close(self) -> None:
        self.con.close()


def _type(duck_type: str) -> str:
    """A column type for the warehouse (an all-null column arrives typed NULL: keep it text)."""
    return "VARCHAR" if duck_type.upper() in ("NULL", '"NULL"') else duck_type
