"""Paging through one stream, one transaction per page (data + bookmark together).

The bookmark (``portal_streams``) holds:

- ``updated_since`` — where a new pass starts (inclusive). Within a pass it moves to the
  newest ``updated_at`` applied (records come in ``(updated_at, id)`` order, and a record
  changed while we page comes again later with a newer time); after the last page of a
  pass it moves to that page's ``server_time`` (so a batch of thousands of records sharing
  one ``updated_at`` is not read again). Only the server's times are used, never ours;
  the bookmark never moves backwards.
- ``cursor`` — the next page of an unfinished pass (a run killed mid-way resumes there).
  A cursor answered with 410 (expired) is dropped and the pass restarts from
  ``updated_since``.

Nothing is ever deleted because it is absent from an answer: only tombstones delete.
"""

from __future__ import annotations

from collections import Counter
from typing import Callable

from .apply import apply_records
from .client import NOT_APPLIED, PortalGarbage
from .records import parse_instant

MAX_RESTARTS = 5


def state(store, stream: str) -> dict:
    row = store.query_one("SELECT * FROM portal_streams WHERE stream = ?", (stream,))
    return row or {"stream": stream, "updated_since": None, "cursor": None}


def _later(a: str | None, b: str | None) -> str | None:
    if a is None:
        return b
    if b is None:
        return a
    return b if parse_instant(b) > parse_instant(a) else a


def _check_page(body, path: str) -> tuple[list, str | None, str]:
    if not isinstance(body, dict):
        raise PortalGarbage(f"portal GET {path}: the answer is not a JSON object; " + NOT_APPLIED)
    data, cursor, server_time = body.get("data"), body.get("next_cursor"), body.get("server_time")
    if not isinstance(data, list):
        raise PortalGarbage(f"portal GET {path}: the answer has no 'data' list; " + NOT_APPLIED)
    if cursor is not None and (not isinstance(cursor, str) or not cursor):
        raise PortalGarbage(f"portal GET {path}: 'next_cursor' is neither a string nor null; " + NOT_APPLIED)
    try:
        parse_instant(server_time)
    except ValueError:
        raise PortalGarbage(f"portal GET {path}: 'server_time' {server_time!r} is not an RFC 3339 time; "
                            + NOT_APPLIED) from None
    return data, cursor, server_time


def _save(tx, stream: str, **values) -> None:
    tx.conn.execute("INSERT OR IGNORE INTO portal_streams (stream) VALUES (?)", (stream,))
    sets = ", ".join(f"{k} = ?" for k in values)
    tx.conn.execute(f"UPDATE portal_streams SET {sets} WHERE stream = ?", (*values.values(), stream))


def pull(app, client, stream: str, *, limit: int, full: bool = False,
         note: Callable[[str], None] | None = None) -> Counter:
    """Read ``stream`` until ``next_cursor`` is null; returns the counts of what was applied."""
    path = f"/streams/{stream}"
    counts: Counter = Counter()
    start = state(app.store, stream)
    since = None if full else start["updated_since"]
    cursor = start["cursor"]
    if full and cursor:
        cursor = None
    restarts = 0
    seen: set[str] = set()  # the cursors of this pass: a portal repeating one would page forever
    while True:
        params = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        elif since:
            params["updated_since"] = since
        answer = client.request("GET", path, params=params, ok=(410, 400))
        counts["pages"] += 1
        if answer.status == 400 and not cursor:
            from .client import PortalRefused, problem_text

            raise PortalRefused(f"portal GET {path}: 400 {problem_text(answer.body)}", status=400,
                                problem=answer.body if isinstance(answer.body, dict) else None)
        if answer.status in (400, 410):  # an expired (410) or unusable (400) cursor
            restarts += 1
            if restarts > MAX_RESTARTS:
                from .client import PortalUnavailable

                raise PortalUnavailable(f"portal GET {path}: cursors keep expiring (410 {restarts} times); "
                                        "try again later")
            stored = state(app.store, stream)
            since = None if full else stored["updated_since"]
            cursor = None
            counts["restarts"] += 1
            if note:
                note(f"{stream}: cursor expired (410), restarting from {since or 'the beginning'}")
            with app.transaction() as tx:
                _save(tx, stream, cursor=None)
            seen.clear()
            continue
        data, next_cursor, server_time = _check_page(answer.body, path)
        if cursor:
            seen.add(cursor)
        if next_cursor is not None and next_cursor in seen:
            raise PortalGarbage(f"portal GET {path}: 'next_cursor' repeats an earlier cursor (the paging would "
                                "never end); nothing of this page was applied")
        newest = None
        for record in data:
            stamp = record.get("updated_at") if isinstance(record, dict) else None
            if not isinstance(stamp, str):
                continue
            try:
                parse_instant(stamp)  # a bad time ("", "yesterday") never becomes the bookmark
            except ValueError:
                continue
            newest = _later(newest, stamp)
        with app.transaction() as tx:
            page = apply_records(tx, stream, data)
            current = state(tx.store, stream)["updated_since"]
            bookmark = _later(current, newest)
            if next_cursor is None:
                bookmark = _later(bookmark, server_time)
            _save(tx, stream, updated_since=bookmark, cursor=next_cursor, server_time=server_time,
                  applied=_add(tx, stream, "applied", page["applied"]),
                  skipped=_add(tx, stream, "skipped", page["skipped"]),
                  deleted=_add(tx, stream, "deleted", page["deleted"]),
                  quarantined=_add(tx, stream, "quarantined", page["quarantined_new"]))
            if data:
                tx.audit("sync", "portal_stream", detail={"stream": stream, "records": len(data),
                                                          "applied": page["applied"], "deleted": page["deleted"]})
        counts.update(page)
        if note:
            note(f"{stream}: page of {len(data)} (applied {page['applied']}, deleted {page['deleted']}, "
                 f"skipped {page['skipped']}, quarantined {page['quarantined']})")
        if next_cursor is None:
            return counts
        cursor = next_cursor


def _add(tx, stream: str, column: str, n: int) -> int:
    value = tx.conn.execute(f"SELECT {column} FROM portal_streams WHERE stream = ?", (stream,)).fetchone()
    return (value[0] if value else 0) + n
