"""What every stream's code shares: the refusal and the portal's time stamps (a leaf module).

:mod:`crm_portal.apply` dispatches records to the stream modules (owners, leads), which
import these from here, not from the dispatcher: no import cycles.
"""

from __future__ import annotations

import datetime as dt
from typing import Any


class Refused(Exception):
    """A record that cannot be applied; its reason goes to the quarantine."""


def parse_instant(value: Any) -> dt.datetime:
    if not isinstance(value, str) or not value:
        raise ValueError("not a time")
    moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError("a time without an offset")
    return moment
