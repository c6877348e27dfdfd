"""The portal's data: streams of versioned records and what the dealer sent.

All mutations take the store lock; ``updated_at`` comes from the server clock
under that lock, so a page's ``server_time`` (also read under the lock) is never
later than a change made after it.
"""

from __future__ import annotations

import bisect
import copy
import threading
from typing import Any, Iterable

from .clock import Clock
from .problems import Problem
from .records import ID_PREFIXES, STREAMS, Record, format_id

WRITE_KINDS = ("followups", "complaint_events", "callbacks", "completions")
WRITE_PREFIXES = {"followups": "FUP", "complaint_events": "EVT", "callbacks": "CBK", "completions": "CPL"}
SERVER_FIELDS = ("updated_at", "version", "deleted")


class Stream:
    """The records of one stream, kept in ``(updated_at, id)`` order."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.prefix = ID_PREFIXES[name]
        self.records: dict[str, Record] = {}
        self._order: list[tuple[int, str]] = []
        self.last_number = 0

    def put(self, record: Record) -> None:
        """Insert or replace a record, keeping the order index right."""
        old = self.records.get(record.id)
        if old is not None:
            index = bisect.bisect_left(self._order, old.order_key)
            del self._order[index]
        self.records[record.id] = record
        bisect.insort(self._order, record.order_key)
        number = record.id.rsplit("-", 1)[-1]
        if record.id.startswith(self.prefix + "-") and number.isdigit():
            self.last_number = max(self.last_number, int(number))

    def next_id(self) -> str:
        """A fresh identifier after the highest one in use."""
        self.last_number += 1
        return format_id(self.prefix, self.last_number)

    def page(
        self, since: int | None, after: tuple[int, str] | None, limit: int
    ) -> tuple[list[Record], bool]:
        """Records with ``updated_at >= since`` and key ``> after``; and whether more follow."""
        start = 0
        if since is not None:
            start = bisect.bisect_left(self._order, (since, ""))
        if after is not None:
            start = max(start, bisect.bisect_right(self._order, after))
        keys = self._order[start : start + limit + 1]
        chosen = [self.records[key[1]] for key in keys[:limit]]
        return chosen, len(keys) > limit

    def ordered(self) -> list[Record]:
        """All records in stream order (tombstones included)."""
        return [self.records[key[1]] for key in self._order]


class Store:
    """Streams plus the dealer's writes, behind one re-entrant lock."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.lock = threading.RLock()
        self.streams: dict[str, Stream] = {name: Stream(name) for name in STREAMS}
        self.received: dict[str, list[dict[str, Any]]] = {kind: [] for kind in WRITE_KINDS}
        self._write_numbers: dict[str, int] = {kind: 0 for kind in WRITE_KINDS}
        self.listeners: list[Any] = []
        self.served_high = 0  # the latest updated_at any page has shown

    def note_served(self, records: Iterable[Record]) -> None:
        """Remember the latest ``updated_at`` a page showed (see :meth:`_stamp`)."""
        with self.lock:
            for record in records:
                self.served_high = max(self.served_high, record.updated_at)

    def _stamp(self) -> int:
        """The ``updated_at`` of a change: now, but always after anything already served.

        When a page has shown a record changed in this very second, the clock
        first moves on to the next second. So a change always sorts after every
        cursor position handed out, and is never earlier than a ``server_time``.
        """
        now = self.clock.now_s()
        if now <= self.served_high:
            self.clock.set(self.served_high + 1)
            now = self.clock.now_s()
        return now

    # ----- reading -------------------------------------------------------
    def stream(self, name: str) -> Stream:
        """The stream by name, or a 404 problem."""
        try:
            return self.streams[name]
        except KeyError:
            raise Problem(404, "unknown-stream", f"there is no stream {name!r}", streams=list(STREAMS)) from None

    def get(self, stream: str, record_id: str) -> Record | None:
        """A record (maybe a tombstone) or None."""
        with self.lock:
            return self.stream(stream).records.get(record_id)

    def live(self, stream: str, record_id: str) -> Record:
        """A record that exists and is not deleted, or a 404 problem."""
        record = self.get(stream, record_id)
        if record is None:
            raise Problem(404, "not-found", f"{stream} record {record_id} does not exist")
        if record.deleted:
            raise Problem(404, "record-deleted", f"{stream} record {record_id} was deleted by the OEM",
                          current=record.wire())
        return record

    # ----- mutations -----------------------------------------------------
    def load(self, records: dict[str, Iterable[Record]]) -> None:
        """Put records as they are (seed data, a state file)."""
        with self.lock:
            for stream, items in records.items():
                for record in items:
                    self.streams[stream].put(record)

    def create(self, stream: str, fields: dict[str, Any], record_id: str | None = None) -> Record:
        """A new record with version 1 (or bring back a deleted one with version+1)."""
        with self.lock:
            target = self.stream(stream)
            record_id = record_id or target.next_id()
            existing = target.records.get(record_id)
            if existing is not None and not existing.deleted:
                raise Problem(409, "already-exists", f"{stream} record {record_id} exists")
            version = existing.version + 1 if existing else 1
            record = Record(record_id, version, self._stamp(), False, _clean(fields))
            target.put(record)
            self._changed()
            return record

    def update(self, stream: str, record_id: str, fields: dict[str, Any]) -> Record:
        """Merge fields into a record (top level); version+1, updated_at now.

        A tombstone is brought back to life with its last fields plus these.
        """
        with self.lock:
            target = self.stream(stream)
            old = target.records.get(record_id)
            if old is None:
                raise Problem(404, "not-found", f"{stream} record {record_id} does not exist")
            merged = copy.deepcopy(old.fields)
            merged.update(_clean(fields))
            record = Record(record_id, old.version + 1, self._stamp(), False, merged)
            target.put(record)
            self._changed()
            return record

    def touch(self, stream: str, record_id: str) -> Record:
        """Re-save a record unchanged: version+1 and updated_at now."""
        with self.lock:
            old = self.stream(stream).records.get(record_id)
            if old is None:
                raise Problem(404, "not-found", f"{stream} record {record_id} does not exist")
            record = Record(record_id, old.version + 1, self._stamp(), old.deleted, copy.deepcopy(old.fields))
            self.streams[stream].put(record)
            self._changed()
            return record

    def delete(self, stream: str, record_id: str) -> Record:
        """Turn a record into a tombstone (version+1). Deleting a tombstone is a no-op."""
        with self.lock:
            old = self.stream(stream).records.get(record_id)
            if old is None:
                raise Problem(404, "not-found", f"{stream} record {record_id} does not exist")
            if old.deleted:
                return old
            record = Record(record_id, old.version + 1, self._stamp(), True, copy.deepcopy(old.fields))
            self.streams[stream].put(record)
            self._changed()
            return record

    def add_received(self, kind: str, body: dict[str, Any]) -> dict[str, Any]:
        """Store one dealer write under a fresh id; return the stored record."""
        with self.lock:
            self._write_numbers[kind] += 1
            stored = {"id": format_id(WRITE_PREFIXES[kind], self._write_numbers[kind]), **body}
            self.received[kind].append(stored)
            self._changed()
            return copy.deepcopy(stored)

    def clear_received(self) -> None:
        """Forget what the dealer sent (the control API's reset of writes)."""
        with self.lock:
            for kind in WRITE_KINDS:
                self.received[kind].clear()
            self._changed()

    def _changed(self) -> None:
        for listener in list(self.listeners):
            listener()

    # ----- state file ------------------------------------------------------
    def to_state(self) -> dict[str, Any]:
        """Everything as JSON-ready data."""
        with self.lock:
            return {
                "streams": {name: [r.to_state() for r in s.ordered()] for name, s in self.streams.items()},
                "last_numbers": {name: s.last_number for name, s in self.streams.items()},
                "received": copy.deepcopy(self.received),
                "write_numbers": dict(self._write_numbers),
                "served_high": self.served_high,
            }

    def restore(self, state: dict[str, Any]) -> None:
        """Replace everything with a saved state."""
        with self.lock:
            self.streams = {name: Stream(name) for name in STREAMS}
            for name, items in state["streams"].items():
                for item in items:
                    self.streams[name].put(Record.from_state(item))
            for name, number in state.get("last_numbers", {}).items():
                self.streams[name].last_number = max(self.streams[name].last_number, int(number))
            self.received = {kind: list(state.get("received", {}).get(kind, [])) for kind in WRITE_KINDS}
            self._write_numbers = {kind: int(state.get("write_numbers", {}).get(kind, 0)) for kind in WRITE_KINDS}
            self.served_high = int(state.get("served_high", 0))


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    """Drop the server-managed fields from a caller's fields."""
    return {k: copy.deepcopy(v) for k, v in fields.items() if k not in SERVER_FIELDS and k != "id"}
