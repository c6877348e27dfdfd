"""Customers: validation, storage, the one-screen page, listing."""

from __future__ import annotations

import re

from ..errors import BadInput, NotFound

MOBILE = re.compile(r"^1[3-9]\d{9}$")
FIELDS = (
    "ref", "name", "gender", "birthday", "mobile", "mobile2", "landline", "wechat", "email",
    "city", "address", "source", "classification", "preferred_channel", "best_time",
    "do_not_contact", "notes", "specialist_id",
)
CHANNELS = ("phone", "sms", "wechat", "email")


def _pinyin(name: str) -> tuple[str | None, str | None]:
    if not name or not any("\u4e00" <= ch <= "\u9fff" for ch in name):
        key = re.sub(r"[^a-z]", "", (name or "").lower())
        return (key or None), (key[:1] or None)
    from pypinyin import Style, lazy_pinyin

    full = "".join(lazy_pinyin(name, style=Style.NORMAL)).lower()
    initials = "".join(p[0] for p in lazy_pinyin(name, style=Style.FIRST_LETTER) if p).lower()
    return full, initials


def normalize_mobile(value: str | None) -> str | None:
    if value is None:
        return None
    digits = re.sub(r"[\s\-().]", "", str(value))
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) == 11:
            digits = digits[len(prefix):]
    if not digits:
        return None
    if not MOBILE.match(digits):
        raise BadInput(f"mobile {value!r} is not a Chinese mobile number (11 digits starting 13–19)")
    return digits


def validate_customer(fields: dict, *, partial: bool = False) -> dict:
    out: dict = {}
    for key, value in fields.items():
        if key not in FIELDS and key not in ("tags", "consent"):
            raise BadInput(f"unknown customer field {key!r}")
        if isinstance(value, str):
            value = " ".join(value.split()) or None
        out[key] = value
    if not partial and not out.get("name"):
        raise BadInput("a customer needs a name (--name)")
    for key in ("mobile", "mobile2"):
        if key in out:
            out[key] = normalize_mobile(out[key])
    if out.get("gender") is not None:
        gender = {"男": "M", "女": "F", "m": "M", "f": "F"}.get(str(out["gender"]).strip().lower(),
                                                                str(out["gender"]).upper())
        if gender not in ("M", "F"):
            raise BadInput(f"gender {out['gender']!r}: use M/F or 男/女")
        out["gender"] = gender
    if "do_not_contact" in out:
        out["do_not_contact"] = 1 if out["do_not_contact"] else 0
    return out


def _index_fields(row: dict) -> dict:
    name = row.get("name") or ""
    full, initials = _pinyin(name)
    return {"name_rev": name[::-1] or None, "name_pinyin": full, "name_initials": initials}


def _sync_phones(tx, customer_id: int, row: dict) -> None:
    tx.conn.execute("DELETE FROM customer_phones WHERE customer_id = ?", (customer_id,))
    for key in ("mobile", "mobile2", "landline"):
        phone = row.get(key)
        if phone:
            tx.conn.execute(
                "INSERT OR IGNORE INTO customer_phones (customer_id, phone, kind, tail4) VALUES (?, ?, ?, ?)",
                (customer_id, phone, "landline" if key == "landline" else "mobile", phone[-4:]),
            )


def add_customer(tx, fields: dict) -> dict:
    """Validate and insert a customer, then tell the plugins (``on_customer_created``)."""
    row = validate_customer(fields)
    tags = row.pop("tags", None) or []
    consent = row.pop("consent", None) or {}
    row.update(_index_fields(row))
    row["created_at"] = row["updated_at"] = tx.now
    cols = ", ".join(row)
    cursor = tx.conn.execute(f"INSERT INTO customers ({cols}) VALUES ({', '.join('?' * len(row))})",
                             tuple(row.values()))
    customer_id = cursor.lastrowid
    _sync_phones(tx, customer_id, row)
    for tag in tags:
        tx.conn.execute("INSERT OR IGNORE INTO customer_tags VALUES (?, ?)", (customer_id, tag))
    for channel in CHANNELS:
        granted = consent.get(channel, True)
        tx.conn.execute(
            "INSERT INTO customer_consents (customer_id, channel, granted, source, updated_at) VALUES (?, ?, ?, ?, ?)",
            (customer_id, channel, 1 if granted else 0, "entry", tx.now),
        )
    stored = get_customer(tx.store, customer_id)
    tx.audit("create", "customer", [customer_id])
    tx.fire("on_customer_created", customer=stored)
    return stored


def get_customer(store, customer_id: int | str) -> dict:
    try:
        key = int(customer_id)
    except (TypeError, ValueError):
        raise BadInput(f"customer id {customer_id!r} is not a number (use 'crm customer search')") from None
    row = store.query_one("SELECT * FROM customers WHERE id = ?", (key,))
    if row is None:
        raise NotFound(f"no customer with id {key}")
    return row


def customer_page(app, customer_id) -> dict:
    """Everything ``crm customer show`` prints: contact, vehicles, visits, log, plugin sections."""
    store = app.store
    customer = get_customer(store, customer_id)
    cid = customer["id"]
    specialist = None
    if customer["specialist_id"]:
        specialist = store.scalar("SELECT code FROM staff WHERE id = ?", (customer["specialist_id"],))
    tags = [r["tag"] for r in store.query("SELECT tag FROM customer_tags WHERE customer_id = ? ORDER BY tag", (cid,))]
    consent = {r["channel"]: bool(r["granted"]) for r in
               store.query("SELECT channel, granted FROM customer_consents WHERE customer_id = ?", (cid,))}
    card = store.query_one(
        "SELECT number, level, issued_on, expires_on, status FROM membership_cards WHERE customer_id = ?"
        " ORDER BY issued_on DESC LIMIT 1", (cid,))
    contact = {
        "id": cid, "name": customer["name"], "gender": customer["gender"], "birthday": customer["birthday"],
        "mobile": customer["mobile"], "mobile2": customer["mobile2"], "landline": customer["landline"],
        "wechat": customer["wechat"], "email": customer["email"], "city": customer["city"],
        "address": customer["address"], "source": customer["source"],
        "classification": customer["classification"], "specialist": specialist,
        "card": f"{card['number']} {card['level']} (expires {card['expires_on']})" if card else None,
        "tags": tags, "consent": consent, "do_not_contact": bool(customer["do_not_contact"]),
        "preferred_channel": customer["preferred_channel"], "best_time": customer["best_time"],
        "notes": customer["notes"], "created_at": customer["created_at"], "updated_at": customer["updated_at"],
    }
    vehicles = store.query(
        "SELECT id, vin, plate, model, model_year, colour, delivery_date, mileage FROM vehicles"
        " WHERE customer_id = ? ORDER BY delivery_date DESC", (cid,))
    visits = store.query(
        "SELECT v.ro_number, v.date_in, v.date_out, v.type, v.advisor, v.mileage, v.amount, ve.plate"
        " FROM visits v LEFT JOIN vehicles ve ON ve.id = v.vehicle_id"
        " WHERE v.customer_id = ? ORDER BY v.date_in DESC LIMIT 5", (cid,))
    log = store.query(
        "SELECT at, staff, channel, kind, summary, outcome FROM interactions"
        " WHERE customer_id = ? ORDER BY at DESC LIMIT 5", (cid,))
    sections = [
        {"title": "Vehicles", "rows": vehicles},
        {"title": "Recent visits", "rows": visits},
        {"title": "Interaction log", "rows": log},
    ]
    for extra in app.plugins.call_each("customer_sections", app=app, customer=customer):
        sections.extend(s for s in extra if isinstance(s, dict) and "title" in s)
    return {"customer": app.mask(contact), "sections": sections}


def list_customers(store, *, city=None, specialist=None, tag=None, limit=100) -> list[dict]:
    sql = ("SELECT c.id, c.name, c.mobile, c.city, c.classification, s.code AS specialist, c.updated_at"
           " FROM customers c LEFT JOIN staff s ON s.id = c.specialist_id")
    where, params = ["c.forgotten_at IS NULL"], []
    if city:
        where.append("c.city = ?")
        params.append(city)
    if specialist:
        where.append("s.code = ?")
        params.append(specialist)
    if tag:
        where.append("EXISTS (SELECT 1 FROM customer_tags t WHERE t.customer_id = c.id AND t.tag = ?)")
        params.append(tag)
    sql += " WHERE " + " AND ".join(where) + " ORDER BY c.id LIMIT ?"
    return store.query(sql, (*params, limit))
