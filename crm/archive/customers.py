"""Customers: storing, editing and reading a customer record.

Values are validated and normalised by :mod:`crm.archive.validate` (the same code the
importer and the portal sync use); this module writes them, keeps the phone search table
in step, and fires the lifecycle hooks (``on_customer_created`` / ``on_customer_updated``).
"""

from __future__ import annotations

from ..errors import BadInput, NotFound
from .lookup import customer_consent, customer_tags, get_customer  # noqa: F401 - read here, re-exported
from .validate import CHANNELS, clean_customer, raise_problems

#: The customer columns a caller may set.
COLUMNS = (
    "ref", "name", "gender", "birthday", "mobile", "mobile2", "landline", "wechat", "email",
    "city", "address", "source", "classification", "preferred_channel", "best_time",
    "do_not_contact", "notes", "specialist_id", "first_contact_due",
)
SEARCH_COLUMNS = ("name_rev", "name_pinyin", "name_initials")


def _resolve_specialist(tx, clean: dict) -> None:
    code = clean.pop("specialist", None)
    if code:
        row = tx.conn.execute("SELECT id FROM staff WHERE code = ?", (code,)).fetchone()
        if row is None:
            raise NotFound(f"no staff member with code '{code}'; see 'crm staff list'")
        clean["specialist_id"] = row[0]
    elif "specialist" in clean:
        clean["specialist_id"] = None
    if clean.get("specialist_id") is not None and not tx.conn.execute(
            "SELECT 1 FROM staff WHERE id = ?", (clean["specialist_id"],)).fetchone():
        raise NotFound(f"no staff member with id {clean['specialist_id']}")


def _card_dates(clean: dict) -> dict:
    """``card_issued`` / ``card_expires`` of a record as the card's ``issued_on`` / ``expires_on``."""
    issued, expires = clean.pop("card_issued", None), clean.pop("card_expires", None)
    return {k: v for k, v in (("issued_on", issued), ("expires_on", expires)) if v}


def sync_phones(tx, customer_id: int, row: dict) -> None:
    """Rewrite the customer's rows in ``customer_phones`` (the mobile/tail-4 search index)."""
    from .validate import clean_customer as _clean

    tx.conn.execute("DELETE FROM customer_phones WHERE customer_id = ?", (customer_id,))
    numbers = {k: row.get(k) for k in ("mobile", "mobile2", "landline") if row.get(k)}
    if not numbers:
        return
    phones = _clean({"phones": list(numbers.values())}, partial=True)[0].get("phones") or []
    tx.conn.executemany(
        "INSERT OR IGNORE INTO customer_phones (customer_id, phone, kind, tail4) VALUES (?, ?, ?, ?)",
        [(customer_id, phone, kind, tail) for phone, kind, tail in phones])


def _write_consent(tx, customer_id: int, consent: dict, source: str) -> dict:
    changes = {}
    for channel, granted in consent.items():
        old = tx.conn.execute("SELECT granted FROM customer_consents WHERE customer_id = ? AND channel = ?",
                              (customer_id, channel)).fetchone()
        if old is not None and bool(old[0]) == bool(granted):
            continue
        tx.conn.execute(
            "INSERT INTO customer_consents (customer_id, channel, granted, source, updated_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (customer_id, channel) DO UPDATE SET granted = excluded.granted,"
            " source = excluded.source, updated_at = excluded.updated_at",
            (customer_id, channel, 1 if granted else 0, source, tx.now))
        changes[f"consent.{channel}"] = (None if old is None else bool(old[0]), bool(granted))
    return changes


def add_customer(tx, fields: dict, *, source: str = "entry") -> dict:
    """Validate and insert a customer, then tell the plugins (``on_customer_created``).

    ``fields`` uses the archive's field names (see :mod:`crm.archive.validate`); ``tags``
    is a list, ``consent`` ``{channel: bool}`` (channels not given are granted: the
    customer gave their number to the dealer for service contact; ``do_not_contact``
    overrides everything), ``specialist`` a staff code, ``card_number``/``member_level``
    issue a membership card.
    """
    clean, problems = clean_customer(fields)
    raise_problems(problems, "customer")
    return insert_customer(tx, clean, source=source)


def insert_customer(tx, clean: dict, *, source: str = "entry") -> dict:
    """Insert an already cleaned record (the importer's bulk path calls this too)."""
    clean = dict(clean)
    tags = clean.pop("tags", None) or []
    consent = clean.pop("consent", None) or {}
    card_number, member_level = clean.pop("card_number", None), clean.pop("member_level", None)
    card_dates = _card_dates(clean)
    clean.pop("phones", None)
    _resolve_specialist(tx, clean)
    if clean.get("do_not_contact") is not None:
        clean["do_not_contact"] = 1 if clean["do_not_contact"] else 0
    else:
        clean.pop("do_not_contact", None)
    row = {k: v for k, v in clean.items() if k in COLUMNS or k in SEARCH_COLUMNS}
    row["created_at"] = row["updated_at"] = tx.now
    cursor = tx.conn.execute(f"INSERT INTO customers ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                             tuple(row.values()))
    customer_id = cursor.lastrowid
    sync_phones(tx, customer_id, row)
    tx.conn.executemany("INSERT OR IGNORE INTO customer_tags (customer_id, tag) VALUES (?, ?)",
                        [(customer_id, tag) for tag in tags])
    tx.conn.executemany(
        "INSERT INTO customer_consents (customer_id, channel, granted, source, updated_at) VALUES (?, ?, ?, ?, ?)",
        [(customer_id, ch, 1 if consent.get(ch, True) else 0, source, tx.now) for ch in CHANNELS])
    if card_number:
        from .cards import issue_card

        issue_card(tx, {"customer_id": customer_id, "number": card_number, "level": member_level or "standard",
                        **card_dates})
    stored = get_customer(tx.store, customer_id)
    tx.audit("create", "customer", [customer_id], detail={"source": source})
    tx.fire("on_customer_created", customer=stored)
    return stored


def update_customer(tx, customer_id, fields: dict, *, keep_known: bool = False, source: str = "edit") -> dict:
    """Change a customer; returns ``{field: (old, new)}``. Fires ``on_customer_updated``.

    ``keep_known=True`` (imports, the portal sync, merges) never replaces a known value by
    an empty one. ``tags`` adds tags; ``untag`` removes them; ``consent`` changes the
    channels it names.
    """
    current = get_customer(tx.store, customer_id)
    untag = fields.pop("untag", None) if "untag" in fields else None
    clean, problems = clean_customer(fields, partial=True)
    raise_problems(problems, f"customer {current['id']}")
    return apply_update(tx, current, clean, untag=untag, keep_known=keep_known, source=source)


def apply_update(tx, current: dict, clean: dict, *, untag=None, keep_known=False, source="edit") -> dict:
    """Write an already cleaned partial record over ``current``; return the changes."""
    cid = current["id"]
    clean = dict(clean)
    tags = clean.pop("tags", None) or []
    consent = clean.pop("consent", None) or {}
    card_number, member_level = clean.pop("card_number", None), clean.pop("member_level", None)
    card_dates = _card_dates(clean)
    clean.pop("phones", None)
    if "specialist" in clean:
        _resolve_specialist(tx, clean)
    if "do_not_contact" in clean and clean["do_not_contact"] is not None:
        clean["do_not_contact"] = 1 if clean["do_not_contact"] else 0
    changes: dict = {}
    updates: dict = {}
    for key, value in clean.items():
        if key not in COLUMNS and key not in SEARCH_COLUMNS:
            continue
        if value is None and (keep_known or key in ("do_not_contact",)):
            continue
        if current.get(key) != value:
            updates[key] = value
            if key not in SEARCH_COLUMNS:
                changes[key] = (current.get(key), value)
    if updates:
        updates["updated_at"] = tx.now
        tx.conn.execute(f"UPDATE customers SET {', '.join(f'{k} = ?' for k in updates)} WHERE id = ?",
                        (*updates.values(), cid))
        if {"mobile", "mobile2", "landline"} & set(updates):
            sync_phones(tx, cid, {**current, **updates})
    old_tags = [r[0] for r in tx.conn.execute("SELECT tag FROM customer_tags WHERE customer_id = ? ORDER BY tag",
                                              (cid,))]
    for tag in tags:
        tx.conn.execute("INSERT OR IGNORE INTO customer_tags (customer_id, tag) VALUES (?, ?)", (cid, tag))
    for tag in untag or []:
        tx.conn.execute("DELETE FROM customer_tags WHERE customer_id = ? AND tag = ?", (cid, tag))
    new_tags = [r[0] for r in tx.conn.execute("SELECT tag FROM customer_tags WHERE customer_id = ? ORDER BY tag",
                                              (cid,))]
    if new_tags != old_tags:
        changes["tags"] = (old_tags, new_tags)
    changes.update(_write_consent(tx, cid, consent, source))
    if card_number:
        from .cards import issue_card

        if not tx.conn.execute("SELECT 1 FROM membership_cards WHERE number = ?", (card_number,)).fetchone():
            issue_card(tx, {"customer_id": cid, "number": card_number, "level": member_level or "standard",
                            **card_dates})
            changes["card"] = (None, card_number)
    if changes:
        if not updates:
            tx.conn.execute("UPDATE customers SET updated_at = ? WHERE id = ?", (tx.now, cid))
        stored = get_customer(tx.store, cid)
        tx.audit("update", "customer", [cid], detail={"fields": sorted(changes), "source": source})
        tx.fire("on_customer_updated", customer=stored, changes=changes)
    return changes


def list_customers(store, *, limit=100, **filters) -> list[dict]:
    """Customers matching :mod:`crm.archive.filters` keyword filters (``city=``, ``tag=`` …)."""
    from .filters import CustomerFilter, list_rows

    return list_rows(store, CustomerFilter(**filters), limit=limit)


def normalize_mobile(value, *, field: str = "mobile") -> str | None:
    """A phone number as the archive stores it, or None when empty; :class:`BadInput` if invalid.

    For plugins that take a phone from a person or a file (complaints, referrals, RSVPs):
    the same normalisation as :func:`crm.archive.validate.clean_customer`.
    """
    from ..values import Invalid
    from ..values.phone import normalize_phone
    from ..values.text import clean

    text = clean(value) if isinstance(value, str) else value
    if text in (None, ""):
        return None
    try:
        return normalize_phone(text)
    except Invalid as exc:
        raise BadInput(f"{field} {value!r}: {exc}") from None
