"""Segments: saved filters over the archive, compiled to parameterised SQL.

A segment's spec is a small JSON object (see docs/campaigns.md).  :func:`compile_spec`
turns it into a WHERE clause over ``customers c`` and a parameter list; user values are
only ever bound as parameters (lists travel as one JSON parameter read with
``json_each``), column names and operators come from this module.  Forgotten customers
and do-not-contact customers are always left out, whatever the spec says.
"""

from __future__ import annotations

import datetime as dt
import json

from crm.errors import BadInput, NotFound

from .common import CHANNELS, parse_date

LIST_KEYS = ("model", "level", "classification", "city", "tags", "exclude_tags", "vins", "customers", "reply")
DATE_KEYS = ("delivered_from", "delivered_to", "last_visit_before", "last_visit_after")
REPLIES = ("pending", "accepted", "waitlisted", "declined", "maybe", "walk_in", "attended", "no_show")
KEYS = (*LIST_KEYS, *DATE_KEYS, "never_visited", "churned_months", "channel", "event")


def _json_list(values) -> str:
    return json.dumps(list(values), ensure_ascii=False)


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


def months_before(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    import calendar

    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def compile_spec(spec: dict, today: dt.date) -> tuple[str, list]:
    """The WHERE clause (over ``customers c``) and its parameters for ``spec``."""
    spec = validate_spec(spec)
    where = ["c.forgotten_at IS NULL", "c.do_not_contact = 0"]
    params: list = []

    vehicle = []
    if "model" in spec:
        vehicle.append("EXISTS (SELECT 1 FROM json_each(?) m"
                       " WHERE instr(lower(coalesce(v.model, '')), lower(m.value)) > 0)")
        params_v = [_json_list(spec["model"])]
    else:
        params_v = []
    if "delivered_from" in spec:
        vehicle.append("substr(v.delivery_date, 1, 10) >= ?")
        params_v.append(spec["delivered_from"])
    if "delivered_to" in spec:
        vehicle.append("substr(v.delivery_date, 1, 10) <= ?")
        params_v.append(spec["delivered_to"])
    if "vins" in spec:
        vehicle.append("v.vin IN (SELECT value FROM json_each(?))")
        params_v.append(_json_list(spec["vins"]))
    if vehicle:
        where.append("EXISTS (SELECT 1 FROM vehicles v WHERE v.customer_id = c.id AND "
                     + " AND ".join(vehicle) + ")")
        params.extend(params_v)

    if "level" in spec:
        where.append("EXISTS (SELECT 1 FROM membership_cards mc WHERE mc.customer_id = c.id"
                     " AND mc.status = 'active' AND (mc.expires_on IS NULL OR mc.expires_on >= ?)"
                     " AND mc.level IN (SELECT value FROM json_each(?)))")
        params += [today.isoformat(), _json_list(spec["level"])]
    for key, column in (("classification", "c.classification"), ("city", "c.city")):
        if key in spec:
            where.append(f"{column} IN (SELECT value FROM json_each(?))")
            params.append(_json_list(spec[key]))
    last_visit = "(SELECT max(substr(vi.date_in, 1, 10)) FROM visits vi WHERE vi.customer_id = c.id)"
    if "last_visit_before" in spec:
        where.append(f"{last_visit} < ?")
        params.append(spec["last_visit_before"])
    if "last_visit_after" in spec:
        where.append(f"{last_visit} >= ?")
        params.append(spec["last_visit_after"])
    if spec.get("never_visited"):
        where.append("NOT EXISTS (SELECT 1 FROM visits vi WHERE vi.customer_id = c.id)")
    if "churned_months" in spec:
        cutoff = months_before(today, spec["churned_months"]).isoformat()
        where.append("NOT EXISTS (SELECT 1 FROM visits vi WHERE vi.customer_id = c.id"
                     " AND substr(vi.date_in, 1, 10) >= ?)")
        where.append("(EXISTS (SELECT 1 FROM visits vi WHERE vi.customer_id = c.id)"
                     " OR EXISTS (SELECT 1 FROM vehicles v WHERE v.customer_id = c.id"
                     " AND substr(v.delivery_date, 1, 10) < ?))")
        params += [cutoff, cutoff]
    if "tags" in spec:
        where.append("EXISTS (SELECT 1 FROM customer_tags t WHERE t.customer_id = c.id"
                     " AND t.tag IN (SELECT value FROM json_each(?)))")
        params.append(_json_list(spec["tags"]))
    if "exclude_tags" in spec:
        where.append("NOT EXISTS (SELECT 1 FROM customer_tags t WHERE t.customer_id = c.id"
                     " AND t.tag IN (SELECT value FROM json_each(?)))")
        params.append(_json_list(spec["exclude_tags"]))
    if "channel" in spec:
        where.append("EXISTS (SELECT 1 FROM customer_consents cc WHERE cc.customer_id = c.id"
                     " AND cc.channel = ? AND cc.granted = 1)")
        params.append(spec["channel"])
        if spec["channel"] == "email":
            where.append("coalesce(c.email, '') != ''")
        else:
            where.append("coalesce(c.mobile, c.mobile2, '') != ''")
    if "customers" in spec:
        where.append("c.id IN (SELECT value FROM json_each(?))")
        params.append(_json_list(spec["customers"]))
    if "event" in spec:
        replies = spec.get("reply") or []
        plain = [r for r in replies if r not in ("attended", "no_show")]
        conds, p = [], []
        if plain:
            conds.append("i.reply IN (SELECT value FROM json_each(?))")
            p.append(_json_list(plain))
        if "attended" in replies:
            conds.append("i.checked_in_at IS NOT NULL")
        if "no_show" in replies:
            conds.append("(i.reply = 'accepted' AND i.checked_in_at IS NULL AND"
                         " (SELECT e.ends_at FROM campaigns_events e WHERE e.id = i.event_id) < ?)")
            p.append(today.isoformat())
        clause = "EXISTS (SELECT 1 FROM campaigns_invitations i WHERE i.customer_id = c.id AND i.event_id = ?"
        params.append(spec["event"])
        if conds:
            clause += " AND (" + " OR ".join(conds) + ")"
            params.extend(p)
        where.append(clause + ")")
    return " AND ".join(where), params


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


def member_ids(store, spec: dict, today: dt.date) -> list[int]:
    clause, params = compile_spec(spec, today)
    return [r[0] for r in store.conn.execute(f"SELECT c.id FROM customers c WHERE {clause} ORDER BY c.id",
                                             tuple(params))]


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
