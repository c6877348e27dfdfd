"""Idempotency keys of dealer writes: the first successful answer, replayed.

Only answers that applied a write (2xx) are kept: a failed attempt (4xx, 5xx)
stores nothing, so the client may retry with the same key after fixing it.
A key is kept for 24 hours of server time. The same key with another method,
path or JSON body answers 422 ``idempotency-key-reused``.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any

from .problems import Problem

RETENTION_SECONDS = 24 * 3600
MAX_KEY_LENGTH = 255


@dataclass
class StoredAnswer:
    """The first answer to a key, and what it was an answer to."""

    fingerprint: str
    status: int
    headers: dict[str, str]
    body: bytes
    stored_at: float


def fingerprint(method: str, path: str, body: Any) -> str:
    """Method, path and the canonical JSON of the body."""
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return f"{method} {path} {canonical}"


def check_key(key: str | None) -> str:
    """The key of a write, or a 400 problem when it is missing or unusable."""
    if key is None or not key.strip():
        raise Problem(400, "missing-idempotency-key", "every write carries an Idempotency-Key header")
    key = key.strip()
    if len(key) > MAX_KEY_LENGTH or not key.isprintable() or not key.isascii():
        raise Problem(400, "invalid-idempotency-key", f"Idempotency-Key is 1..{MAX_KEY_LENGTH} printable ASCII characters")
    return key


class IdempotencyCache:
    """Answers by (dealer, key)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._answers: dict[tuple[str, str], StoredAnswer] = {}

    def lookup(self, dealer: str, key: str, print_: str, now: float) -> StoredAnswer | None:
        """The stored answer for a replay; 422 for a key reused on another request."""
        with self._lock:
            stored = self._answers.get((dealer, key))
            if stored is not None and stored.stored_at + RETENTION_SECONDS <= now:
                del self._answers[(dealer, key)]
                stored = None
        if stored is None:
            return None
        if stored.fingerprint != print_:
            raise Problem(
                422, "idempotency-key-reused",
                "this Idempotency-Key was already used for a different request; use a new key for a new write",
            )
        return stored

    def remember(self, dealer: str, key: str, answer: StoredAnswer) -> None:
        """Keep a successful answer."""
        with self._lock:
            self._answers[(dealer, key)] = answer

    def to_state(self) -> list[dict[str, Any]]:
        """JSON-ready form for the state file."""
        with self._lock:
            return [
                {"dealer": d, "key": k, "fingerprint": a.fingerprint, "status": a.status,
                 "headers": a.headers, "body": a.body.decode("utf-8"), "stored_at": a.stored_at}
                for (d, k), a in self._answers.items()
            ]

    def restore(self, items: list[dict[str, Any]]) -> None:
        """The inverse of :meth:`to_state`."""
        with self._lock:
            self._answers = {
                (i["dealer"], i["key"]): StoredAnswer(
                    i["fingerprint"], int(i["status"]), dict(i["headers"]), i["body"].encode("utf-8"), float(i["stored_at"])
                )
                for i in items
            }

    def clear(self) -> None:
        """Forget every key."""
        with self._lock:
            self._answers.clear()
