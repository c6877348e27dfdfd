"""Schema migrations: ordered functions, one named set per owner (the core, each plugin).

A plugin declares its set and hands it to crm through the ``register_migrations`` hook::

    from crm.migrations import Migrations

    migrations = Migrations("callbacks")

    @migrations()
    def m001_create_tasks(db):
        db["callback_tasks"].create({"id": int, "customer_id": int}, pk="id")

Each function receives a ``sqlite_utils.Database`` and runs, together with the row that
records it in ``_crm_migrations``, in one ``BEGIN IMMEDIATE`` transaction: it is applied
once, in the order of definition, or not at all.  Never rename, reorder or edit a
migration that has shipped; add a new one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING, Callable, Iterable

from .errors import CrmError

if TYPE_CHECKING:  # pragma: no cover
    from .store import Store

MIGRATIONS_TABLE = "_crm_migrations"


@dataclasses.dataclass(frozen=True)
class Step:
    owner: str
    name: str
    fn: Callable


class Migrations:
    """An ordered set of migration functions belonging to one owner."""

    def __init__(self, owner: str):
        if not owner or not owner.replace("_", "").replace("-", "").isalnum():
            raise ValueError(f"bad migrations owner name: {owner!r}")
        self.owner = owner
        self.steps: list[Step] = []

    def __call__(self, *, name: str | None = None) -> Callable[[Callable], Callable]:
        def decorator(fn: Callable) -> Callable:
            step_name = name or fn.__name__
            if any(step.name == step_name for step in self.steps):
                raise ValueError(f"migration {self.owner}.{step_name} is defined twice")
            self.steps.append(Step(self.owner, step_name, fn))
            return fn

        return decorator

    def __repr__(self) -> str:
        return f"<Migrations {self.owner}: {len(self.steps)} steps>"


def ensure_table(store: "Store") -> None:
    store.conn.execute(
        f"""CREATE TABLE IF NOT EXISTS {MIGRATIONS_TABLE} (
            owner TEXT NOT NULL,
            name TEXT NOT NULL,
            applied_at TEXT NOT NULL,
            PRIMARY KEY (owner, name)
        )"""
    )


def applied(store: "Store") -> set[tuple[str, str]]:
    exists = store.scalar(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (MIGRATIONS_TABLE,)
    )
    if not exists:
        return set()
    return {tuple(row) for row in store.conn.execute(f"SELECT owner, name FROM {MIGRATIONS_TABLE}")}


def pending(store: "Store", sets: Iterable[Migrations]) -> list[Step]:
    done = applied(store)
    return [step for ms in sets for step in ms.steps if (step.owner, step.name) not in done]


def status(store: "Store", sets: Iterable[Migrations]) -> list[dict]:
    """Every known migration with when it was applied (None = pending)."""
    when: dict[tuple[str, str], str] = {}
    if applied(store):
        for owner, name, at in store.conn.execute(
            f"SELECT owner, name, applied_at FROM {MIGRATIONS_TABLE}"
        ):
            when[(owner, name)] = at
    rows = []
    for ms in sets:
        for step in ms.steps:
            rows.append(
                {"owner": step.owner, "name": step.name, "applied_at": when.get((step.owner, step.name))}
            )
    known = {(r["owner"], r["name"]) for r in rows}
    for (owner, name), at in sorted(when.items()):
        if (owner, name) not in known:  # applied by a plugin that is not loaded now
            rows.append({"owner": owner, "name": name, "applied_at": at})
    return rows


def apply(store: "Store", sets: Iterable[Migrations]) -> list[Step]:
    """Apply every pending step, each in its own write transaction; return what ran."""
    sets = list(sets)
    ran: list[Step] = []
    while True:
        with store.transaction():
            ensure_table(store)
            todo = pending(store, sets)  # re-read under the write lock
            if not todo:
                if ran:  # a store with group change capture: cover new and rebuilt tables too
                    from .group.changelog import refresh_if_enabled

                    refresh_if_enabled(store.conn)
                return ran
            step = todo[0]
            try:
                step.fn(store.db)
            except Exception as exc:
                raise CrmError(f"migration {step.owner}.{step.name} failed: {exc}") from exc
            store.conn.execute(
                f"INSERT INTO {MIGRATIONS_TABLE} (owner, name, applied_at) VALUES (?, ?, ?)",
                (step.owner, step.name, dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")),
            )
        ran.append(step)
