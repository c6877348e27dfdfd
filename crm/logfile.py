"""crm's log file: rotating, private (0600), and never carrying a secret.

Commands that run under cron (the portal sync, the daily plans) log what they did here;
on a terminal they print it too with ``-v``. A :class:`RedactingFilter` removes every
registered secret and any ``Authorization`` header value from each record before it is
written.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
from pathlib import Path

AUTH_HEADER = re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?)(bearer\s+)?[^\s'\",}]+")
TOKENISH = re.compile(r"(?i)((?:access_token|client_secret|password|token)['\"]?\s*[:=]\s*['\"]?)[^\s'\"&,}]+")


class RedactingFilter(logging.Filter):
    def __init__(self, secrets: list[str] | None = None):
        super().__init__()
        self.secrets = [s for s in (secrets or []) if s and len(s) >= 4]

    def add_secret(self, secret: str | None) -> None:
        if secret and len(secret) >= 4 and secret not in self.secrets:
            self.secrets.append(secret)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "********")
        text = AUTH_HEADER.sub(r"\1********", text)
        return TOKENISH.sub(r"\1********", text)

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redact(record.getMessage())
        record.args = None
        return True


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating file handler whose files are created 0600."""

    def _open(self):
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.chmod(self.baseFilename, 0o600)
        return os.fdopen(fd, self.mode.replace("w", "a"), encoding=self.encoding or "utf-8")


def default_log_path() -> Path:
    from platformdirs import user_log_dir

    return Path(user_log_dir("crm", appauthor=False)) / "crm.log"


def setup_logger(config, environ, name: str = "crm") -> tuple[logging.Logger, RedactingFilter]:
    """The ``crm`` logger writing to the configured log file (created on first use)."""
    logger = logging.getLogger(name)
    redactor = RedactingFilter()
    path = Path(config.get("log.path") or environ.get("CRM_LOG") or default_log_path())
    for handler in list(logger.handlers):
        if getattr(handler, "_crm", False):
            logger.removeHandler(handler)
            handler.close()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    handler = PrivateRotatingFileHandler(
        path, maxBytes=int(config.get("log.max_bytes") or 1_000_000),
        backupCount=int(config.get("log.backups") or 5), encoding="utf-8", delay=True,
    )
    handler._crm = True
    handler.addFilter(redactor)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return logger, redactor
