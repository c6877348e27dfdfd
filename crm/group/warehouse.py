"""The group warehouse: load the stores' export directories into DuckDB or PostgreSQL.

An export directory (docs/group.md, "Export directory") holds ``manifest.json`` and one
Parquet file a table. :func:`load` takes them in bookmark order per store, inside ONE
transaction on the warehouse (a failure leaves it as it was):

- a **full** export (``since`` 0) replaces everything the warehouse holds of that store;
- an **incremental** one upserts by (store, table, key), keeping the highest ``_version``;
  its 'delete' rows (tombstones: ``crm forget``, deleted rows) remove the key;
- ``_group_loads`` records each (store, since, bookmark) loaded: loading a directory again
  changes nothing, and an export that does not follow on from what the warehouse holds of
  its store (a gap: ``since`` above the store's last bookmark) is refused, with nothing loaded.

The engines (:mod:`crm.group.duck`, :mod:`crm.group.pg`) share this plan and the SQL of
:mod:`crm.group.report`; each brings its own bulk path (DuckDB reads Parquet itself,
PostgreSQL takes COPY through a staging table).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from pathlib import Path

from ..errors import BadInput, TemporaryFailure
from .common import LOADS, SYSTEM_COLUMNS, TableFile, need

FORMAT = 1
MANIFEST = "manifest.json"
NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
@dataclasses.dataclass(frozen=True)
class Export:
    """One complete export directory, as its manifest describes it."""

    path: Path
    store: str
    since: int
    bookmark: int
    full: bool
    tables: tuple[TableFile, ...]

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)


def _bad(where, what: str) -> BadInput:
    return BadInput(f"{where}: {what}")


def read_export(path: Path) -> Export:
    """The export in ``path`` (which holds manifest.json), checked against the contract."""
    mpath = path / MANIFEST
    try:
        m = json.loads(mpath.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise _bad(mpath, f"not a readable manifest ({e.__class__.__name__})") from None
    if not isinstance(m, dict):
        raise _bad(mpath, "not a manifest (a JSON object)")
    if m.get("format") != FORMAT:
        raise _bad(mpath, f"format {m.get('format')!r}: this crm reads format {FORMAT} (upgrade crm)")
    store, since, bookmark = m.get("store"), m.get("since"), m.get("bookmark")
    if not isinstance(store, str) or not store.strip():
        raise _bad(mpath, "no store (dealer code)")
    if not isinstance(since, int) or not isinstance(bookmark, int) or since < 0 or bookmark < since:
        raise _bad(mpath, f"since {since!r} and bookmark {bookmark!r} must be whole numbers, since <= bookmark")
    tables = m.get("tables")
    if not isinstance(tables, dict):
        raise _bad(mpath, "no tables")
    files = []
    for name, t in sorted(tables.items()):
        if not NAME.match(str(name)) or name.startswith("_group"):
            raise _bad(mpath, f"table name {name!r} is not allowed")
        if not isinstance(t, dict) or not isinstance(t.get("key"), list) or not t["key"]:
            raise _bad(mpath, f"table {name}: no key")
        cols = t.get("columns") or []
        for c in list(t["key"]) + list(cols):
            if not isinstance(c, str) or not NAME.match(c):
                raise _bad(mpath, f"table {name}: column name {c!r} is not allowed")
        file = path / str(t.get("file") or f"{name}.parquet")
        if file.parent != path:
            raise _bad(mpath, f"table {name}: file {t.get('file')!r} lies outside the export")
        if not file.is_file():
            raise _bad(file, "missing (named in manifest.json)")
        files.append(TableFile(name, file, int(t.get("rows") or 0), tuple(t["key"]), tuple(cols)))
    full = m.get("full")
    full = since == 0 if full is None else bool(full)  # "full" says it; without it, since 0 is a full export
    return Export(path, store.strip(), since, bookmark, full, tuple(files))


def find_exports(dirs: list[Path]) -> list[Export]:
    """Every complete export under ``dirs``: a DIR with manifest.json, or the complete ones inside DIR.

    Sub-directories without manifest.json are exports still being written (or crashed): left out.
    A DIR with none at all is bad input.
    """
    found: dict[Path, Export] = {}
    for d in dirs:
        d = Path(d)
        if not d.is_dir():
            raise _bad(d, "no such directory")
        if (d / MANIFEST).is_file():
            found[d.resolve()] = read_export(d)
            continue
        subs = [s for s in sorted(d.iterdir()) if s.is_dir() and (s / MANIFEST).is_file()]
        if not subs:
            raise _bad(d, f"no export here (no {MANIFEST}, nor a directory with one)")
        for s in subs:
            found[s.resolve()] = read_export(s)
    return list(found.values())


def check_parquet(exports: list[Export]) -> None:
    """Each Parquet file opens, has the manifest's row count and the system columns (before any write)."""
    pq = need("pyarrow.parquet")
    for e in exports:
        for t in e.tables:
            try:
                meta = pq.read_metadata(t.path)
                names = set(meta.schema.names)
            except Exception as ex:  # pyarrow raises ArrowInvalid, OSError…
                raise _bad(t.path, f"not a readable Parquet file ({_first_line(ex)})") from None
            missing = [c for c in (*SYSTEM_COLUMNS, *t.key) if c not in names]
            if missing:
                raise _bad(t.path, f"missing column(s) {', '.join(missing)}")
            if meta.num_rows != t.rows:
                raise _bad(t.path, f"{meta.num_rows} rows, manifest.json says {t.rows}")


def _first_line(ex: Exception) -> str:
    text = str(ex).strip().splitlines()
    return text[0][:200] if text else ex.__class__.__name__


@dataclasses.dataclass
class Plan:
    load: list[Export]
    skipped: list[tuple[Export, str]]


def plan(exports: list[Export], loaded: dict[str, tuple[int, set[tuple[int, int]]]]) -> Plan:
    """Which exports to load, in order; a gap is bad input.

    ``loaded``: {store: (its last bookmark in the warehouse, {(since, bookmark) loaded})}.
    """
    out = Plan([], [])
    state = {s: (b, set(pairs)) for s, (b, pairs) in loaded.items()}
    for e in sorted(exports, key=lambda e: (e.store, e.bookmark, not e.full, e.since, str(e.path))):
        cur, pairs = state.get(e.store, (None, set()))
        if (e.since, e.bookmark) in pairs:
            out.skipped.append((e, "already loaded"))
            continue
        if cur is not None and e.bookmark <= cur:
            out.skipped.append((e, f"older than what the warehouse holds (bookmark {cur})"))
            continue
        if not e.full and (cur is None or e.since > cur):
            have = f"holds {e.store} up to bookmark {cur}" if cur is not None else f"holds nothing of {e.store}"
            raise _bad(e.path, f"gap: this export starts after bookmark {e.since} but the warehouse {have};"
                               " load the missing export(s) or a full export first")
        out.load.append(e)
        pairs.add((e.since, e.bookmark))
        state[e.store] = (e.bookmark, pairs)
    return out


def now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def load(wh, exports: list[Export], progress=lambda msg: None) -> dict:
    """Load ``exports`` into the open warehouse ``wh`` in one transaction; a summary."""
    check_parquet(plan(exports, wh.loaded_state()).load)  # before any write: the files open
    rows = 0
    tables: dict[str, int] = {}
    with wh.transaction():
        result = plan(exports, wh.loaded_state())  # again, under the engine's write lock
        wh.ensure_meta()
        for e in result.load:
            if e.full:
                wh.clear_store(e.store)
            for t in e.tables:
                try:
                    wh.load_table(t, full=e.full)
                except BadInput:
                    raise
                except Exception as ex:
                    if wh.is_server_gone(ex):
                        raise TemporaryFailure(f"the warehouse's server went away during the load ({_first_line(ex)});"
                                               " nothing was loaded, try again later") from None
                    raise _bad(t.path, f"could not load ({_first_line(ex)})") from None
                tables[t.name] = tables.get(t.name, 0) + t.rows
                rows += t.rows
            wh.execute(f"INSERT INTO {LOADS} (store, since, bookmark, full_export, dir, rows, loaded_at)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?)",
                       (e.store, e.since, e.bookmark, e.full, str(e.path), e.rows, now_iso()))
            progress(f"loaded {e.path.name}: {e.rows} rows")
    return {"loaded": [{"dir": str(e.path), "store": e.store, "since": e.since, "bookmark": e.bookmark,
                        "full": e.full, "rows": e.rows} for e in result.load],
            "skipped": [{"dir": str(e.path), "store": e.store, "since": e.since, "bookmark": e.bookmark,
                         "why": why} for e, why in result.skipped],
            "rows": rows, "tables": tables}
