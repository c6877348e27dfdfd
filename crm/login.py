"""Per-staff PINs and short-lived login sessions.

A PIN is stored as ``scrypt$n$r$p$salt$hash`` (hex) in ``staff.pin_hash``; it is never
logged, printed or stored in clear. ``crm login CODE`` checks it and writes a session file
(mode 0600, in the user's state folder, one per database) holding a random token; the
database keeps only the token's sha256 with its expiry, so a session file can be neither
forged nor reused after ``crm logout`` or its expiry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
from pathlib import Path
from typing import Mapping

from .errors import BadInput

SCRYPT = {"n": 2**14, "r": 8, "p": 1}
MIN_PIN = 6


def hash_pin(pin: str) -> str:
    if len(pin) < MIN_PIN or not pin.isdigit():
        raise BadInput(f"a PIN is at least {MIN_PIN} digits")
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, dklen=32, **SCRYPT)
    return f"scrypt${SCRYPT['n']}${SCRYPT['r']}${SCRYPT['p']}${salt.hex()}${digest.hex()}"


def check_pin(pin: str, stored: str | None) -> bool:
    if not stored:
        return False
    try:
        _kind, n, r, p, salt, digest = stored.split("$")
        got = hashlib.scrypt(pin.encode(), salt=bytes.fromhex(salt), dklen=32, n=int(n), r=int(r), p=int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got.hex(), digest)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def session_path(db_path: Path, environ: Mapping[str, str]) -> Path:
    """``CRM_SESSION_FILE``, or one file per database in the user's state folder."""
    if environ.get("CRM_SESSION_FILE"):
        return Path(environ["CRM_SESSION_FILE"]).expanduser()
    from platformdirs import user_state_dir

    key = hashlib.sha256(str(Path(db_path).resolve()).encode()).hexdigest()[:16]
    return Path(user_state_dir("crm", appauthor=False)) / "sessions" / key


def check_session_target(path: Path) -> Path:
    """The session file's folder exists (made 0700) and the file passes the one output check
    (crm/io/writers.py): a device, a folder or a database as ``CRM_SESSION_FILE`` is refused
    (exit 2) before anything is recorded."""
    from .io.writers import check_target

    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    return check_target(path, None)


def write_session(path: Path, token: str, code: str, expires_at: str) -> None:
    """Written through the one checked writer: atomic, 0600, a full disk is exit 75."""
    from .io.writers import atomic_write

    check_session_target(path)
    with atomic_write(path, "w", encoding="utf-8") as fh:
        json.dump({"staff": code, "token": token, "expires_at": expires_at}, fh)


def read_session(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("token"), str):
        return None
    if path.stat().st_mode & 0o077:
        raise BadInput(f"{path}: the session file is readable by others; log in again (crm login)")
    return data


def new_token() -> str:
    return secrets.token_urlsafe(32)


def expiry(now: dt.datetime, hours: float) -> str:
    return (now + dt.timedelta(hours=hours)).isoformat(timespec="seconds")
