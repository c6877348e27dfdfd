"""Change capture for a dealer group (issue 21): the ``change_log`` table and its triggers.

When a store's capture is on (``crm group enable``; docs/group.md), every write to an
exported table also appends one row per changed row to ``change_log``::

    change_log(seq INTEGER PRIMARY KEY AUTOINCREMENT, tbl, pk, op, at)

``pk`` is the row's primary key as a JSON array in key order (``[17]``, ``[17,"sms"]``),
``op`` is ``'upsert'`` or ``'delete'``, ``seq`` the change's version.  SQLite triggers
write it, so it lands in the same transaction as the write: a rolled-back command leaves
no change row, and every writer (commands, plugins, the bulk import's ``executemany``)
is captured alike.  A store without capture has neither the table nor the triggers and
pays nothing.

Capture covers every table that :func:`exported_tables` names: the core's and the
plugins' business tables, minus :data:`NEVER_EXPORTED` (secrets, sessions, the audit
log, internal state and queues).  :func:`refresh_triggers` (re)creates the triggers; it
runs on ``crm group enable`` and after any migration of a store with capture on, so a
plugin installed later is covered from its first migration on.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

CHANGE_LOG = "change_log"
EXPORTS = "group_exports"
TRIGGER_PREFIX = "change_log__"

#: Tables that never leave the store (and so need no capture).
NEVER_EXPORTED = frozenset({
    # the core: the audit trail, identities, secrets, derived counters
    "audit_log", "staff_sessions", "forgotten_keys", "archive_fact_counts",
    # the callbacks plugin's planner state (callback_skips travels: the members the plan could
    # not reach count in the group's 会员覆盖率, plugins/callbacks/group.py)
    "callback_plan_keys", "callback_state", "callback_visit_events",
    # the campaigns plugin's message queues (addresses and texts of messages)
    "campaigns_outbox", "campaigns_messages", "campaigns_run_targets",
    # the portal plugin's sync machinery (raw portal records, cursors, queues)
    "portal_conflicts", "portal_outbox", "portal_quarantine", "portal_records", "portal_streams",
    # staff's own written work
    "worklog",
    # change capture's own tables
    CHANGE_LOG, EXPORTS,
})

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class TableInfo:
    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]  # primary-key columns in key order; ("rowid",) for a table without one


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def is_enabled(conn: sqlite3.Connection) -> bool:
    return bool(conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                             (CHANGE_LOG,)).fetchone())


def exported_tables(conn: sqlite3.Connection) -> list[TableInfo]:
    """Every table whose rows a group export carries, in name order."""
    out = []
    for name, sql in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name"):
        if (name in NEVER_EXPORTED or name.startswith(("_", "sqlite_")) or not _NAME.match(name)
                or (sql or "").upper().startswith("CREATE VIRTUAL")):
            continue
        info = conn.execute(f"PRAGMA table_info({_q(name)})").fetchall()
        if any(r[1] is None for r in info):
            continue
        # FTS shadow tables and the like: skip anything that belongs to a virtual table
        if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL%'"
                        " AND ? LIKE name || '\\_%' ESCAPE '\\'", (name,)).fetchone():
            continue
        columns = tuple(r[1] for r in info)
        key = tuple(r[1] for r in sorted((r for r in info if r[5]), key=lambda r: r[5])) or ("rowid",)
        out.append(TableInfo(name, columns, key))
    return out


def table_info(conn: sqlite3.Connection, name: str) -> TableInfo | None:
    return next((t for t in exported_tables(conn) if t.name == name), None)


def _pk(prefix: str, key: tuple[str, ...]) -> str:
    return "json_array(" + ", ".join(f"{prefix}.{_q(c)}" for c in key) + ")"


_NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"


def _trigger_sql(t: TableInfo) -> list[str]:
    name, q = t.name, _q(t.name)
    ins = f"INSERT INTO {CHANGE_LOG} (tbl, pk, op, at) VALUES ('{name}', "
    new, old = _pk("NEW", t.key), _pk("OLD", t.key)
    return [
        f"CREATE TRIGGER {_q(TRIGGER_PREFIX + name + '__i')} AFTER INSERT ON {q} BEGIN "
        f"{ins}{new}, 'upsert', {_NOW}); END",
        f"CREATE TRIGGER {_q(TRIGGER_PREFIX + name + '__u')} AFTER UPDATE ON {q} BEGIN "
        # a changed key: the old key is gone
        f"INSERT INTO {CHANGE_LOG} (tbl, pk, op, at) SELECT '{name}', {old}, 'delete', {_NOW}"
        f" WHERE {old} IS NOT {new}; "
        f"{ins}{new}, 'upsert', {_NOW}); END",
        f"CREATE TRIGGER {_q(TRIGGER_PREFIX + name + '__d')} AFTER DELETE ON {q} BEGIN "
        f"{ins}{old}, 'delete', {_NOW}); END",
    ]


def create_tables(conn: sqlite3.Connection) -> None:
    conn.execute(f"""CREATE TABLE IF NOT EXISTS {CHANGE_LOG} (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        tbl TEXT NOT NULL,
        pk TEXT NOT NULL,
        op TEXT NOT NULL CHECK (op IN ('upsert', 'delete')),
        at TEXT NOT NULL
    )""")
    # capture starts at seq 1, so even a store exported before its first change hands out
    # bookmark 1, and its next '--since last' is incremental (since 0 means a full export)
    conn.execute("INSERT INTO sqlite_sequence (name, seq) SELECT ?, 1 WHERE NOT EXISTS"
                 " (SELECT 1 FROM sqlite_sequence WHERE name = ?)", (CHANGE_LOG, CHANGE_LOG))
    # no index on tbl: it would cost every write (~6 % more CPU on the bulk import); the export
    # reads ranges of seq (the primary key) and the full export reads the log once
    # the bookmarks this store handed out (an export's --since must be one of them)
    conn.execute(f"""CREATE TABLE IF NOT EXISTS {EXPORTS} (
        bookmark INTEGER NOT NULL,
        since INTEGER NOT NULL,
        directory TEXT NOT NULL,
        personal INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (bookmark, since, directory)
    )""")


def refresh_triggers(conn: sqlite3.Connection) -> list[str]:
    """(Re)create the capture triggers of every exported table; drop those of tables that are no
    longer exported.  Run inside the caller's write transaction.  Returns the tables covered."""
    wanted = {t.name: t for t in exported_tables(conn)}
    for (trigger, tbl) in conn.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'"
                                       " AND name LIKE ? ESCAPE '\\'",
                                       (TRIGGER_PREFIX.replace("_", "\\_") + "%",)).fetchall():
        conn.execute(f"DROP TRIGGER {_q(trigger)}")
    for t in wanted.values():
        for sql in _trigger_sql(t):
            conn.execute(sql)
    return sorted(wanted)


def covered(conn: sqlite3.Connection) -> set[str]:
    """Tables that have all three capture triggers."""
    rows = conn.execute("SELECT tbl_name, count(*) FROM sqlite_master WHERE type = 'trigger'"
                        " AND name LIKE ? ESCAPE '\\' GROUP BY tbl_name",
                        (TRIGGER_PREFIX.replace("_", "\\_") + "%",)).fetchall()
    return {t for t, n in rows if n == 3}


def uncovered(conn: sqlite3.Connection) -> list[str]:
    have = covered(conn)
    return [t.name for t in exported_tables(conn) if t.name not in have]


def enable(conn: sqlite3.Connection) -> list[str]:
    """Switch capture on (idempotent): the tables and the triggers.  In a write transaction.

    Switched on again after :func:`disable`: the kept sequence moves one on, so the first
    export's bookmark (and folder name) is new, whatever changed while capture was off."""
    if not is_enabled(conn) and conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'").fetchone():
        conn.execute("UPDATE sqlite_sequence SET seq = seq + 1 WHERE name = ?", (CHANGE_LOG,))
    create_tables(conn)
    return refresh_triggers(conn)


def disable(conn: sqlite3.Connection) -> None:
    """Switch capture off: drop the triggers and the log (the next export after enabling again is full).
    The log's sequence is kept, so versions and bookmarks after enabling again go on rising: a new
    export never takes the folder name of an old one."""
    seq = last_seq(conn) if is_enabled(conn) else None
    for (trigger,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE ?"
                                   " ESCAPE '\\'", (TRIGGER_PREFIX.replace("_", "\\_") + "%",)).fetchall():
        conn.execute(f"DROP TRIGGER {_q(trigger)}")
    conn.execute(f"DROP TABLE IF EXISTS {CHANGE_LOG}")
    conn.execute(f"DROP TABLE IF EXISTS {EXPORTS}")
    if seq is not None:  # dropping the table dropped its sqlite_sequence row
        conn.execute("DELETE FROM sqlite_sequence WHERE name = ?", (CHANGE_LOG,))
        conn.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (CHANGE_LOG, seq))


def refresh_if_enabled(conn: sqlite3.Connection) -> None:
    """Called by :func:`crm.migrations.apply` (in its write transaction) after migrations ran:
    a store with capture on keeps every exported table covered, a plugin's new ones too."""
    if is_enabled(conn):
        refresh_triggers(conn)


def last_seq(conn: sqlite3.Connection) -> int:
    """The last change's seq, or the seq capture started at (1: see :func:`create_tables`)."""
    return int(conn.execute(
        f"SELECT max(coalesce((SELECT max(seq) FROM {CHANGE_LOG}), 0),"
        f" coalesce((SELECT seq FROM sqlite_sequence WHERE name = '{CHANGE_LOG}'), 0))").fetchone()[0])


def last_bookmark(conn: sqlite3.Connection) -> int | None:
    row = conn.execute(f"SELECT max(bookmark) FROM {EXPORTS}").fetchone()
    return None if row is None or row[0] is None else int(row[0])


def known_bookmarks(conn: sqlite3.Connection) -> set[int]:
    return {int(r[0]) for r in conn.execute(f"SELECT DISTINCT bookmark FROM {EXPORTS}")}


def after_restore(live: sqlite3.Connection, staged: sqlite3.Connection) -> None:
    """``crm db restore`` of a store with capture on (in the staged database's write transaction):
    the backup's change log is behind what the group has already received.  Later changes get
    versions above everything handed out before (the sequence continues from the live log),
    and the bookmarks of the abandoned history are dropped, so the next export is a full one
    (``--since last`` is refused until then), which replaces the store in the warehouse."""
    if not is_enabled(staged):
        return
    live_seq = last_seq(live) if is_enabled(live) else 0
    if live_seq > last_seq(staged):
        staged.execute("DELETE FROM sqlite_sequence WHERE name = ?", (CHANGE_LOG,))
        staged.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (CHANGE_LOG, live_seq))
    staged.execute(f"DELETE FROM {EXPORTS}")
