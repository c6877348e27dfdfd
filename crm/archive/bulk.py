"""Bulk writers: what an import writes into the core tables, a batch of records at a time.

The archive is the only writer of the core tables; the importer (:mod:`crm.importing`)
decides *what* to write (cleaning, matching, merging rows of one customer) and hands the
batches here.  Each function writes the same rows as its one-record counterpart
(:func:`crm.archive.customers.insert_customer`, :func:`crm.archive.vehicles.insert_vehicle`,
:func:`crm.archive.cards.issue_card`) would, but with ``executemany`` and without a read-back,
an audit row or a hook call per record: the caller writes ONE audit row for the whole import
and fires the hooks itself when a plugin listens.

* :func:`insert_customers` — new customers with their phones, tags and consents;
* :func:`insert_vehicles` — new vehicles with their first owner (reason ``delivery``);
* :func:`update_vehicles` — changed vehicles, a new owner where one was missing;
* :func:`issue_cards` — membership cards of new customers (the ids, for the caller's audit);
* :func:`bulk_load` — for a load larger than the archive: indexes and the completeness
  triggers dropped and rebuilt inside the same transaction.
"""

from __future__ import annotations

import contextlib
import functools
import json
from typing import Iterable, Iterator, Sequence

from .validate import CHANNELS

#: columns of ``customers`` a new record may carry (besides id, do_not_contact, timestamps)
CUSTOMER_COLUMNS = ("name", "name_rev", "name_pinyin", "name_initials", "gender", "birthday", "mobile",
                    "mobile2", "landline", "wechat", "email", "city", "address", "source", "notes", "ref",
                    "preferred_channel", "best_time", "specialist_id", "classification")
VEHICLE_COLUMNS = ("vin", "vin_rev", "plate", "plate_key", "model", "model_year", "colour", "delivery_date",
                   "mileage", "insurance_expires", "inspection_due")
SQL_CHUNK = 500
_ALL_GRANTED = "1" * len(CHANNELS)

#: Indexes kept during a bulk load: the importer's look-ups need them, and the
#: archive_facts triggers (crm/schema.py) look up a customer's vehicles on every customer
#: and vehicle INSERT -- without vehicles_customer each of those is a full scan of
#: vehicles, and a bulk import turns quadratic (100k-row XLSX: minutes instead of seconds).
KEEP_INDEXES = {"customer_phones_phone", "vehicles_plate", "vehicles_customer"}
BULK_TABLES = ("customers", "customer_phones", "customer_tags", "vehicles", "vehicle_owners")
BULK_MIN_ROWS = 50_000
#: the completeness-count triggers (crm/schema.py, m005): per-row upkeep costs more than the
#: INSERTs themselves (≈ 30 µs a customer + vehicle row); a bulk load drops them and
#: recounts once at the end, in the same transaction
FACT_TRIGGERS = "archive_facts_"
#: page cache during a load (KiB): enough for the look-up indexes; more only costs memory
BULK_CACHE_KB = 16_384


def phones_of(row: dict) -> list[tuple[str, str, str]]:
    """The ``customer_phones`` rows of a cleaned record: ``(phone, kind, tail4)``."""
    phones = row.get("phones")
    slots = [row.get("mobile"), row.get("mobile2"), row.get("landline")]
    if phones is not None and [p[0] for p in phones] == [p for p in slots if p]:
        return phones
    from crm.values.phone import phone_kind, tail4

    out = []
    for p in slots:
        if p:
            kind = phone_kind(p)
            out.append((p, "landline" if kind == "service" else kind, tail4(p)))
    return out


def insert_customers(tx, rows: Sequence[tuple[int, dict]], *, source: str = "import") -> None:
    """Insert new customers ``(id, cleaned record)``, ids chosen by the caller, in order.

    Writes ``customers``, ``customer_phones``, ``customer_tags`` and one
    ``customer_consents`` row per channel: what the record's ``consent`` says, the channels
    it does not name granted (as :func:`crm.archive.customers.add_customer` does)."""
    if not rows:
        return
    conn, now = tx.conn, tx.now
    cols = ("id",) + CUSTOMER_COLUMNS + ("do_not_contact", "created_at", "updated_at")
    conn.executemany(
        f"INSERT INTO customers ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
        [(cid, *[row.get(c) for c in CUSTOMER_COLUMNS], 1 if row.get("do_not_contact") else 0, now, now)
         for cid, row in rows])
    phones = [(cid, phone, kind, tail) for cid, row in rows for phone, kind, tail in phones_of(row)]
    if phones:
        conn.executemany(
            "INSERT OR IGNORE INTO customer_phones (customer_id, phone, kind, tail4) VALUES (?, ?, ?, ?)", phones)
    tags = [(cid, tag) for cid, row in rows for tag in row.get("tags") or ()]
    if tags:
        conn.executemany("INSERT OR IGNORE INTO customer_tags (customer_id, tag) VALUES (?, ?)", tags)
    # SQLite makes the four rows of each customer: one INSERT … SELECT per pattern of
    # answers ("1101": granted per channel; a file has a handful) from the JSON list of the
    # ids that have it — a third of the time of executemany into this WITHOUT ROWID table
    by_flags: dict[str, list[int]] = {}
    for cid, row in rows:
        given = row.get("consent")
        flags = "".join("0" if given.get(ch) is False else "1" for ch in CHANNELS) if given else _ALL_GRANTED
        by_flags.setdefault(flags, []).append(cid)
    for flags, ids in by_flags.items():
        granted = ", ".join(f"('{ch}', {flag})" for ch, flag in zip(CHANNELS, flags))
        conn.execute(
            "INSERT INTO customer_consents (customer_id, channel, granted, source, updated_at)"
            f" SELECT c.value, ch.column1, ch.column2, ?, ? FROM json_each(?) AS c CROSS JOIN (VALUES {granted}) AS ch",
            (source, now, json.dumps(ids)))


def insert_vehicles(tx, vehicles: Iterable[dict]) -> None:
    """Insert new vehicles (each with its ``id`` and ``customer_id``) and their first owner
    (since the delivery date, else today; reason ``delivery``)."""
    vehicles = list(vehicles)
    if not vehicles:
        return
    conn, now = tx.conn, tx.now
    cols = ("id",) + VEHICLE_COLUMNS + ("customer_id", "created_at", "updated_at")
    conn.executemany(
        f"INSERT INTO vehicles ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
        [(v["id"], *[v.get(c) for c in VEHICLE_COLUMNS], v["customer_id"], now, now) for v in vehicles])
    today = now[:10]
    conn.executemany(
        "INSERT INTO vehicle_owners (vehicle_id, customer_id, since, reason) VALUES (?, ?, ?, 'delivery')",
        [(v["id"], v["customer_id"], v.get("delivery_date") or today) for v in vehicles])


def update_vehicles(tx, changes: Iterable[tuple[int, dict, int | None]]) -> None:
    """Write ``(vehicle id, {column: new value}, new owner id or None)``: the changed columns,
    and for a vehicle without an owner its new owner (an owner row, reason ``import``)."""
    conn, now = tx.conn, tx.now
    for vid, sets, owner in changes:
        sets = dict(sets)
        if owner is not None:
            sets["customer_id"] = owner
        sets["updated_at"] = now
        conn.execute(f"UPDATE vehicles SET {', '.join(f'{k} = ?' for k in sets)} WHERE id = ?",
                     (*sets.values(), vid))
        if owner is not None:
            conn.execute("INSERT INTO vehicle_owners (vehicle_id, customer_id, since, reason)"
                         " VALUES (?, ?, ?, 'import')", (vid, owner, now[:10]))


@functools.lru_cache(maxsize=8192)
def _card_field(name: str, value: str) -> tuple:
    """``clean_card({name: value}, partial=True)``, remembered: an import's cards repeat their
    levels and dates across batches (the result is only read)."""
    from .validate import clean_card

    return clean_card({name: value}, partial=True)


def issue_cards(tx, cards: Iterable[tuple]) -> list[int]:
    """Issue ``(customer id, number, level, issued or None, expires or None)`` in order, by
    the rules of :func:`crm.archive.cards.issue_card` (the card cleaned by ``clean_card``,
    issued today and valid ``archive.card_years`` unless dated, a number already in the
    archive not issued again, an older active card of the customer cancelled), without an
    audit row per card: returns the ids written, for the caller's one audit row."""
    from ..errors import BadInput
    from .cards import _plus_years, card_years
    from .validate import _CARD_SPEC, clean_card, raise_problems

    cards = list(cards)
    if not cards:
        return []
    conn, now = tx.conn, tx.now
    today = now[:10]
    years = None
    taken: set = set()
    numbers = [c[1] for c in cards]
    for lo in range(0, len(numbers), SQL_CHUNK):
        part = numbers[lo:lo + SQL_CHUNK]
        taken.update(r[0] for r in conn.execute(
            f"SELECT number FROM membership_cards WHERE number IN ({','.join('?' * len(part))})", part))
    ids = [c[0] for c in cards]
    has_active: set = set()
    for lo in range(0, len(ids), SQL_CHUNK):
        part = ids[lo:lo + SQL_CHUNK]
        has_active.update(r[0] for r in conn.execute(
            f"SELECT customer_id FROM membership_cards WHERE status = 'active' AND customer_id IN"
            f" ({','.join('?' * len(part))})", part))
    number_rule = _CARD_SPEC["number"]
    written: list[int] = []
    pending: list[tuple] = []

    def flush() -> None:
        if not pending:
            return
        next_id = (conn.execute("SELECT coalesce(max(id), 0) FROM membership_cards").fetchone()[0]) + 1
        conn.executemany(
            "INSERT INTO membership_cards (id, customer_id, number, level, issued_on, expires_on, status,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'active', ?, ?)",
            [(next_id + i, *card, now, now) for i, card in enumerate(pending)])
        written.extend(range(next_id, next_id + len(pending)))
        pending.clear()

    for card in cards:
        cid, raw_number, level = card[:3]
        issued = card[3] if len(card) > 3 else None
        given_expires = card[4] if len(card) > 4 else None
        if raw_number in taken:
            continue  # issue_card's own check: an existing number is not issued again
        # clean_card cleans each field alone: the card's level, issue date and expiry are
        # cleaned once per value (a file repeats each of them, not their combination) and the
        # number by the same rule on its own; together they are clean_card(raw), and a card
        # with any problem goes through clean_card whole, for its own words and order
        raw = {"customer_id": 1, "number": "X", "level": level or "standard", "issued_on": issued or today}
        if given_expires:
            raw["expires_on"] = given_expires
        parts = []
        for name, value in raw.items():
            if name in ("customer_id", "number"):
                continue
            parts.append(_card_field(name, value) if type(value) is str else clean_card({name: value}, partial=True))
        clean = {k: v for part, _ in parts for k, v in part.items()}
        problems = [p for _, found in parts for p in found]
        if problems or (clean.get("expires_on") and clean.get("issued_on")
                        and clean["expires_on"] < clean["issued_on"]) or clean.get("level") is None:
            clean, problems = clean_card(raw)
        raise_problems(problems, "card")
        try:
            number = number_rule(raw_number)
        except Exception:  # noqa: BLE001 - the rule's Invalid: clean_card names it
            raise_problems(clean_card({"customer_id": cid, "number": raw_number})[1], "card")
            raise BadInput(f"card number {raw_number!r} is not valid") from None
        if number != raw_number and number in taken:
            raise BadInput(f"card number {number} already exists")
        if cid in has_active:  # an older active card of the customer is cancelled
            flush()
            conn.execute("UPDATE membership_cards SET status = 'cancelled', updated_at = ? WHERE customer_id = ?"
                         " AND status = 'active'", (now, cid))
        expires = clean.get("expires_on")
        if not expires:
            if years is None:
                years = card_years(tx.app)
            expires = _plus_years(clean["issued_on"], years)
        pending.append((cid, number, clean["level"], clean["issued_on"], expires))
        taken.update((raw_number, number))
        has_active.add(cid)
    flush()
    return written


@contextlib.contextmanager
def bulk_load(tx, *, rows_expected: int, table_size: int, enabled: bool = True) -> Iterator[None]:
    """For a load of ``rows_expected`` rows into an archive of ``table_size`` customers:
    a 16 MB page cache and, when the load is large (≥ 50,000 rows) and larger than the
    archive, the secondary indexes dropped and rebuilt at the end (sorting once beats a
    million random B-tree inserts) and the completeness-count triggers dropped, the counts
    recomputed in one GROUP BY at the end and the triggers re-created.  DDL is transactional
    in SQLite: a crash or rollback brings them all back."""
    conn = tx.conn
    old_cache = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = -{BULK_CACHE_KB}")
    dropped: list[tuple[str, str]] = []
    triggers: list[tuple[str, str]] = []
    if enabled and rows_expected >= BULK_MIN_ROWS and rows_expected >= table_size:
        placeholders = ",".join("?" * len(BULK_TABLES))
        for name, sql in conn.execute(
                f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
                f" AND tbl_name IN ({placeholders})", BULK_TABLES).fetchall():
            if name not in KEEP_INDEXES:
                dropped.append((name, sql))
        for name, _sql in dropped:
            conn.execute(f'DROP INDEX "{name}"')
        triggers = conn.execute(f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
                                f" AND name LIKE '{FACT_TRIGGERS}%'").fetchall()
        for name, _sql in triggers:
            conn.execute(f'DROP TRIGGER "{name}"')
    try:
        yield
    except BaseException:
        conn.execute(f"PRAGMA cache_size = {int(old_cache)}")
        raise  # the transaction's rollback brings the dropped indexes and triggers back
    for _name, sql in dropped:
        conn.execute(sql)
    if triggers:
        from crm.schema import recount_archive_facts

        recount_archive_facts(conn)
        for _name, sql in triggers:
            conn.execute(sql)
    conn.execute(f"PRAGMA cache_size = {int(old_cache)}")


VISIT_COLUMNS = ("ro_number", "vehicle_id", "customer_id", "date_in", "date_out", "type", "advisor", "mileage",
                 "amount", "items", "status")


def insert_visits(tx, visits: Sequence[dict]) -> list[int]:
    """Insert new visits (repair orders, cleaned, with ``vehicle_id``/``customer_id``) in
    order; returns their ids."""
    if not visits:
        return []
    conn, now = tx.conn, tx.now
    cols = VISIT_COLUMNS + ("created_at", "updated_at")
    first = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM visits").fetchone()[0]
    conn.executemany(f"INSERT INTO visits (id, {', '.join(cols)}) VALUES (?, {', '.join('?' * len(cols))})",
                     [(first + i, *[v.get(k) for k in VISIT_COLUMNS], now, now) for i, v in enumerate(visits)])
    return list(range(first, first + len(visits)))


def update_visits(tx, changes: Iterable[tuple[int, dict]]) -> None:
    """Write ``(visit id, {column: new value})`` (``updated_at`` set)."""
    for vid, sets in changes:
        sets = {**sets, "updated_at": tx.now}
        tx.conn.execute(f"UPDATE visits SET {', '.join(f'{k} = ?' for k in sets)} WHERE id = ?",
                        (*sets.values(), vid))
