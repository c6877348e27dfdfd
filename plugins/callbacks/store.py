"""SQL shared by the planner, the queue, results and reports (callback_* tables)."""

from __future__ import annotations

import contextlib
import json
from typing import Iterable, Iterator

from crm.errors import BadInput, NotFound

CHUNK = 500


def chunks(values: list, size: int = CHUNK) -> Iterator[list]:
    for i in range(0, len(values), size):
        yield values[i:i + size]


def marks(values) -> str:
    return ", ".join("?" * len(values))


@contextlib.contextmanager
def page_cache(conn, cache_mib: int, map_mib: int = 0) -> Iterator[None]:
    """A larger page cache and a memory map for a while, then back as before.

    The connection keeps up to ``cache_mib`` MiB of pages (allocated as used) and reads the
    file through a map of up to ``map_mib`` MiB.  A daily plan on a large archive reads and
    changes tens of thousands of pages in one transaction: with SQLite's default cache
    (2 MiB) the changed pages are spilled to the WAL mid-transaction and read back when
    touched again, and every page read is a system call and a copy.  Neither setting
    changes what is written or when it is synced (writes never go through the map).
    """
    cache = conn.execute("PRAGMA cache_size").fetchone()[0]
    mapped = conn.execute("PRAGMA mmap_size").fetchone()
    conn.execute(f"PRAGMA cache_size = {-int(cache_mib) * 1024}")
    if map_mib and mapped is not None:  # None: SQLite built without memory maps
        conn.execute(f"PRAGMA mmap_size = {int(map_mib) * 1024 * 1024}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cache_size = {int(cache)}")
        if map_mib and mapped is not None:
            conn.execute(f"PRAGMA mmap_size = {int(mapped[0])}")


# ----------------------------------------------------------------- state (watermarks)
def read_state(conn) -> dict[str, str]:
    return dict(conn.execute("SELECT name, value FROM callback_state"))


def write_state(conn, values: dict[str, str], now: str) -> None:
    conn.executemany(
        "INSERT INTO callback_state (name, value, updated_at) VALUES (?, ?, ?)"
        " ON CONFLICT(name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        [(k, str(v), now) for k, v in values.items()])


# ----------------------------------------------------------------- staff
def specialists(conn, roles: Iterable[str]) -> list[dict]:
    roles = list(roles)
    rows = conn.execute(
        f"SELECT code, name, daily_capacity FROM staff WHERE active = 1 AND role IN ({marks(roles)})"
        " ORDER BY code", roles).fetchall()
    return [{"code": c, "name": n, "capacity": cap} for c, n, cap in rows]


def loads(conn, as_of: str) -> dict[tuple[str, str], int]:
    """Open calls per (specialist, day) from ``as_of`` on; an overdue backlog weighs on ``as_of``."""
    out: dict[tuple[str, str], int] = {}
    # Grouped in the order of callback_tasks_queue (status, assigned_to, scheduled_on): no
    # sort; the days before ``as_of`` are added up here.
    for code, day, n in conn.execute(
        "SELECT assigned_to, scheduled_on, count(*) FROM callback_tasks"
        " WHERE status = 'open' AND assigned_to IS NOT NULL GROUP BY assigned_to, scheduled_on"):
        key = (code, max(day, as_of))
        out[key] = out.get(key, 0) + n
    return out


# ----------------------------------------------------------------- tasks
def get_task(conn, task_id) -> dict:
    try:
        key = int(task_id)
    except (TypeError, ValueError):
        raise BadInput(f"callback task id {task_id!r} is not a number") from None
    cursor = conn.execute("SELECT * FROM callback_tasks WHERE id = ?", (key,))
    row = cursor.fetchone()
    if row is None:
        raise NotFound(f"no callback task {key} (see 'crm callbacks due')")
    return decode_task(dict(zip([d[0] for d in cursor.description], row)))


def decode_task(row: dict) -> dict:
    row["reasons"] = json.loads(row["reasons"]) if isinstance(row.get("reasons"), str) else row.get("reasons") or []
    row["avoid_staff"] = [s for s in (row.get("avoid_staff") or "").split(",") if s]
    return row


def reason_text(reasons: list[dict]) -> str:
    return "; ".join(r.get("reason") or r.get("rule", "") for r in reasons)


#: what the planner reads of an open task to merge candidates into it (and to write back only what changes)
OPEN_TASK_COLUMNS = ("id", "customer_id", "vehicle_id", "visit_id", "rules", "reasons", "member", "start_on", "due_on",
                     "last_on", "scheduled_on", "assigned_to", "avoid_staff", "updated_at", "channel")


def open_tasks_of(conn, customer_ids: list[int]) -> dict[int, list[dict]]:
    """The open tasks of these customers, each the row as stored (``OPEN_TASK_COLUMNS``, not decoded)."""
    out: dict[int, list[dict]] = {}
    names = OPEN_TASK_COLUMNS
    select = ", ".join(names)
    for part in chunks(customer_ids):
        for row in conn.execute(
                f"SELECT {select} FROM callback_tasks WHERE status = 'open' AND customer_id IN ({marks(part)})", part):
            task = dict(zip(names, row))
            mine = out.get(row[1])
            if mine is None:
                out[row[1]] = [task]
            else:
                mine.append(task)
    return out


def planned_keys(conn, keys: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """Which (rule, key) pairs were planned already, and into which task."""
    out: dict[tuple[str, str], int] = {}
    by_rule: dict[str, list[str]] = {}
    for rule, key in keys:
        by_rule.setdefault(rule, []).append(key)
    for rule, values in by_rule.items():
        for part in chunks(values):
            for key, task_id in conn.execute(
                f"SELECT key, task_id FROM callback_plan_keys WHERE rule = ? AND key IN ({marks(part)})",
                [rule, *part]):
                out[(rule, key)] = task_id
    return out
