"""The PostgreSQL warehouse: one shared server (``--warehouse postgresql://…``).

Rows go in with COPY (psycopg 3's ``cursor.copy``) into a temporary staging table, then one
upsert per table (:meth:`Engine.merge`). The whole load is one transaction; a
transaction-scoped advisory lock keeps two loaders from interleaving.
"""

from __future__ import annotations

import contextlib
import io
import re

from ..errors import BadInput, TemporaryFailure
from .engine import Engine, q
from .common import TableFile, need

#: pg_advisory_xact_lock key of 'crm group load'
LOCK = 0x63726D67  # "crmg"
#: wording of libpq's messages for a server that is not there (vs. one that says no)
_DOWN = re.compile(r"connection refused|could not connect|timeout expired|no such file or directory|"
                   r"could not translate host|server closed the connection|the database system is starting up|"
                   r"the database system is shutting down|network is unreachable", re.I)


def _redact(url: str) -> str:
    """The URL without its password (it never goes to output)."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


class Postgres(Engine):
    kind = "postgresql"
    placeholder = "%s"

    def __init__(self, conn, url: str):
        self.conn = conn
        self.url = url

    @classmethod
    def connect(cls, url: str) -> "Postgres":
        psycopg = need("psycopg")
        try:
            conn = psycopg.connect(url, autocommit=True, connect_timeout=10)
        except psycopg.OperationalError as e:
            line = " ".join(str(e).split())[:200]
            if _DOWN.search(line):
                raise TemporaryFailure(f"--warehouse {_redact(url)}: the server does not answer ({line});"
                                       " try again later") from None
            raise BadInput(f"--warehouse {_redact(url)}: {line}") from None
        except psycopg.Error as e:  # e.g. ProgrammingError: invalid dsn
            raise BadInput(f"--warehouse {_redact(url)}: {' '.join(str(e).split())[:200]}") from None
        return cls(conn, url)

    def _run(self, sql: str, params=()):
        with self.conn.cursor() as cur:
            cur.execute(sql, params or None)
            return cur.fetchall() if cur.description else []

    def _run_named(self, sql: str, params=()):
        sql = sql.replace("%", "%%").replace("?", "%s")
        with self.conn.cursor() as cur:
            cur.execute(sql, tuple(params) or None)
            return cur.fetchall(), [d.name for d in cur.description]

    def tables(self) -> set[str]:
        return {r[0] for r in self._run("SELECT table_name FROM information_schema.tables"
                                        " WHERE table_schema = current_schema()")}

    def columns(self, table: str) -> dict[str, str]:
        return {r[0]: r[1] for r in self._run(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema()"
            " AND table_name = %s ORDER BY ordinal_position", (table,))}

    @contextlib.contextmanager
    def transaction(self):
        with self.conn.transaction():
            self._run("SELECT pg_advisory_xact_lock(%s)", (LOCK,))
            yield self

    def is_server_gone(self, ex: Exception) -> bool:
        return bool(self.conn.closed)

    def load_table(self, t: TableFile, *, full: bool) -> None:
        pq = need("pyarrow.parquet")
        data = pq.read_table(t.path)
        src = {f.name: _type(f.type) for f in data.schema}
        cols = [c for c in src if c != "_op"]
        have = self.columns(t.name)
        if not have:
            spec = ", ".join(f"{q(c)} {src[c]}" for c in cols)
            self._run(f"CREATE TABLE {q(t.name)} ({spec})")
            keys = ", ".join(q(k) for k in ("_store", *t.key))
            self._run(f"CREATE UNIQUE INDEX {q(t.name + '_group_key')} ON {q(t.name)} ({keys})")
            have = self.columns(t.name)
        else:
            for c in cols:
                if c not in have:
                    self._run(f"ALTER TABLE {q(t.name)} ADD COLUMN {q(c)} {src[c]}")
                    have[c] = src[c]
        staged = ", ".join(f"{q(c)} {have.get(c, src[c]) if c != '_op' else 'TEXT'}" for c in src)
        self._run(f"CREATE TEMP TABLE _stage ({staged})")
        names = list(src)
        csv = need("pyarrow.csv")
        options = csv.WriteOptions(include_header=False)
        with self.conn.cursor() as cur:
            # pyarrow writes CSV as COPY reads it: a null is an empty field, '' is "" (quoted)
            with cur.copy(f"COPY _stage ({', '.join(q(c) for c in names)}) FROM STDIN WITH (FORMAT csv)") as copy:
                for batch in data.to_batches(max_chunksize=50_000):
                    buf = io.BytesIO()
                    csv.write_csv(batch, buf, options)
                    copy.write(buf.getvalue())
        source = "_stage"
        if not full:
            keys = ", ".join(q(k) for k in ("_store", *t.key))
            self._run(f"CREATE TEMP TABLE _latest AS SELECT DISTINCT ON ({keys}) * FROM _stage"
                      f" ORDER BY {keys}, _version DESC")
            source = "_latest"
        self.merge(t.name, source, t.key, cols, full=full)
        self._run("DROP TABLE IF EXISTS _latest")
        self._run("DROP TABLE _stage")

    def close(self) -> None:
        self.conn.close()


def _type(arrow_type) -> str:
    """The PostgreSQL type of a Parquet (Arrow) column; an all-null column is text."""
    pa = need("pyarrow")
    t = arrow_type
    if pa.types.is_boolean(t):
        return "BOOLEAN"
    if pa.types.is_integer(t):
        return "BIGINT"
    if pa.types.is_floating(t):
        return "DOUBLE PRECISION"
    if pa.types.is_decimal(t):
        return "NUMERIC"
    if pa.types.is_binary(t) or pa.types.is_large_binary(t):
        return "BYTEA"
    if pa.types.is_date(t):
        return "DATE"
    if pa.types.is_timestamp(t):
        return "TIMESTAMPTZ" if t.tz else "TIMESTAMP"
    return "TEXT"
