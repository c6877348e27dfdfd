"""Opaque paging cursors: a signed position in a stream, with an issue time.

A cursor names the stream, the dealer, the ``updated_since`` of the pass and the
``(updated_at, id)`` of the last record served. It is stateless: a record changed
after it was served moves behind the position and comes again later in the pass.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
from dataclasses import dataclass

from .problems import Problem


@dataclass(frozen=True)
class CursorState:
    """What a cursor carries."""

    stream: str
    dealer: str
    since: int | None
    last_updated: int
    last_id: str
    issued_at: int
    generation: int


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class CursorCodec:
    """Signs and checks cursors; ``expire_all`` makes every issued cursor stale."""

    def __init__(self, ttl: int, key: bytes | None = None) -> None:
        self.ttl = ttl
        self.key = key or secrets.token_bytes(32)
        self.generation = 0
        self._lock = threading.Lock()

    def expire_all(self) -> None:
        """Every cursor issued so far will answer 410."""
        with self._lock:
            self.generation += 1

    def encode(self, state: CursorState) -> str:
        """The opaque text of a cursor."""
        payload = json.dumps(
            [state.stream, state.dealer, state.since, state.last_updated, state.last_id,
             state.issued_at, state.generation],
            separators=(",", ":"),
        ).encode("utf-8")
        signature = hmac.new(self.key, payload, hashlib.sha256).digest()[:16]
        return _b64(payload) + "." + _b64(signature)

    def decode(self, text: str, now: int) -> CursorState:
        """Check a cursor: 400 when not ours or damaged, 410 when expired."""
        try:
            payload_text, signature_text = text.split(".")
            payload, signature = _unb64(payload_text), _unb64(signature_text)
            expected = hmac.new(self.key, payload, hashlib.sha256).digest()[:16]
            if not hmac.compare_digest(signature, expected):
                raise ValueError("bad signature")
            stream, dealer, since, last_updated, last_id, issued_at, generation = json.loads(payload)
            state = CursorState(stream, dealer, since, int(last_updated), str(last_id), int(issued_at), int(generation))
        except (ValueError, TypeError, UnicodeDecodeError) as exc:
            raise Problem(400, "invalid-cursor", "the cursor is not one this portal issued") from exc
        with self._lock:
            stale_generation = state.generation != self.generation
        if stale_generation or now >= state.issued_at + self.ttl:
            raise Problem(
                410, "cursor-expired",
                f"the cursor expired (cursors are valid for {self.ttl} s); "
                "restart the stream from the last updated_since you stored",
            )
        return state
