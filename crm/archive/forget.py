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

from ..errors import BadInput
from .customers import get_customer

ERASED_COLUMNS = ("ref", "name", "name_rev", "name_pinyin", "name_initials", "birthday", "mobile", "mobile2",
                  "landline", "wechat", "email", "address", "notes", "best_time", "preferred_channel",
                  "specialist_id", "first_contact_due")


def forget(tx, customer_id) -> dict:
    customer = get_customer(tx.store, customer_id)
    cid = customer["id"]
    if customer["forgotten_at"]:
        raise BadInput(f"customer {cid} was already forgotten on {customer['forgotten_at'][:10]}")
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
    tx.fire("on_customer_forgotten", customer_id=cid)
    tx.audit("forget", "customer", [cid], detail={"vehicles": len(vehicles)})
    return {"id": cid, "vehicles": len(vehicles)}


def scrub_wal(store) -> None:
    """Copy the WAL into the database and truncate it, so erased values leave the WAL too."""
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
