"""The seams between the importer and the archive: updates, cards, hooks, bulk mode.

Updates of existing customers go through the archive's own writer
(``crm.archive.customers.apply_update(tx, current, clean, keep_known=True, source="import")``,
which syncs the phone index, audits and fires ``on_customer_updated``) when it exists; a
minimal equivalent is used otherwise.  New rows are written by the importer with plain
INSERTs (the archive's per-row ``insert_customer`` costs a read-back, an audit row and a
hook call per customer); the hooks are then fired for every created row, unless no plugin
implements them (``get_hookimpls()`` is empty) — then the calls are skipped.
"""

from __future__ import annotations

import contextlib
from typing import Iterator

SQL_CHUNK = 500
#: Indexes kept during a bulk import: the importer's own look-ups need them, and the
#: archive_facts triggers (crm/schema.py) look up a customer's vehicles on every customer
#: and vehicle INSERT -- without vehicles_customer each of those is a full scan of
#: vehicles, and a bulk import turns quadratic (100k-row XLSX: minutes instead of seconds).
KEEP_INDEXES = {"customer_phones_phone", "vehicles_plate", "vehicles_customer"}
BULK_TABLES = ("customers", "customer_phones", "customer_tags", "vehicles", "vehicle_owners")
BULK_MIN_ROWS = 50_000
#: the completeness-count triggers (crm/schema.py, m005): per-row upkeep costs more than the
#: INSERTs themselves (≈ 30 µs a customer + vehicle row); a bulk import drops them and
#: recounts once at the end, in the same transaction
FACT_TRIGGERS = "archive_facts_"
#: page cache during an import (KiB): enough for the look-up indexes; more only costs memory
BULK_CACHE_KB = 16_384


def _impls(app, hook: str) -> bool:
    caller = getattr(app.plugins.pm.hook, hook, None)
    return bool(caller and caller.get_hookimpls())


class HookPlan:
    """Which lifecycle hooks someone listens to; fires them for the rows an import made."""

    def __init__(self, app, *, dry_run: bool):
        self.dry_run = dry_run
        self.created = not dry_run and _impls(app, "on_customer_created")
        self.updated = not dry_run and _impls(app, "on_customer_updated")
        self.delivered = not dry_run and _impls(app, "on_vehicle_delivered")
        self.transferred = not dry_run and _impls(app, "on_vehicle_transferred")

    def fire_created(self, tx, first_id: int, next_id: int, first_vid: int, next_vid: int) -> None:
        if self.created and next_id > first_id:
            for lo in range(first_id, next_id, SQL_CHUNK):
                hi = min(lo + SQL_CHUNK, next_id)
                for row in _rows(tx.conn, "SELECT * FROM customers WHERE id >= ? AND id < ? ORDER BY id", (lo, hi)):
                    tx.fire("on_customer_created", customer=row)
        if self.delivered and next_vid > first_vid:
            for lo in range(first_vid, next_vid, SQL_CHUNK):
                hi = min(lo + SQL_CHUNK, next_vid)
                for vehicle in _rows(tx.conn, "SELECT * FROM vehicles WHERE id >= ? AND id < ? ORDER BY id", (lo, hi)):
                    customer = None
                    if vehicle.get("customer_id"):
                        found = _rows(tx.conn, "SELECT * FROM customers WHERE id = ?", (vehicle["customer_id"],))
                        customer = found[0] if found else None
                    tx.fire("on_vehicle_delivered", vehicle=vehicle, customer=customer)

    def vehicle_owner_set(self, tx, vehicle_id: int, owner_id: int) -> None:
        if self.transferred:
            vehicle = _rows(tx.conn, "SELECT * FROM vehicles WHERE id = ?", (vehicle_id,))[0]
            tx.fire("on_vehicle_transferred", vehicle=vehicle, old_owner_id=None, new_owner_id=owner_id)


def _rows(conn, sql: str, params: tuple) -> list[dict]:
    cur = conn.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


# ----------------------------------------------------------------------------- updates
def apply_update(imp, current: dict, clean: dict, changes: dict, new_tags: list[str]) -> None:
    """Write ``clean`` (only changed, non-empty values) over an existing customer."""
    if imp.dry_run:
        return
    tx = imp.tx
    try:
        from ..archive.customers import apply_update as archive_apply_update  # the archive's writer
    except ImportError:
        archive_apply_update = None
    if archive_apply_update is not None:
        archive_apply_update(tx, current, clean, keep_known=True, source="import")
        return
    # Fallback (core before the archive branch): the same effect, done here.
    sets = {k: v for k, v in clean.items() if k != "tags"}
    cid = current["id"]
    if sets:
        sets["updated_at"] = tx.now
        tx.conn.execute(f"UPDATE customers SET {', '.join(f'{k} = ?' for k in sets)} WHERE id = ?",
                        (*sets.values(), cid))
        if {"mobile", "mobile2", "landline"} & set(sets):
            from .customers import _phones_of

            merged = {**current, **sets}
            merged.pop("phones", None)
            tx.conn.execute("DELETE FROM customer_phones WHERE customer_id = ?", (cid,))
            tx.conn.executemany(
                "INSERT OR IGNORE INTO customer_phones (customer_id, phone, kind, tail4) VALUES (?, ?, ?, ?)",
                [(cid, p, k, t) for p, k, t in _phones_of(merged)])
    for tag in new_tags:
        tx.conn.execute("INSERT OR IGNORE INTO customer_tags (customer_id, tag) VALUES (?, ?)", (cid, tag))
    if not sets:
        tx.conn.execute("UPDATE customers SET updated_at = ? WHERE id = ?", (tx.now, cid))
    if imp.hooks.updated:
        stored = _rows(tx.conn, "SELECT * FROM customers WHERE id = ?", (cid,))[0]
        all_changes = dict(changes)
        if new_tags:
            all_changes["tags"] = (None, new_tags)
        tx.fire("on_customer_updated", customer=stored, changes=all_changes)


def issue_card(tx, customer_id: int, number: str, level: str | None, issued: str | None = None,
               expires: str | None = None) -> bool:
    """Issue a membership card through the archive (``crm.archive.cards.issue_card``) if it exists."""
    try:
        from ..archive.cards import issue_card as archive_issue_card  # type: ignore
    except ImportError:
        return False
    if tx.conn.execute("SELECT 1 FROM membership_cards WHERE number = ?", (number,)).fetchone():
        return False
    fields = {"customer_id": customer_id, "number": number, "level": level or "standard"}
    if issued:
        fields["issued_on"] = issued
    if expires:
        fields["expires_on"] = expires
    archive_issue_card(tx, fields)
    return True


def issue_cards_new(tx, cards: list[tuple]) -> None:
    """``issue_card`` for each ``(customer id, number, level[, issued, expires])`` of customers this import has
    just created, in order, with the same rows and audit rows as one call per card, but
    written with ``executemany``.  A card the plain path would treat in any special way
    (a number that cleans to another text, a problem, a customer with an active card)
    goes through :func:`issue_card` itself, at its place in the order."""
    try:
        from ..archive.cards import _plus_years, card_years
        from ..archive.validate import clean_card
    except ImportError:
        for card in cards:
            issue_card(tx, *card)
        return
    import json

    if not cards:
        return
    conn = tx.conn
    today = tx.now[:10]
    years = None
    numbers = [c[1] for c in cards]
    taken: set = set()
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
    pending: list[tuple] = []

    def flush() -> None:
        if not pending:
            return
        next_id = (conn.execute("SELECT coalesce(max(id), 0) FROM membership_cards").fetchone()[0]) + 1
        rows, audits = [], []
        actor = tx.actor
        for i, (cid, number, level, issued, expires) in enumerate(pending):
            rows.append((next_id + i, cid, number, level, issued, expires, tx.now, tx.now))
            audits.append({"at": tx.now, "actor": actor.code, "principal": actor.principal, "role": actor.role,
                           "command": tx.command, "action": "issue", "entity": "card",
                           "record_ids": json.dumps([next_id + i]), "count": 1,
                           "detail": json.dumps({"customer": cid, "replaced": []}, ensure_ascii=False, default=str)})
        conn.executemany(
            "INSERT INTO membership_cards (id, customer_id, number, level, issued_on, expires_on, status,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'active', ?, ?)", rows)
        from ..archive.audit_chain import append

        append(conn, audits)
        tx.audited = True
        pending.clear()

    from ..archive.validate import _CARD_SPEC

    number_rule = _CARD_SPEC["number"]
    memo: dict[tuple, tuple] = {}
    for card in cards:
        cid, number, level = card[:3]
        issued = card[3] if len(card) > 3 else None
        given_expires = card[4] if len(card) > 4 else None
        if number in taken:
            continue  # issue_card's own check: an existing number is not issued again
        # the card's own fields are cleaned once per (level, issued, expires) — a file repeats
        # them — and the number by the same rule on its own; together: clean_card(raw)
        key = (level or "standard", issued or today, given_expires)
        done = memo.get(key)
        if done is None:
            raw = {"customer_id": 1, "number": "X", "level": key[0], "issued_on": key[1]}
            if given_expires:
                raw["expires_on"] = given_expires
            done = memo[key] = clean_card(raw)
        clean, problems = done
        try:
            same_number = number_rule(number) == number
        except Exception:  # noqa: BLE001 - the rule's Invalid: the plain path reports it
            same_number = False
        if problems or not same_number or cid in has_active:
            flush()
            issue_card(tx, *card)
            taken.add(number)
            continue
        expires = clean.get("expires_on")
        if not expires:
            if years is None:
                years = card_years(tx.app)
            expires = _plus_years(clean["issued_on"], years)
        pending.append((cid, number, clean["level"], clean["issued_on"], expires))
        taken.add(number)
        has_active.add(cid)
    flush()


# ----------------------------------------------------------------------------- bulk mode
@contextlib.contextmanager
def bulk_mode(imp, *, table_size: int) -> Iterator[None]:
    """For a large import into a smaller archive: a 16 MB page cache, the secondary indexes
    dropped and rebuilt at the end (sorting once beats a million random B-tree inserts), and
    the completeness-count triggers dropped, the counts recomputed in one GROUP BY at the end
    and the triggers re-created.  DDL is transactional in SQLite: a crash or rollback brings
    them all back."""
    conn = imp.conn
    estimate = imp.table.extra.get("rows_estimate") or 0
    old_cache = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = -{BULK_CACHE_KB}")
    dropped: list[tuple[str, str]] = []
    triggers: list[tuple[str, str]] = []
    if not imp.dry_run and estimate >= BULK_MIN_ROWS and estimate >= table_size:
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
