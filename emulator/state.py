"""Optional JSON persistence of an emulator (``--state FILE``).

The file holds the records with their versions, the dealer's writes, the
idempotency keys, the cursor signing key and the server clock. It is written
atomically after every request that changed something, and on stop. Tokens are
not kept: after a restart, clients get a 401 and a new token.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import Portal

FORMAT = 1


class StateError(RuntimeError):
    """A state file that cannot be used."""


def snapshot(portal: "Portal") -> dict[str, Any]:
    """Everything worth keeping, JSON-ready."""
    with portal.store.lock:
        return {
            "format": FORMAT,
            "dealer_code": portal.config.dealer_code,
            "seed": portal.config.seed,
            "clock": portal.clock.now(),
            "store": portal.store.to_state(),
            "idempotency": portal.idempotency.to_state(),
            "cursor_key": portal.cursors.key.hex(),
            "cursor_generation": portal.cursors.generation,
        }


def save(portal: "Portal", path: str | os.PathLike[str]) -> None:
    """Write the state atomically (temporary file, then rename)."""
    target = Path(path)
    data = json.dumps(snapshot(portal), ensure_ascii=False, indent=1)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=target.name + ".", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load(portal: "Portal", path: str | os.PathLike[str]) -> bool:
    """Restore a saved state if the file exists; True when it did."""
    source = Path(path)
    if not source.exists():
        return False
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StateError(f"cannot read state file {source}: {exc}") from exc
    if data.get("format") != FORMAT:
        raise StateError(f"state file {source} has an unknown format")
    if data.get("dealer_code") != portal.config.dealer_code:
        raise StateError(f"state file {source} belongs to dealer {data.get('dealer_code')}")
    with portal.store.lock:
        portal.store.restore(data["store"])
        portal.idempotency.restore(data.get("idempotency", []))
        portal.cursors.key = bytes.fromhex(data["cursor_key"])
        portal.cursors.generation = int(data.get("cursor_generation", 0))
        saved_clock = float(data.get("clock", 0))
        if saved_clock > portal.clock.now():
            portal.clock.set(saved_clock)
    return True


class StateSaver:
    """Saves after changes: the store marks it dirty, the server calls :meth:`flush`."""

    def __init__(self, portal: "Portal", path: str | os.PathLike[str]) -> None:
        self.portal = portal
        self.path = path
        self._dirty = False
        self._lock = threading.Lock()
        portal.store.listeners.append(self.mark)

    def mark(self) -> None:
        """Something changed."""
        self._dirty = True

    def flush(self, force: bool = False) -> None:
        """Save if anything changed since the last save."""
        with self._lock:
            if self._dirty or force:
                self._dirty = False
                save(self.portal, self.path)
