"""The right to be forgotten (PIPL §47): ``forget(tx, customer_id)``.

Erased: the person's name (and its search columns), gender-neutral identifiers — phones,
WeChat, e-mail, address, birthday, external ref, notes, best time to call — their tags,
phones index rows, consents (the record becomes do-not-contact), the summaries and
outcomes of their interaction log, appointment notes, their membership card numbers
(replaced by ``FORGOTTEN-<id>``), and the VIN and plate of the vehicles they own now (the
VIN becomes ``FORGOTTEN-<vehicle id>``). Plugins erase their own rows in
``on_customer_forgotten``.

Kept, anonymous: the customer row's id, gender, city, source and classification (for
statistics), ``forgotten_at``; visits with dates, type, advisor, mileage, amount and items;
vehicles' model, model year, colour and dates; the kinds, channels and times of the
interactions; card levels and dates; appointments' times and states.

Vehicles the person owned before and that now belong to someone else are the new owner's
data and stay as they are (only the history row points at the anonymous customer).

The database runs with ``secure_delete``: overwritten and deleted cells (table rows *and*
index entries) are zeroed. After the transaction the command checkpoints and truncates the
WAL (:func:`scrub_wal`) so no old page version survives there either.
"""

from __future__ import annotations

import hashlib

from ..errors import BadInput, TemporaryFailure
from .customers import get_customer

#: scrypt, cheap enough for every portal record, costly enough that the table of
#: tombstones is no list of numbers to try (a phone number has few digits of entropy)
_TOMBSTONE = {"salt": b"crm-forgotten-v1", "n": 2**10, "r": 8, "p": 1, "dklen": 16}

ERASED_COLUMNS = ("ref", "name", "name_rev", "name_pinyin", "name_initials", "birthday", "mobile", "mobile2",
                  "landline", "wechat", "email", "address", "notes", "best_time", "preferred_channel",
                  "specialist_id", "first_contact_due")


def forget(tx, customer_id) -> dict:
    customer = get_customer(tx.store, customer_id)
    cid = customer["id"]
    if customer["forgotten_at"]:
        raise BadInput(f"customer {cid} was already forgotten on {customer['forgotten_at'][:10]}")
    phones = [r[0] for r in tx.conn.execute("SELECT phone FROM customer_phones WHERE customer_id = ?", (cid,))]
    phones += [customer[k] for k in ("mobile", "mobile2") if customer.get(k)]
    vins = [r[0] for r in tx.conn.execute("SELECT vin FROM vehicles WHERE customer_id = ?", (cid,))
            if r[0] and not r[0].startswith("FORGOTTEN-")]
    for kind, values in (("mobile", phones), ("vin", vins)):
        for value in dict.fromkeys(values):
            tx.conn.execute("INSERT OR IGNORE INTO forgotten_keys (key_hash, kind, bucket, forgotten_at)"
                            " VALUES (?, ?, ?, ?)", (tombstone_key(kind, value), kind, _bucket(kind, value), tx.now))
    sets = ", ".join(f"{c} = NULL" for c in ERASED_COLUMNS)
    tx.conn.execute(f"UPDATE customers SET {sets}, do_not_contact = 1, forgotten_at = ?, updated_at = ?"
                    " WHERE id = ?", (tx.now, tx.now, cid))
    tx.conn.execute("DELETE FROM customer_phones WHERE customer_id = ?", (cid,))
    tx.conn.execute("DELETE FROM customer_tags WHERE customer_id = ?", (cid,))
    tx.conn.execute("DELETE FROM customer_consents WHERE customer_id = ?", (cid,))
    tx.conn.execute("UPDATE interactions SET summary = NULL, outcome = NULL WHERE customer_id = ?", (cid,))
    tx.conn.execute("UPDATE appointments SET note = NULL WHERE customer_id = ?", (cid,))
    tx.conn.execute("UPDATE membership_cards SET number = 'FORGOTTEN-' || id WHERE customer_id = ?", (cid,))
    vehicles = [r[0] for r in tx.conn.execute("SELECT id FROM vehicles WHERE customer_id = ?", (cid,))]
    for vid in vehicles:
        placeholder = f"FORGOTTEN-{vid}"
        tx.conn.execute("UPDATE vehicles SET vin = ?, vin_rev = ?, plate = NULL, plate_key = NULL, updated_at = ?"
                        " WHERE id = ?", (placeholder, placeholder[::-1], tx.now, vid))
    tx.fire("on_customer_forgotten", customer_id=cid, erased={"vins": vins, "phones": sorted(set(phones))},
            strict=True)
    tx.audit("forget", "customer", [cid], detail={"vehicles": len(vehicles)})
    return {"id": cid, "vehicles": len(vehicles)}


def _normal(value: str) -> str:
    return "".join(str(value).split()).upper()


def tombstone_key(kind: str, value: str) -> str:
    """The tombstone of a VIN or mobile: a slow hash of the normalised value, never the value."""
    return hashlib.scrypt(f"{kind}:{_normal(value)}".encode(), **_TOMBSTONE).hex()


def _bucket(kind: str, value: str) -> str:
    """12 bits of a fast hash: which tombstones are worth the slow hash (reveals no number)."""
    return hashlib.sha256(f"{kind}:{_normal(value)}".encode()).hexdigest()[:3]


def is_forgotten(store, *, vin: str | None = None, mobiles=()) -> bool:
    """Whether a VIN or one of the mobiles belonged to a person who was forgotten.

    Cheap for the portal's every record: the slow hash runs only when a tombstone shares
    the value's 12-bit bucket (with 100 tombstones, about 1 record in 40).
    """
    for kind, value in ([("vin", vin)] if vin else []) + [("mobile", m) for m in mobiles if m]:
        near = [r[0] for r in store.conn.execute(
            "SELECT key_hash FROM forgotten_keys WHERE kind = ? AND bucket = ?", (kind, _bucket(kind, value)))]
        if near and tombstone_key(kind, value) in near:
            return True
    return False


def scrub_wal(store) -> None:
    """Copy the WAL into the database and truncate it, so erased values leave the WAL too.

    SQLite's busy handler retries while another connection's read holds the checkpoint
    back (up to the busy timeout); if it still cannot finish, say so (exit 75): the forget
    is committed, but old page versions may remain until that reader ends.
    """
    busy, _log, _done = store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    if busy:
        raise TemporaryFailure(
            f"{store.path}: the forget is committed, but another connection is reading, so the old values may "
            "still be in the database's WAL; when it has finished run 'crm db checkpoint'")


def copies_before(store) -> list[str]:
    """Files the audit log knows were written before now (exports, backups, outbox files)."""
    import json

    out: list[str] = []
    for action, detail in store.conn.execute(
            "SELECT action, detail FROM audit_log WHERE action IN ('export', 'backup') AND detail IS NOT NULL"
            " ORDER BY id"):
        try:
            data = json.loads(detail)
        except ValueError:
            continue
        for key in ("path", "target", "file"):
            if isinstance(data.get(key), str):
                out.append(data[key])
        out += [f for f in data.get("files") or [] if isinstance(f, str)]
    return list(dict.fromkeys(out))
