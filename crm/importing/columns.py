"""Fast-path tests for cells that are already in their stored form.

A cell matching one of these is exactly what the shared validation
(:mod:`crm.archive.validate`) would return for it, so the importer can keep it as is.
"""

from __future__ import annotations

import re
from typing import Any

from crm.values.text import EMPTY_MARKERS

#: an 11-digit Chinese mobile, as stored
_MOBILE = re.compile(r"1[3-9]\d{9}")
try:  # every character that text cleaning would change: a value without any is clean already
    from crm.values.text import _TABLE as _CHANGED  # type: ignore

    _SPECIAL = re.escape("".join(chr(c) for c in _CHANGED))
except Exception:  # pragma: no cover
    _SPECIAL = "\\u3000\\u00a0\\u200b\\ufeff\\uff01-\\uff5e"
#: text without leading/trailing/double spaces, full-width forms or invisible characters
_PLAIN = re.compile(f"[^\\s{_SPECIAL}]+(?: [^\\s{_SPECIAL}]+)*")


def _empty(value: Any) -> bool:
    """An empty cell: None, "", blanks, or a "nothing" marker (-, 无, N/A …)."""
    if value is None:
        return True
    if type(value) is str:
        if not value:
            return True
        if len(value) <= 6:
            s = value.strip()
            return not s or (len(s) <= 4 and s.lower() in EMPTY_MARKERS)
    return False
