"""The server clock: the only clock of the portal.

It starts at a chosen instant and then runs with real time (or stands still when
frozen). It can be moved forward, never back, so that every ``updated_at`` the
server hands out is at or after every ``server_time`` it reported before.
"""

from __future__ import annotations

import threading
import time


class Clock:
    """A monotonic, adjustable server clock in epoch seconds (UTC)."""

    def __init__(self, start: float | None = None, *, frozen: bool = False) -> None:
        self._lock = threading.Lock()
        self._start = float(int(time.time() if start is None else start))
        self._mono0 = time.monotonic()
        self._offset = 0.0
        self.frozen = frozen

    def now(self) -> float:
        """The current server time, epoch seconds (fractional)."""
        with self._lock:
            return self._now_locked()

    def now_s(self) -> int:
        """The current server time in whole seconds (what records carry)."""
        return int(self.now())

    def _now_locked(self) -> float:
        elapsed = 0.0 if self.frozen else time.monotonic() - self._mono0
        return self._start + elapsed + self._offset

    def set_frozen(self, frozen: bool) -> float:
        """Stop (True) or restart (False) the running with real time, without a jump."""
        with self._lock:
            current = self._now_locked()
            self._start, self._mono0, self._offset = current, time.monotonic(), 0.0
            self.frozen = frozen
            return current

    def advance(self, seconds: float) -> float:
        """Move the clock forward by ``seconds`` (>= 0); return the new time."""
        if seconds < 0:
            raise ValueError("the server clock never goes back")
        with self._lock:
            self._offset += seconds
            return self._now_locked()

    def set(self, epoch: float) -> float:
        """Move the clock forward to ``epoch``; refuses to go back."""
        with self._lock:
            current = self._now_locked()
            if epoch < current:
                raise ValueError("the server clock never goes back")
            self._offset += epoch - current
            return self._now_locked()
