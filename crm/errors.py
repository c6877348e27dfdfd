"""Errors that end a command, and the exit codes they map to.

The exit codes are part of crm's interface for scripts and cron and never change
(see docs/exit-codes.md):

====  ==========================================================
0     success
1     anything else (a bug, an unexpected failure)
2     bad input or usage: nothing was changed
3     done, but some items need a person (conflicts, rejects, ...)
75    temporary failure: try again later (lock held, remote unreachable)
====  ==========================================================
"""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    OK = 0
    FAILURE = 1
    BAD_INPUT = 2
    NEEDS_ATTENTION = 3
    TEMPORARY_FAILURE = 75


class CrmError(Exception):
    """A failure with a one-line message for the user and a stable exit code."""

    exit_code: int = ExitCode.FAILURE

    def __init__(self, message: str, *, exit_code: int | None = None):
        super().__init__(message)
        self.message = " ".join(str(message).split()) if "\n" in str(message) else str(message)
        if exit_code is not None:
            self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message


class BadInput(CrmError):
    """The user's input (an option, a file, a value, an id) is wrong; nothing changed."""

    exit_code = ExitCode.BAD_INPUT


class NotFound(BadInput):
    """An id or name the user gave does not exist."""


class PermissionDenied(BadInput):
    """The acting staff member's role may not do this."""


class ConfigError(BadInput):
    """The configuration file or an environment override is broken."""


class TemporaryFailure(CrmError):
    """Try again later: a lock is held, the database is busy, a remote is unreachable."""

    exit_code = ExitCode.TEMPORARY_FAILURE


class NeedsAttention(CrmError):
    """The command did its work, but items wait for a person (exit 3)."""

    exit_code = ExitCode.NEEDS_ATTENTION
