"""The WHERE clause of a listing: the conditions its options give, joined by AND.

Every listing command (``crm action list``, ``crm card list``, ``crm audit list``, the
plugins' lists) narrows its rows by the options given and ignores the ones left out; this
is the one place that builds that clause, so an option left out never becomes ``= NULL``
and every value travels as a parameter::

    w = Where()
    w.equal("owner", owner)          # nothing when owner is None or ""
    w.add("due_on < ?", today)       # any condition with its parameters
    w.among("state", ["open", "in_progress"])
    rows = store.query("SELECT * FROM corrective_actions" + w.sql() + " ORDER BY id", w.params)
"""

from __future__ import annotations

from typing import Any, Iterable


class Where:
    """Conditions joined by AND, with their parameters in order.

    >>> w = Where().equal("owner", "li").equal("status", None).add("due_on < ?", "2026-11-20")
    >>> w.sql(), w.params
    (' WHERE owner = ? AND due_on < ?', ['li', '2026-11-20'])
    >>> Where().sql(), Where().among("id", []).sql()
    ('', ' WHERE 0')
    """

    def __init__(self) -> None:
        self.conditions: list[str] = []
        self.params: list[Any] = []

    def add(self, condition: str, *params: Any) -> "Where":
        """Add ``condition`` (SQL with ``?`` placeholders) and its parameters."""
        self.conditions.append(condition)
        self.params.extend(params)
        return self

    def equal(self, column: str, value: Any) -> "Where":
        """``column = value``, unless the option was left out (``None`` or ``""``)."""
        if value is None or value == "":
            return self
        return self.add(f"{column} = ?", value)

    def among(self, column: str, values: Iterable[Any]) -> "Where":
        """``column IN (values)``; no values matches nothing."""
        values = list(values)
        if not values:
            return self.add("0")
        return self.add(f"{column} IN ({', '.join('?' * len(values))})", *values)

    def sql(self, keyword: str = " WHERE ") -> str:
        """The clause (``" WHERE a AND b"``), or ``""`` when nothing narrows."""
        return keyword + " AND ".join(self.conditions) if self.conditions else ""
