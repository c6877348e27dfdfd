"""Segments: saved filters over the archive — the archive's one customer filter, named.

A segment's spec is a small JSON object (see docs/campaigns.md) whose keys are the
archive's customer filters (:mod:`crm.archive.filters`, mapped by :data:`SPEC_FILTERS`)
and this plugin's ``event``/``reply`` filters (:mod:`.customer_filters`, registered
with ``register_customer_filters`` so ``crm customer list --filter`` has them too).
Forgotten customers and do-not-contact customers are always left out, whatever the
spec says.
"""

from __future__ import annotations

import datetime as dt
import json

from crm.errors import BadInput, NotFound

from .common import CHANNELS, parse_date
from .customer_filters import REPLIES

LIST_KEYS = ("model", "level", "classification", "city", "tags", "exclude_tags", "vins", "customers", "reply")
DATE_KEYS = ("delivered_from", "delivered_to", "last_visit_before", "last_visit_after")
KEYS = (*LIST_KEYS, *DATE_KEYS, "never_visited", "churned_months", "channel", "event")


def validate_spec(spec: dict) -> dict:
    """Check a spec's keys and values; return it normalised (empty parts dropped)."""
    if not isinstance(spec, dict):
        raise BadInput("a segment spec must be a JSON object")
    out: dict = {}
    for key, value in spec.items():
        if key not in KEYS:
            raise BadInput(f"segment filter {key!r} is unknown; use one of {', '.join(KEYS)}")
        if value in (None, [], "", False):
            continue
        if key in LIST_KEYS:
            if isinstance(value, (str, int)):
                value = [value]
            if not isinstance(value, list):
                raise BadInput(f"segment filter {key} must be a list")
            value = [v.strip() if isinstance(v, str) else v for v in value if v not in (None, "")]
            if key == "vins":
                from crm.api import normalize_vin

                value = sorted({normalize_vin(v) for v in value})
            if key == "customers":
                try:
                    value = sorted({int(v) for v in value})
                except (TypeError, ValueError):
                    raise BadInput("segment filter customers must be customer ids") from None
            if key == "reply":
                for reply in value:
                    if reply not in REPLIES:
                        raise BadInput(f"reply {reply!r} is not one of {', '.join(REPLIES)}")
            if value:
                out[key] = value
        elif key in DATE_KEYS:
            out[key] = parse_date(value, key.replace("_", " ")).isoformat()
        elif key == "never_visited":
            out[key] = bool(value)
        elif key == "churned_months":
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 240:
                raise BadInput(f"churned months {value!r} must be a whole number from 1 to 240")
            out[key] = value
        elif key == "channel":
            if value not in CHANNELS:
                raise BadInput(f"channel {value!r} is not one of {', '.join(CHANNELS)}")
            out[key] = value
        elif key == "event":
            try:
                out[key] = int(value)
            except (TypeError, ValueError):
                raise BadInput(f"event {value!r} is not an event id") from None
    if "reply" in out and "event" not in out:
        raise BadInput("a reply filter needs the event it refers to (--event)")
    if out.get("delivered_from") and out.get("delivered_to") and out["delivered_from"] > out["delivered_to"]:
        raise BadInput("delivered-from is after delivered-to")
    return out


#: A segment's JSON keys and the archive's customer filter (crm.archive.filters) they are;
#: ``event`` and ``reply`` are this plugin's own filters (customer_filters.py).
SPEC_FILTERS = {
    "model": "model", "level": "member_level", "classification": "classification", "city": "city",
    "tags": "tag", "exclude_tags": "exclude_tag", "vins": "vin", "customers": "ids",
    "delivered_from": "delivered_from", "delivered_to": "delivered_to", "last_visit_before": "last_visit_before",
    "last_visit_after": "last_visit_after", "never_visited": "never_visited", "churned_months": "churned_months",
    "channel": "consent",
}


def to_filter(spec: dict, *, purpose: str = "marketing"):
    """The archive's :class:`~crm.archive.filters.CustomerFilter` for a segment's spec
    (do-not-contact customers always left out)."""
    from crm.api import CustomerFilter

    spec = validate_spec(spec)
    core = {SPEC_FILTERS[k]: v for k, v in spec.items() if k in SPEC_FILTERS}
    extra = {k: spec[k] for k in ("event", "reply") if k in spec}
    return CustomerFilter(**core, do_not_contact=False, purpose=purpose, extra=extra)


def compile_spec(spec: dict, today: dt.date, *, purpose: str = "marketing", policy=None) -> tuple[str, list]:
    """The WHERE clause (over ``customers c``) and its parameters for ``spec``: the archive's
    one customer filter (:func:`crm.archive.filters.compile_filter`).

    ``channel`` keeps the customers the core's contact policy allows on that channel for
    ``purpose`` (``crm.archive.contact``; events and win-back: marketing, surveys: service).
    """
    from crm.api import compile_filter

    from .customer_filters import own

    return compile_filter(to_filter(spec, purpose=purpose), today=today, extensions=own(), policy=policy)


MEMBER_COLUMNS = ("id", "name", "mobile", "email", "city", "classification", "level", "vehicles", "last_visit")


def members(store, spec: dict, today: dt.date, *, limit: int | None = None) -> list[dict]:
    clause, params = compile_spec(spec, today)
    sql = (
        "SELECT c.id, c.name, c.mobile, c.email, c.city, c.classification,"
        " (SELECT mc.level FROM membership_cards mc WHERE mc.customer_id = c.id AND mc.status = 'active'"
        "  ORDER BY mc.issued_on DESC LIMIT 1) AS level,"
        " (SELECT group_concat(coalesce(v.model, '') || ' ' || coalesce(v.plate, v.vin), '; ')"
        "  FROM vehicles v WHERE v.customer_id = c.id) AS vehicles,"
        " (SELECT max(substr(vi.date_in, 1, 10)) FROM visits vi WHERE vi.customer_id = c.id) AS last_visit"
        f" FROM customers c WHERE {clause} ORDER BY c.id"
    )
    if limit:
        sql += " LIMIT ?"
        params = [*params, limit]
    return store.query(sql, tuple(params))


def count(store, spec: dict, today: dt.date) -> int:
    clause, params = compile_spec(spec, today)
    return store.scalar(f"SELECT count(*) FROM customers c WHERE {clause}", tuple(params))


def member_ids(store, spec: dict, today: dt.date, *, purpose: str = "marketing", policy=None) -> list[int]:
    clause, params = compile_spec(spec, today, purpose=purpose, policy=policy)
    return [r[0] for r in store.conn.execute(f"SELECT c.id FROM customers c WHERE {clause} ORDER BY c.id",
                                             tuple(params))]


def left_out(store, spec: dict, today: dt.date, channel: str, purpose: str, policy=None) -> dict[str, int]:
    """Why the segment's customers not reachable on ``channel`` are left out: ``{reason: count}``
    (the core's contact policy's words, e.g. ``no consent to SMS (marketing needs an explicit yes)``)."""
    from crm.api import may_contact_many

    everyone = member_ids(store, {k: v for k, v in spec.items() if k != "channel"}, today)
    kept = set(member_ids(store, {**spec, "channel": channel}, today, purpose=purpose, policy=policy))
    out: dict[str, int] = {}
    for decision in may_contact_many(store.conn, [c for c in everyone if c not in kept], channel, purpose, today,
                                     policy=policy).values():
        out[decision.why] = out.get(decision.why, 0) + 1
    return out


def get_segment(store, name: str) -> dict:
    row = store.query_one("SELECT * FROM campaigns_segments WHERE name = ?", (name,))
    if row is None and str(name).isdigit():
        row = store.query_one("SELECT * FROM campaigns_segments WHERE id = ?", (int(name),))
    if row is None:
        raise NotFound(f"no segment named {name!r}; see 'crm segment list'")
    row["spec"] = json.loads(row["spec"])
    return row


def save_segment(tx, name: str, spec: dict, *, description: str | None = None, replace: bool = False) -> dict:
    name = " ".join((name or "").split())
    if not name or name.isdigit():
        raise BadInput("a segment needs a name that is not just digits, e.g. 'x5-owners-2024'")
    spec = validate_spec(spec)
    if not spec:
        raise BadInput("a segment needs at least one filter (see 'crm segment save --help')")
    existing = tx.store.query_one("SELECT id FROM campaigns_segments WHERE name = ?", (name,))
    text = json.dumps(spec, ensure_ascii=False, sort_keys=True)
    if existing:
        if not replace:
            raise BadInput(f"segment {name!r} exists; add --replace to change its filters")
        tx.conn.execute("UPDATE campaigns_segments SET spec = ?, description = coalesce(?, description),"
                        " updated_at = ? WHERE id = ?", (text, description, tx.now, existing["id"]))
        seg_id = existing["id"]
        tx.audit("update", "campaigns_segment", [seg_id])
    else:
        seg_id = tx.conn.execute(
            "INSERT INTO campaigns_segments (name, description, spec, created_by, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?)", (name, description, text, tx.actor.code, tx.now, tx.now)).lastrowid
        tx.audit("create", "campaigns_segment", [seg_id])
    return {"id": seg_id, "name": name, "spec": spec}


def list_segments(store, today: dt.date) -> list[dict]:
    rows = store.query("SELECT id, name, description, spec, created_by, updated_at FROM campaigns_segments"
                       " ORDER BY name")
    for row in rows:
        spec = json.loads(row["spec"])
        row["members"] = count(store, spec, today)
        row["spec"] = json.dumps(spec, ensure_ascii=False, sort_keys=True)
    return rows
