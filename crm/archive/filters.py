"""Customer filters → parameterised SQL: the one definition of a customer *segment*.

``crm customer list`` and the campaigns plugin's segments use it (a saved segment's JSON
is read into a :class:`CustomerFilter`), so that "VIP customers in 北京 with a 5系 and SMS
consent" means the same everywhere::

    from crm.archive.filters import CustomerFilter, compile_filter
    where, params = compile_filter(CustomerFilter(city="北京", classification=["VIP"], consent="sms"))
    rows = store.query(f"SELECT c.id FROM customers c WHERE {where}", params)

Plugins add filters of their own through the ``register_customer_filters`` hook
(:func:`extensions`); their values travel in ``CustomerFilter.extra``.

The SQL fragment refers to the customers table as ``c``; it only ever contains
placeholders for values (never user text). Semantics (also in docs/archive.md):

- every filter narrows (AND); a list value means "any of" (OR within the filter) — tags too;
- forgotten customers (``forgotten_at``) are never matched;
- vehicle filters (``model``, ``delivered_from``/``_to``, ``vin``) apply to one and the same
  vehicle the customer *currently* owns; ``model`` matches when the model contains the
  text, case-insensitively (``5系`` matches ``5系 530Li``, ``x5`` matches ``X5 xDrive40Li``);
- ``member_level``: an *active* membership card of that level, not expired on ``today``;
- ``specialist``: staff code, or ``none`` for unassigned customers;
- ``last_visit_before`` / ``_after``: the latest visit's day in (``date_in``) is before the
  date / on or after it; customers who never came are not matched (use ``never_visited``);
- ``churned_months``: no visit in the N months before ``today``, and some visit or a car
  delivered before then (流失客户);
- ``tag`` / ``exclude_tag``: has any of / none of the tags;
- ``consent``: the core's contact policy allows the channel for ``purpose`` (default
  ``marketing``: an explicit yes, not do-not-contact, an address; see
  :mod:`crm.archive.contact` and docs/privacy.md);
- ``do_not_contact``: True / False;
- ``first_contact_due``: a date: the first contact is due on or before it (the
  specialist's queue of newly assigned customers);
- ``ids``: these customer ids.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import weakref
from typing import Any, Callable, Iterable

from ..errors import BadInput

LAST_VISIT = "(SELECT max(substr(v.date_in, 1, 10)) FROM visits v WHERE v.customer_id = c.id)"


@dataclasses.dataclass
class CustomerFilter:
    city: Any = None
    model: Any = None
    classification: Any = None
    member_level: Any = None
    specialist: Any = None
    last_visit_before: str | None = None
    last_visit_after: str | None = None
    never_visited: bool = False
    churned_months: int | None = None
    tag: Any = None
    exclude_tag: Any = None
    consent: Any = None
    purpose: str = "marketing"
    do_not_contact: bool | None = None
    first_contact_due: str | None = None
    gender: str | None = None
    source: Any = None
    delivered_from: str | None = None
    delivered_to: str | None = None
    vin: Any = None
    ids: Iterable[int] | None = None
    extra: dict = dataclasses.field(default_factory=dict)  # plugins' filters: {name: value}

    @classmethod
    def from_dict(cls, spec: dict, extensions: dict | None = None) -> "CustomerFilter":
        """A filter from a dict of filter names (core and ``extensions``); unknown keys fail."""
        names = {f.name for f in dataclasses.fields(cls)} - {"extra"}
        known = names | set(extensions or {})
        unknown = sorted(set(spec) - known)
        if unknown:
            raise BadInput(f"unknown customer filter {', '.join(unknown)} (known: {', '.join(sorted(known))})")
        return cls(**{k: v for k, v in spec.items() if k in names},
                   extra={k: v for k, v in spec.items() if k not in names})


@dataclasses.dataclass(frozen=True)
class FilterExtension:
    """A plugin's customer filter (see the ``register_customer_filters`` hook)."""

    name: str
    compile: Callable[[Any, dict], "tuple[str, list] | None"]
    help: str = ""
    plugin: str | None = None


_NAME = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
_EXTENSIONS: "weakref.WeakKeyDictionary[Any, dict[str, FilterExtension]]" = weakref.WeakKeyDictionary()


def extensions(app) -> dict[str, FilterExtension]:
    """The plugins' customer filters, by name (asked of ``register_customer_filters`` once per app)."""
    found = _EXTENSIONS.get(app)
    if found is not None:
        return found
    found = {}
    core = {f.name for f in dataclasses.fields(CustomerFilter)}

    def register(name: str, compile: Callable, *, help: str = "") -> None:
        if not _NAME.match(str(name)) or name in core or name in found:
            raise BadInput(f"customer filter {name!r} is invalid, a core filter's name, or registered twice")
        found[name] = FilterExtension(name, compile, help)

    app.plugins.call_each("register_customer_filters", register=register)
    _EXTENSIONS[app] = found
    return found


def _many(value) -> list:
    if value is None:
        return []
    if isinstance(value, (list, tuple, set, frozenset)):
        return [v for v in value if v not in (None, "")]
    return [value] if value != "" else []


def _in(column: str, values: list, params: list) -> str:
    params.append(json.dumps(list(values), ensure_ascii=False))
    return f"{column} IN (SELECT value FROM json_each(?))"


def _date(value: str, what: str) -> str:
    try:
        return dt.date.fromisoformat(str(value)[:10]).isoformat()
    except ValueError:
        raise BadInput(f"{what} {value!r} is not a date (YYYY-MM-DD)") from None


def _months_before(day: dt.date, months: int) -> dt.date:
    import calendar

    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def compile_filter(f: CustomerFilter | dict, *, today: dt.date | None = None,
                   extensions: dict[str, FilterExtension] | None = None, policy=None) -> tuple[str, list]:
    """``(where_sql, params)`` for customers aliased ``c``.

    ``today`` (default the system date; commands pass ``app.today()``) is the day for
    ``member_level`` and ``churned_months``; ``extensions`` the plugins' filters (needed
    when ``f.extra`` names any); ``policy`` the contact policy for ``consent`` (default
    the built-in one; commands pass ``ContactPolicy.from_config(app.config)``).
    """
    if isinstance(f, dict):
        f = CustomerFilter.from_dict(f, extensions)
    today = today or dt.date.today()
    where: list[str] = ["c.forgotten_at IS NULL"]
    params: list = []
    if cities := _many(f.city):
        where.append(_in("c.city", cities, params))
    if classes := _many(f.classification):
        where.append(_in("c.classification", [str(c).upper() for c in classes], params))
    if sources := _many(f.source):
        where.append(_in("c.source", sources, params))
    if f.gender:
        from .validate import _gender

        where.append("c.gender = ?")
        params.append(_gender(f.gender))
    vehicle = []
    if models := _many(f.model):
        vehicle.append("EXISTS (SELECT 1 FROM json_each(?) m WHERE instr(lower(coalesce(ve.model, '')),"
                       " lower(m.value)) > 0)")
        params.append(json.dumps([str(m).strip() for m in models], ensure_ascii=False))
    if f.delivered_from:
        vehicle.append("substr(ve.delivery_date, 1, 10) >= ?")
        params.append(_date(f.delivered_from, "delivered from"))
    if f.delivered_to:
        vehicle.append("substr(ve.delivery_date, 1, 10) <= ?")
        params.append(_date(f.delivered_to, "delivered to"))
    if vins := _many(f.vin):
        from .validate import clean_vehicle, raise_problems

        normalised = set()
        for vin in vins:
            clean, problems = clean_vehicle({"vin": vin}, partial=True)
            raise_problems(problems)
            normalised.add(clean["vin"])
        vehicle.append(_in("ve.vin", sorted(normalised), params))
    if vehicle:
        where.append("EXISTS (SELECT 1 FROM vehicles ve WHERE ve.customer_id = c.id AND " + " AND ".join(vehicle) + ")")
    if levels := _many(f.member_level):
        params.append(today.isoformat())
        where.append("EXISTS (SELECT 1 FROM membership_cards mc WHERE mc.customer_id = c.id AND mc.status = 'active'"
                     " AND (mc.expires_on IS NULL OR mc.expires_on >= ?) AND " + _in("mc.level", levels, params) + ")")
    if specialists := _many(f.specialist):
        named = [s for s in specialists if str(s).lower() != "none"]
        ors = []
        if named:
            ors.append(f"c.specialist_id IN (SELECT id FROM staff WHERE {_in('code', named, params)})")
        if len(named) < len(specialists):
            ors.append("c.specialist_id IS NULL")
        where.append("(" + " OR ".join(ors) + ")")
    if f.last_visit_before:
        where.append(f"{LAST_VISIT} < ?")
        params.append(_date(f.last_visit_before, "--last-visit-before"))
    if f.last_visit_after:
        where.append(f"{LAST_VISIT} >= ?")
        params.append(_date(f.last_visit_after, "--last-visit-after"))
    if f.never_visited:
        where.append("NOT EXISTS (SELECT 1 FROM visits v WHERE v.customer_id = c.id)")
    if f.churned_months:
        months = f.churned_months
        if not isinstance(months, int) or isinstance(months, bool) or not 1 <= months <= 240:
            raise BadInput(f"churned months {months!r} must be a whole number from 1 to 240")
        cutoff = _months_before(today, months).isoformat()
        where.append("NOT EXISTS (SELECT 1 FROM visits v WHERE v.customer_id = c.id AND substr(v.date_in, 1, 10) >= ?)")
        where.append("(EXISTS (SELECT 1 FROM visits v WHERE v.customer_id = c.id)"
                     " OR EXISTS (SELECT 1 FROM vehicles ve WHERE ve.customer_id = c.id"
                     " AND substr(ve.delivery_date, 1, 10) < ?))")
        params += [cutoff, cutoff]
    if tags := _many(f.tag):
        where.append("EXISTS (SELECT 1 FROM customer_tags t WHERE t.customer_id = c.id AND "
                     + _in("t.tag", tags, params) + ")")
    if tags := _many(f.exclude_tag):
        where.append("NOT EXISTS (SELECT 1 FROM customer_tags t WHERE t.customer_id = c.id AND "
                     + _in("t.tag", tags, params) + ")")
    if channels := _many(f.consent):
        from .contact import CHANNELS, PURPOSES, sql_condition

        if f.purpose not in PURPOSES:
            raise BadInput(f"purpose {f.purpose!r} is not one of {', '.join(PURPOSES)}")
        for channel in channels:
            if channel not in CHANNELS:
                raise BadInput(f"consent channel {channel!r} is not one of {', '.join(CHANNELS)}")
            clause, more = sql_condition(channel, f.purpose, policy=policy)
            where.append(clause)
            params.extend(more)
    if f.do_not_contact is not None:
        where.append("c.do_not_contact = ?")
        params.append(1 if f.do_not_contact else 0)
    if f.first_contact_due:
        where.append("c.first_contact_due IS NOT NULL AND c.first_contact_due <= ?")
        params.append(_date(f.first_contact_due, "--first-contact-due"))
    if f.ids is not None:
        ids = [int(i) for i in f.ids]
        where.append(_in("c.id", ids, params) if ids else "0")
    for name, value in f.extra.items():
        ext = (extensions or {}).get(name)
        if ext is None:
            raise BadInput(f"unknown customer filter {name} (no plugin provides it here)")
        compiled = ext.compile(value, {"today": today, "filters": f.extra})
        if compiled:
            clause, more = compiled
            where.append(f"({clause})")
            params.extend(more)
    return " AND ".join(where), params


LIST_SQL = f"""
SELECT c.id, c.name, c.mobile, c.city, c.classification,
       (SELECT mc.level FROM membership_cards mc WHERE mc.customer_id = c.id AND mc.status = 'active'
         ORDER BY mc.issued_on DESC LIMIT 1) AS member_level,
       s.code AS specialist,
       {LAST_VISIT} AS last_visit,
       (SELECT group_concat(ve.model, ', ') FROM vehicles ve WHERE ve.customer_id = c.id) AS models,
       c.do_not_contact, c.first_contact_due, c.updated_at
FROM customers c LEFT JOIN staff s ON s.id = c.specialist_id
"""


def list_rows(store, f: CustomerFilter | dict, *, limit: int | None = 100, order: str = "id", **how) -> list[dict]:
    """The matching customers as ``crm customer list`` shows them; ``how``: see :func:`compile_filter`."""
    where, params = compile_filter(f, **how)
    orders = {"id": "c.id", "name": "c.name, c.id", "due": "c.first_contact_due, c.id",
              "updated": "c.updated_at DESC, c.id", "last_visit": "last_visit DESC, c.id"}
    if order not in orders:
        raise BadInput(f"--sort {order!r}: use one of {', '.join(orders)}")
    sql = f"{LIST_SQL} WHERE {where} ORDER BY {orders[order]}"
    if limit:
        sql += " LIMIT ?"
        params = [*params, int(limit)]
    rows = store.query(sql, tuple(params))
    for row in rows:
        row["do_not_contact"] = bool(row["do_not_contact"])
    return rows


def count(store, f: CustomerFilter | dict, **how) -> int:
    where, params = compile_filter(f, **how)
    return store.scalar(f"SELECT count(*) FROM customers c WHERE {where}", tuple(params))


def customer_ids(store, f: CustomerFilter | dict, **how) -> list[int]:
    """The ids of the matching customers (a segment), in id order."""
    where, params = compile_filter(f, **how)
    return [r[0] for r in store.conn.execute(f"SELECT c.id FROM customers c WHERE {where} ORDER BY c.id", params)]
