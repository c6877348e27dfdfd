"""Membership cards (会员卡): issue, renew, list the ones about to expire."""

from __future__ import annotations

import datetime as dt

from ..errors import BadInput, NotFound
from .lookup import get_customer
from .validate import clean_card, raise_problems
from .where import Where

#: A card issued without an expiry date is valid this many years (config ``archive.card_years``).
DEFAULT_YEARS = 1


def _plus_years(day: str, years: int) -> str:
    d = dt.date.fromisoformat(day)
    try:
        return d.replace(year=d.year + years).isoformat()
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28).isoformat()


def card_years(app) -> int:
    years = app.config.get("archive.card_years", DEFAULT_YEARS)
    return int(years) if isinstance(years, int) and years > 0 else DEFAULT_YEARS


def issue_card(tx, fields: dict) -> dict:
    """A new active card for a customer; an older active card of theirs is cancelled."""
    fields = dict(fields)
    fields.setdefault("issued_on", tx.now[:10])
    clean, problems = clean_card(fields)
    raise_problems(problems, "card")
    if not clean.get("customer_id"):
        raise BadInput("a card needs its customer (--customer)")
    customer = get_customer(tx.store, clean["customer_id"])
    if tx.conn.execute("SELECT 1 FROM membership_cards WHERE number = ?", (clean["number"],)).fetchone():
        raise BadInput(f"card number {clean['number']} already exists")
    if not clean.get("expires_on"):
        clean["expires_on"] = _plus_years(clean["issued_on"], card_years(tx.app))
    old = [r[0] for r in tx.conn.execute(
        "SELECT id FROM membership_cards WHERE customer_id = ? AND status = 'active'", (customer["id"],))]
    tx.conn.execute("UPDATE membership_cards SET status = 'cancelled', updated_at = ? WHERE customer_id = ?"
                    " AND status = 'active'", (tx.now, customer["id"]))
    cursor = tx.conn.execute(
        "INSERT INTO membership_cards (customer_id, number, level, issued_on, expires_on, status, created_at,"
        " updated_at) VALUES (?, ?, ?, ?, ?, 'active', ?, ?)",
        (customer["id"], clean["number"], clean["level"], clean["issued_on"], clean["expires_on"], tx.now, tx.now))
    card = get_card(tx.store, cursor.lastrowid)
    tx.audit("issue", "card", [card["id"]], detail={"customer": customer["id"], "replaced": old})
    return card


def get_card(store, key) -> dict:
    text = str(key).strip()
    row = None
    if text.isdigit() and len(text) < 7:
        row = store.query_one("SELECT * FROM membership_cards WHERE id = ?", (int(text),))
    if row is None:
        row = store.query_one("SELECT * FROM membership_cards WHERE number = ?", (text.upper().replace(" ", ""),))
    if row is None:
        raise NotFound(f"no membership card {key!r}")
    return row


def renew_card(tx, key, *, until: str | None = None, years: int | None = None, level: str | None = None) -> dict:
    """Extend a card (from its expiry, or from today if it has lapsed); optionally change its level."""
    card = get_card(tx.store, key)
    if card["status"] == "cancelled":
        raise BadInput(f"card {card['number']} was cancelled; issue a new one")
    if until:
        clean, problems = clean_card({"expires_on": until}, partial=True)
        raise_problems(problems, "card")
        expires = clean["expires_on"]
    else:
        base = max(card["expires_on"] or tx.now[:10], tx.now[:10])
        expires = _plus_years(base, years or card_years(tx.app))
    if expires <= tx.now[:10]:
        raise BadInput(f"--until {expires} is not in the future")
    new_level = level.strip() if level else card["level"]
    tx.conn.execute("UPDATE membership_cards SET expires_on = ?, level = ?, status = 'active', updated_at = ?"
                    " WHERE id = ?", (expires, new_level, tx.now, card["id"]))
    tx.audit("renew", "card", [card["id"]], detail={"expires_on": expires, "level": new_level})
    return get_card(tx.store, card["id"])


def list_cards(store, *, today: str, expiring: int | None = None, level: str | None = None,
               customer_id: int | None = None, status: str | None = None, limit: int = 1000) -> list[dict]:
    """Cards (with their holder); ``expiring=N``: active cards that expire within N days."""
    w = Where()
    if expiring is not None:
        if expiring < 0:
            raise BadInput("--expiring takes a number of days ≥ 0")
        until = (dt.date.fromisoformat(today) + dt.timedelta(days=expiring)).isoformat()
        w.add("m.status = 'active' AND m.expires_on >= ? AND m.expires_on <= ?", today, until)
    if status and status not in ("active", "expired", "cancelled"):
        raise BadInput("--status: use active, expired or cancelled")
    w.equal("m.status", status).equal("m.level", level).equal("m.customer_id", customer_id or None)
    sql = ("SELECT m.id, m.number, m.level, m.issued_on, m.expires_on, m.status, m.customer_id, c.name,"
           " c.mobile FROM membership_cards m JOIN customers c ON c.id = m.customer_id")
    return store.query(sql + w.sql() + " ORDER BY m.expires_on, m.id LIMIT ?", (*w.params, limit))
