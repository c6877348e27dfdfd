"""Customer filters → parameterised SQL: the one definition of a customer *segment*.

``crm customer list`` uses it; the campaigns plugin's segments and the reports reuse it so
that "VIP customers in 北京 with a 5系 and SMS consent" means the same everywhere::

    from crm.archive.filters import CustomerFilter, compile_filter
    where, params = compile_filter(CustomerFilter(city="北京", classification=["VIP"], consent="sms"))
    rows = store.query(f"SELECT c.id FROM customers c WHERE {where}", params)

The SQL fragment refers to the customers table as ``c``; it only ever contains
placeholders for values (never user text). Semantics (also in docs/archive.md):

- every filter narrows (AND); a list value means "any of" (OR within the filter);
- forgotten customers (``forgotten_at``) are never matched;
- ``model``: the customer *currently* owns a vehicle whose model equals or starts with the
  text (``5系`` matches ``5系 530Li``);
- ``member_level``: an *active* membership card of that level;
- ``specialist``: staff code, or ``none`` for unassigned customers;
- ``last_visit_before`` / ``_after``: the latest visit's date in (``date_in``) is before the
  date / on or after it; customers who never came are not matched (use ``never_visited``);
- ``consent``: the customer may be contacted on that channel: consent granted on it *and*
  not do-not-contact;
- ``do_not_contact``: True / False;
- ``first_contact_due``: a date: the first contact is due on or before it (the
  specialist's queue of newly assigned customers).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any, Iterable

from ..errors import BadInput

_HIGH = "\U0010ffff"
LAST_VISIT = "(SELECT max(v.date_in) FROM visits v WHERE v.customer_id = c.id)"


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
    tag: Any = None
    consent: Any = None
    do_not_contact: bool | None = None
    first_contact_due: str | None = None
    gender: str | None = None
    source: Any = None
    ids: Iterable[int] | None = None

    @classmethod
    def from_dict(cls, spec: dict) -> "CustomerFilter":
        """A filter from a segment definition (e.g. a campaign's saved JSON); unknown keys fail."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(spec) - names)
        if unknown:
            raise BadInput(f"unknown customer filter {', '.join(unknown)} (known: {', '.join(sorted(names))})")
        return cls(**spec)


def _many(value) -> list:
    if value is None:
        return []
    if isinstance(value, (list, tuple, set, frozenset)):
        return [v for v in value if v not in (None, "")]
    return [value] if value != "" else []


def _in(column: str, values: list, params: list) -> str:
    params.extend(values)
    return f"{column} IN ({', '.join('?' * len(values))})"


def _date(value: str, what: str) -> str:
    try:
        return dt.date.fromisoformat(str(value)[:10]).isoformat()
    except ValueError:
        raise BadInput(f"{what} {value!r} is not a date (YYYY-MM-DD)") from None


def compile_filter(f: CustomerFilter | dict) -> tuple[str, list]:
    """``(where_sql, params)`` for customers aliased ``c``."""
    if isinstance(f, dict):
        f = CustomerFilter.from_dict(f)
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
    if models := _many(f.model):
        ors = []
        for model in models:
            ors.append("(ve.model >= ? AND ve.model < ?)")
            params.extend([model, model + _HIGH])
        where.append(f"EXISTS (SELECT 1 FROM vehicles ve WHERE ve.customer_id = c.id AND ({' OR '.join(ors)}))")
    if levels := _many(f.member_level):
        where.append("EXISTS (SELECT 1 FROM membership_cards mc WHERE mc.customer_id = c.id"
                     f" AND mc.status = 'active' AND {_in('mc.level', levels, params)})")
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
    for tag in _many(f.tag):
        where.append("EXISTS (SELECT 1 FROM customer_tags t WHERE t.customer_id = c.id AND t.tag = ?)")
        params.append(tag)
    if channels := _many(f.consent):
        from .validate import CHANNELS

        for channel in channels:
            if channel not in CHANNELS:
                raise BadInput(f"consent channel {channel!r} is not one of {', '.join(CHANNELS)}")
        where.append("c.do_not_contact = 0")
        for channel in channels:
            where.append("EXISTS (SELECT 1 FROM customer_consents cc WHERE cc.customer_id = c.id"
                         " AND cc.channel = ? AND cc.granted = 1)")
            params.append(channel)
    if f.do_not_contact is not None:
        where.append("c.do_not_contact = ?")
        params.append(1 if f.do_not_contact else 0)
    if f.first_contact_due:
        where.append("c.first_contact_due IS NOT NULL AND c.first_contact_due <= ?")
        params.append(_date(f.first_contact_due, "--first-contact-due"))
    if f.ids is not None:
        ids = [int(i) for i in f.ids]
        where.append(_in("c.id", ids, params) if ids else "0")
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


def list_rows(store, f: CustomerFilter | dict, *, limit: int | None = 100, order: str = "id") -> list[dict]:
    where, params = compile_filter(f)
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


def count(store, f: CustomerFilter | dict) -> int:
    where, params = compile_filter(f)
    return store.scalar(f"SELECT count(*) FROM customers c WHERE {where}", tuple(params))


def customer_ids(store, f: CustomerFilter | dict) -> list[int]:
    """The ids of the matching customers (a segment), in id order."""
    where, params = compile_filter(f)
    return [r[0] for r in store.conn.execute(f"SELECT c.id FROM customers c WHERE {where} ORDER BY c.id", params)]
