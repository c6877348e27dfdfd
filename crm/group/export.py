"""``crm group export``: a store's changes as Parquet files for the group's warehouse.

One export is one new folder ``OUT/<dealer code>.<since>-<bookmark>/`` holding one
``<table>.parquet`` per table with changes and ``manifest.json`` (docs/group.md; the format
is the contract with the warehouse in crm/group/warehouse.py).  The folder is filled under a
hidden temporary name, ``manifest.json`` written last, and renamed into place only when
complete (:func:`crm.io.writers.atomic_directory`): a loader, which takes only folders with a
manifest, never sees half an export.

Everything is read in one SQLite read transaction (one snapshot): the bookmark is the last
change-log ``seq`` of that snapshot and the rows are those of the same moment, so the same
``--since`` and bookmark always give the same rows in the same order (ordered by key).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from ..errors import BadInput
from . import changelog
from .pseudonym import DROP, SECRET, Hasher, policy_for

FORMAT = 1
#: a dropped column that still travels as a presence flag ``has_<column>`` (1: the store holds a
#: value, 0: null or ''), so the warehouse can compute the archive completeness (档案完善率) with
#: the store's fact list (crm/archive/completeness.py) without the value leaving the store
PRESENCE: dict[str, tuple[str, ...]] = {"customers": ("birthday", "wechat", "email", "address")}
PRESENT = "present"
_DEALER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


@dataclass
class Plan:
    store: str
    since: int
    bookmark: int
    full: bool
    personal: bool
    tables: list[changelog.TableInfo] = field(default_factory=list)
    #: a full export: table → {pk: latest seq}, read from the log in one pass
    versions: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.store}.{self.since}-{self.bookmark}"


def dealer_code(config) -> str:
    code = config.dealer_code.strip()
    if not code:
        raise BadInput("dealer_code is not set (the group tells the stores apart by it): set dealer_code in the"
                       " config or CRM_DEALER_CODE; nothing was written")
    if not _DEALER.match(code):
        raise BadInput(f"dealer_code {code!r} cannot name an export folder (letters, digits, '-' and '_' only);"
                       " nothing was written")
    return code


def parse_since(text: str | None, conn) -> int:
    """``--since``: a bookmark this store handed out, 0 (= full), or ``last``."""
    if text is None:
        return 0
    if text.strip().lower() == "last":
        last = changelog.last_bookmark(conn)
        if last is None:
            raise BadInput("--since last: this store has made no group export yet; run a full export first"
                           " (without --since); nothing was written")
        return last
    try:
        since = int(text)
    except ValueError:
        raise BadInput(f"--since {text!r}: a bookmark is a whole number printed by an earlier export"
                       " (or 'last'); nothing was written") from None
    if since < 0:
        raise BadInput(f"--since {since}: a bookmark is not negative; nothing was written")
    return since


def check_since(since: int, bookmark: int, conn) -> None:
    if since > bookmark:
        raise BadInput(f"--since {since}: this store's change log ends at {bookmark}; the bookmark is from"
                       " another store or a restored older database; nothing was written")
    if since and since not in changelog.known_bookmarks(conn):
        raise BadInput(f"--since {since}: no export of this store ended at that bookmark"
                       " (see 'crm group status'); nothing was written")


# -- columns ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    name: str            # the exported column
    source: str          # the table's column
    kind: str | None     # a hash kind (phone, name, vehicle), or None = the value itself


def export_columns(t: changelog.TableInfo, personal: bool) -> tuple[list[Column], list[str]]:
    """The exported columns of a table, and its exported key (hashed where the key is personal)."""
    policy = policy_for(t.name, t.columns)
    secret = SECRET.get(t.name, frozenset())
    cols: list[Column] = []
    for c in t.columns if t.key != ("rowid",) else ("rowid", *t.columns):
        if c in secret:
            continue
        what = policy.get(c)
        if what is None:
            cols.append(Column(c, c, None))
        elif what == DROP:
            if personal:
                cols.append(Column(c, c, None))
            if c in PRESENCE.get(t.name, ()):
                cols.append(Column(f"has_{c}", c, PRESENT))
        else:
            if personal:
                cols.append(Column(c, c, None))
            cols.append(Column(f"{c}_hash", c, what))
    key = [(f"{k}_hash" if policy.get(k) not in (None, DROP) else k) for k in t.key]
    return cols, key


def _sqlite_type(conn, table: str) -> dict[str, str]:
    return {r[1]: (r[2] or "").upper() for r in conn.execute(f"PRAGMA table_info({changelog._q(table)})")}


def _arrow_type(declared: str, pa):
    """SQLite's type affinity as an Arrow type; None (= as the values are) for NUMERIC or no type."""
    if "INT" in declared:
        return pa.int64()
    if any(x in declared for x in ("REAL", "FLOA", "DOUB")):
        return pa.float64()
    if "BLOB" in declared:
        return pa.binary()
    if any(x in declared for x in ("CHAR", "CLOB", "TEXT")):
        return pa.string()
    return None


def _array(values: list, typ, pa):
    try:
        return pa.array(values, type=typ)  # typ None: Arrow infers one type from the values
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError):
        # a value of another type in the column (SQLite's typing is dynamic): keep it, as text
        return pa.array([None if v is None else (v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v))
                         for v in values], type=pa.string())


# -- reading ---------------------------------------------------------------------------------
def _rows(conn, t: changelog.TableInfo, plan: Plan) -> Iterable[tuple[str, int, tuple | None, list]]:
    """(op, version, row or None, key values of a deleted row) of the table's rows to export, in a fixed order."""
    q = changelog._q
    key_sql = ", ".join(f"t.{q(k)}" for k in t.key)
    cols_sql = ", ".join(f"t.{q(c)}" for c in (("rowid", *t.columns) if t.key == ("rowid",) else t.columns))
    if plan.full:
        versions = plan.versions.get(t.name, {})
        sql = f"SELECT json_array({key_sql}), {cols_sql} FROM {q(t.name)} t ORDER BY {key_sql}"
        for pk, *row in conn.execute(sql):
            yield "upsert", versions.get(pk, 0), row, None  # the key is in the row
        return
    join = " AND ".join(f"t.{q(k)} = json_extract(c.pk, '$[{i}]')" for i, k in enumerate(t.key))
    sql = (f"SELECT c.pk, c.v, t.{q(t.key[0])} IS NOT NULL, {cols_sql} FROM"
           f" (SELECT pk, max(seq) AS v FROM {changelog.CHANGE_LOG} WHERE tbl = ? AND seq > ? AND seq <= ?"
           f" GROUP BY pk) c LEFT JOIN {q(t.name)} t ON {join} ORDER BY c.pk")
    for pk, version, exists, *row in conn.execute(sql, (t.name, plan.since, plan.bookmark)):
        if exists:
            yield "upsert", version, row, None
        else:
            yield "delete", version, None, json.loads(pk)


def _changed_tables(conn, plan: Plan) -> set[str]:
    if plan.full:
        return {t.name for t in plan.tables}
    return {r[0] for r in conn.execute(f"SELECT DISTINCT tbl FROM {changelog.CHANGE_LOG} WHERE seq > ? AND seq <= ?",
                                       (plan.since, plan.bookmark))}


def table_arrow(conn, t: changelog.TableInfo, plan: Plan, hasher: Hasher):
    """The table's exported rows as a pyarrow Table, and the manifest entry."""
    import pyarrow as pa

    cols, key = export_columns(t, plan.personal)
    source_cols = ("rowid", *t.columns) if t.key == ("rowid",) else t.columns
    index = {c: i for i, c in enumerate(source_cols)}
    key_pos = {k: i for i, k in enumerate(t.key)}
    key_cols = [j for j, col in enumerate(cols) if col.name in key]
    records = []
    for op, version, row, pk in _rows(conn, t, plan):
        values = []
        for col in cols:
            if row is not None:
                value = row[index[col.source]]
            elif col.source in key_pos and (col.kind is not None or col.name in key):  # a tombstone: the key
                value = pk[key_pos[col.source]]
            else:
                value = None
            if col.kind == PRESENT:
                value = int(value is not None and value != "")
            elif col.kind is not None:
                # a key value the change log already holds as its hash (see scrub()) stays that hash
                value = value["h"] if isinstance(value, dict) else hasher.hash(col.kind, value)
            values.append(value)
        records.append((op, version, values))
    if not plan.full:  # by the exported key (what the warehouse sees), whatever the log's spelling
        records.sort(key=lambda r: (tuple(_sortable(r[2][j]) for j in key_cols), r[1]))
    ops = [r[0] for r in records]
    versions = [r[1] for r in records]
    data: list[list[Any]] = [[r[2][j] for r in records] for j in range(len(cols))]
    declared = _sqlite_type(conn, t.name)
    arrays = []
    for col, values in zip(cols, data):
        typ = (pa.int64() if col.kind == PRESENT else pa.string() if col.kind is not None
               else _arrow_type(declared.get(col.source, "INTEGER"), pa))
        arrays.append(_array(values, typ, pa))
    n = len(ops)
    arrays += [pa.array([plan.store] * n, type=pa.string()), pa.array(ops, type=pa.string()),
               pa.array(versions, type=pa.int64())]
    names = [c.name for c in cols] + ["_store", "_op", "_version"]
    table = pa.Table.from_arrays(arrays, names=names)
    entry = {"file": f"{t.name}.parquet", "rows": n, "key": key, "columns": names}
    return table, entry


def _sortable(value: Any) -> tuple:
    return (0, value, "") if isinstance(value, (int, float)) else (1, 0, "" if value is None else str(value))


def scrub(conn, hasher: Hasher, bookmark: int, after: int = 0) -> int:
    """Replace the personal values in the change log's keys of rows that are gone (a customer's
    deleted or forgotten phone: ``customer_phones``' key is the number) by their keyed hash.

    Rows deleted in ``(after, bookmark]`` (exported now; ``after`` = the previous export, which
    scrubbed before it) are looked for; every log row of such a key is rewritten.  The next
    exports carry the same tombstones; the number is no longer in the store.  In the caller's
    write transaction; returns the log rows changed.
    """
    q, log = changelog._q, changelog.CHANGE_LOG
    changed = 0
    for t in changelog.exported_tables(conn):
        policy = policy_for(t.name, t.columns)
        personal = [i for i, k in enumerate(t.key) if policy.get(k) not in (None, DROP)]
        if not personal:
            continue
        join = " AND ".join(f"t.{q(k)} = json_extract(c.pk, '$[{i}]')" for i, k in enumerate(t.key))
        gone = [pk for (pk,) in conn.execute(
            f"SELECT DISTINCT c.pk FROM {changelog.CHANGE_LOG} c LEFT JOIN {q(t.name)} t ON {join}"
            f" WHERE c.seq > ? AND c.seq <= ? AND c.tbl = ? AND c.op = 'delete' AND t.{q(t.key[0])} IS NULL",
            (after, bookmark, t.name)) if '{"h":' not in pk]
        if not gone:
            continue
        new_pk = {}
        for pk in gone:
            values = json.loads(pk)
            for i in personal:
                if not isinstance(values[i], dict):
                    values[i] = {"h": hasher.hash(policy[t.key[i]], values[i])}
            new_pk[pk] = json.dumps(values, ensure_ascii=False, separators=(",", ":"))
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS _crm_scrub (pk TEXT PRIMARY KEY, new TEXT)")
        conn.execute("DELETE FROM _crm_scrub")
        conn.executemany("INSERT INTO _crm_scrub VALUES (?, ?)", new_pk.items())
        changed += conn.execute(
            f"UPDATE {log} SET pk = (SELECT new FROM _crm_scrub s WHERE s.pk = {log}.pk)"
            " WHERE tbl = ? AND seq <= ? AND pk IN (SELECT pk FROM _crm_scrub)", (t.name, bookmark)).rowcount
        conn.execute("DELETE FROM _crm_scrub")
    return changed


# -- the export ------------------------------------------------------------------------------
#: test seam: called after each table's file is complete (a test makes it raise: a crash mid-export)
after_table: Callable[[str], None] = lambda table: None


def run(store, *, out: Path, since: int, personal: bool, hasher: Hasher, store_code: str, created_at: str,
        progress=lambda it, **kw: it, protect=()) -> dict:
    """Write one export folder under ``out``; return the manifest (plus ``directory``)."""
    import pyarrow.parquet as pq

    from ..io.writers import atomic_directory, atomic_path, atomic_write, remove_leftovers

    conn = store.conn
    conn.execute("BEGIN")  # one snapshot for the bookmark and every row
    try:
        bookmark = changelog.last_seq(conn)
        check_since(since, bookmark, conn)
        plan = Plan(store_code, since, bookmark, full=(since == 0), personal=personal,
                    tables=changelog.exported_tables(conn))
        target = out / plan.name
        existing = _existing(target, plan)
        if existing is not None:
            return existing
        changed = _changed_tables(conn, plan)
        if plan.full:
            for tbl, pk, seq in conn.execute(f"SELECT tbl, pk, max(seq) FROM {changelog.CHANGE_LOG} WHERE seq <= ?"
                                             " GROUP BY tbl, pk", (bookmark,)):
                plan.versions.setdefault(tbl, {})[pk] = seq
        manifest: dict[str, Any] = {"format": FORMAT, "store": store_code, "since": since, "bookmark": bookmark,
                                    "created_at": created_at, "full": plan.full, "personal_data": personal,
                                    "tables": {}}
        with atomic_directory(target, protect=protect) as tmp:
            todo = [t for t in plan.tables if t.name in changed]
            for t in progress(todo, total=len(todo), label="export"):
                table, entry = table_arrow(conn, t, plan, hasher)
                with atomic_path(tmp / entry["file"], suffixes=(".parquet",)) as part:
                    pq.write_table(table, part, compression="zstd")
                manifest["tables"][t.name] = entry
                after_table(t.name)
            with atomic_write(tmp / "manifest.json", suffixes=(".json",), encoding="utf-8", newline="\n") as f:
                f.write(json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
    remove_leftovers(out, f"{store_code}.")  # what a killed export of this store left (hidden, never loaded)
    return {**manifest, "directory": str(target), "existed": False}


def _existing(target: Path, plan: Plan) -> dict | None:
    """A complete export of the same changes already there: the same again is no work (exit 0)."""
    if not target.exists() and not target.is_symlink():
        return None
    manifest = target / "manifest.json"
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise BadInput(f"{target}: exists and is no complete export; move it away; nothing was written") from None
    if bool(data.get("personal_data")) != plan.personal:
        raise BadInput(f"{target}: exists, exported {'with' if data.get('personal_data') else 'without'} personal"
                       " data; move it away; nothing was written")
    return {**data, "directory": str(target), "existed": True}


def columns_markdown(conn) -> str:
    """The exported columns of every exported table, for docs/group.md (tools/group_columns_doc.py)."""
    lines = ["| table | key | exported as they are | hashed (`<column>_hash`) | only with --with-personal-data |",
             "|---|---|---|---|---|"]
    for t in changelog.exported_tables(conn):
        plain, _ = export_columns(t, personal=False)
        personal, key = export_columns(t, personal=True)
        same = [c.name for c in plain if c.kind is None] + [f"{c.name} (0/1)" for c in plain if c.kind == PRESENT]
        hashed = [c.source for c in plain if c.kind not in (None, PRESENT)]
        extra = [c.name for c in personal if c.kind is None and c.name not in same and c.source not in hashed]
        secret = sorted(SECRET.get(t.name, ()))
        cell = lambda names: ", ".join(names) or "·"  # noqa: E731
        lines.append(f"| `{t.name}` | {cell(key)} | {cell(same)} | {cell(hashed)} | {cell(extra)}"
                     + (f" (never: {', '.join(secret)})" if secret else "") + " |")
    return "\n".join(lines)
