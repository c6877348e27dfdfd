"""The plugins' figures in the group report (the ``register_group_figures`` hook).

The group report (crm/group/report.py) computes the core's figures itself.  A plugin whose
store report has figures (``report_sections``) adds the same figures to the group report by
registering a :class:`FigureSet`:

- ``figures``: the figures, each with the key the store's report gives it
  (``crm report kpi --format json``: ``"complaints.invalid_rate"``), so a store's own report
  and the group's name a figure alike;
- ``count(warehouse, spans, now, store)``: the numbers behind the figures, counted in the
  warehouse with SQL over the plugin's exported tables, per store and span:
  ``{(store, span.label): {count name: number}}``;
- ``compute(counts)``: the figures from one store's (or the group's) counts:
  ``{figure key: value}``; ``counts`` is ``None`` when the store has none in that span.

The group's figures are ``compute`` of the stores' counts summed, name by name: a rate is
computed again from its summed numerator and denominator, an average from its summed total
and count, never averaged over stores.  So every count must be a sum (a count, a total, a
count of distinct customers of one store), never a rate or an average.

SQL is written once for DuckDB and PostgreSQL with ``?`` placeholders; :func:`span_case`
and :func:`store_filter` build the parts every figure needs.  Dates are compared as text,
like the store does (ISO dates and times all start with the dealer's local date).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any, Callable, Iterable, Mapping

Number = int | float
#: {(store code, span label): {count name: number}}
Counts = dict[tuple[str, str], dict[str, Number]]


@dataclasses.dataclass(frozen=True)
class Span:
    """One period the report compares: ``label`` is ``value`` (the report's month, to date),
    ``previous`` or ``last_year``; rows with ``lo <= date < hi`` (text) fall in it;
    ``start`` and ``end`` are its first and last day; ``zone`` the report's time zone (IANA
    name, the group's ``timezone`` setting), for a figure that must take the local day of a
    time stored with another offset."""

    label: str
    lo: str
    hi: str
    start: dt.date | None = None
    end: dt.date | None = None
    zone: str = "Asia/Shanghai"


@dataclasses.dataclass(frozen=True)
class GroupFigure:
    """A figure of the group report: ``key`` as the store's report names it, its Chinese name,
    its unit (``%`` for a rate) and which way is better (``up``, ``down`` or None)."""

    key: str
    zh: str
    unit: str = ""
    better: str | None = None


@dataclasses.dataclass(frozen=True)
class FigureSet:
    """What a plugin registers: its figures, how to count them, how to compute them."""

    figures: tuple[GroupFigure, ...]
    count: Callable[[Any, list[Span], str, str | None], Counts]
    compute: Callable[[Mapping[str, Number] | None], dict[str, Any]]
    plugin: str = ""


def span_case(column: str, spans: list[Span]) -> tuple[str, list, str, list]:
    """SQL naming each row's span by ``column``: ``(CASE …, its params, WHERE …, its params)``.

    Select the CASE to group by span, and filter with the WHERE (only the rows of the spans)::

        case, cp, where, wp = span_case("called_at", spans)
        warehouse.execute(f"SELECT _store, {case}, count(*) FROM callback_calls"
                          f" WHERE {where} GROUP BY 1, 2", cp + wp)
    """
    whens, params = [], []
    for s in spans:
        whens.append(f"WHEN {column} >= ? AND {column} < ? THEN '{s.label}'")
        params += [s.lo, s.hi]
    where = "(" + " OR ".join(f"({column} >= ? AND {column} < ?)" for _ in spans) + ")"
    return f"CASE {' '.join(whens)} END", params, where, list(params)


def store_filter(store: str | None, alias: str = "") -> tuple[str, list]:
    """`` AND <alias>_store = ?`` and its parameter when the report is for one store, else nothing."""
    return (f" AND {alias}_store = ?", [store]) if store else ("", [])


def collect(app) -> list[FigureSet]:
    """Every loaded plugin's figure sets, in plugin order."""
    sets: list[FigureSet] = []

    def register(figures: Iterable[GroupFigure], count, compute) -> None:
        sets.append(FigureSet(tuple(figures), count, compute))

    app.plugins.call_each("register_group_figures", register=register)
    return sets


def summed(counts: Counts, stores: Iterable[str]) -> dict[str, dict[str, Number]]:
    """{span label: {count name: the sum over ``stores``}}."""
    chosen = set(stores)
    out: dict[str, dict[str, Number]] = {}
    for (store, span), values in counts.items():
        if store not in chosen:
            continue
        into = out.setdefault(span, {})
        for name, n in values.items():
            into[name] = into.get(name, 0) + (n or 0)
    return out
