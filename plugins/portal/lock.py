"""One sync at a time: a file lock next to the database (``crm.db.sync.lock``).

The lock is an OS-level lock (``filelock``), so a run killed with ``kill -9`` releases it
with its process; the file itself stays and is harmless.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Iterator

from crm.errors import TemporaryFailure


def lock_path(db_path: Path) -> Path:
    return Path(str(db_path) + ".sync.lock")


@contextlib.contextmanager
def sync_lock(db_path: Path) -> Iterator[Path]:
    from filelock import FileLock, Timeout

    path = lock_path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(path), timeout=0, mode=0o600)
    try:
        lock.acquire()
    except Timeout:
        raise TemporaryFailure(f"another 'crm sync' is running (lock {path} is held); try again later") from None
    try:
        yield path
    finally:
        lock.release()
