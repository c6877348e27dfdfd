"""Merging two records of one person: ``merge(tx, kept_id, merged_id)``.

Everything of the merged record moves to the kept one: vehicles (and their ownership
history), visits, the interaction log, membership cards, appointments, tags, phones, and
the plugins' rows (``on_customers_merged``). Field by field the kept record wins, but a
known value is never replaced by an empty one: an empty field of the kept record takes the
merged record's value. Consent per channel is the strictest of the two (refused by either
→ refused), ``do_not_contact`` is set if either had it, the classification is the higher,
``created_at`` the earlier. The merged record is deleted (secure_delete overwrites it).
"""

from __future__ import annotations

from ..errors import BadInput
from .customers import COLUMNS, get_customer, sync_phones
from .validate import CHANNELS, name_keys

CLASS_ORDER = {"VIP": 0, "A": 1, "B": 2, "C": 3}
MOVED_TABLES = (("vehicles", "customer_id"), ("vehicle_owners", "customer_id"), ("visits", "customer_id"),
                ("interactions", "customer_id"), ("membership_cards", "customer_id"),
                ("appointments", "customer_id"))


def merged_fields(kept: dict, merged: dict) -> dict:
    """The kept record's new field values (only those that change)."""
    out = {}
    for col in COLUMNS:
        if col in ("mobile", "mobile2", "landline", "do_not_contact", "classification", "notes"):
            continue
        if kept.get(col) in (None, "") and merged.get(col) not in (None, ""):
            out[col] = merged[col]
    if merged["do_not_contact"] and not kept["do_not_contact"]:
        out["do_not_contact"] = 1
    classes = [c for c in (kept["classification"], merged["classification"]) if c in CLASS_ORDER]
    if classes:
        best = min(classes, key=CLASS_ORDER.get)
        if best != kept["classification"]:
            out["classification"] = best
    if merged["notes"] and merged["notes"] != kept["notes"]:
        out["notes"] = f"{kept['notes']}\n{merged['notes']}" if kept["notes"] else merged["notes"]
    # Phones: keep the kept record's numbers, fill free slots with the merged record's.
    mobiles = [p for p in (kept["mobile"], kept["mobile2"]) if p]
    for p in (merged["mobile"], merged["mobile2"]):
        if p and p not in mobiles:
            mobiles.append(p)
    extra = mobiles[2:]
    mobiles = mobiles[:2] + [None] * (2 - len(mobiles[:2]))
    for col, value in (("mobile", mobiles[0]), ("mobile2", mobiles[1])):
        if value != kept[col]:
            out[col] = value
    landline = kept["landline"] or merged["landline"]
    if merged["landline"] and kept["landline"] and merged["landline"] != kept["landline"]:
        extra.append(merged["landline"])
    if landline != kept["landline"]:
        out["landline"] = landline
    if extra:
        note = "other phones: " + ", ".join(extra)
        base = out.get("notes", kept["notes"])
        out["notes"] = f"{base}\n{note}" if base else note
    if merged["created_at"] and merged["created_at"] < kept["created_at"]:
        out["created_at"] = merged["created_at"]
    if "name" in out:
        out.update(name_keys(out["name"]))
    return out


def merge(tx, kept_id, merged_id) -> dict:
    kept, merged = get_customer(tx.store, kept_id), get_customer(tx.store, merged_id)
    if kept["id"] == merged["id"]:
        raise BadInput("cannot merge a customer into itself")
    for c in (kept, merged):
        if c["forgotten_at"]:
            raise BadInput(f"customer {c['id']} was forgotten; it cannot be merged")
    kid, mid = kept["id"], merged["id"]
    updates = merged_fields(kept, merged)
    changes = {k: (kept.get(k), v) for k, v in updates.items() if k not in ("name_rev", "name_pinyin",
                                                                              "name_initials")}
    for table, col in MOVED_TABLES:
        tx.conn.execute(f"UPDATE {table} SET {col} = ? WHERE {col} = ?", (kid, mid))
    tx.conn.execute("INSERT OR IGNORE INTO customer_tags (customer_id, tag) SELECT ?, tag FROM customer_tags"
                    " WHERE customer_id = ?", (kid, mid))
    for channel in CHANNELS:
        rows = dict(tx.conn.execute("SELECT customer_id, granted FROM customer_consents WHERE channel = ?"
                                    " AND customer_id IN (?, ?)", (channel, kid, mid)).fetchall())
        if mid in rows and rows[mid] == 0 and rows.get(kid, 1) != 0:
            tx.conn.execute(
                "INSERT INTO customer_consents (customer_id, channel, granted, source, updated_at)"
                " VALUES (?, ?, 0, 'merge', ?) ON CONFLICT (customer_id, channel) DO UPDATE SET granted = 0,"
                " source = 'merge', updated_at = excluded.updated_at", (kid, channel, tx.now))
            changes[f"consent.{channel}"] = (True, False)
    tx.fire("on_customers_merged", kept_id=kid, merged_id=mid)
    # The merged record goes first (phones are unique per customer, not globally).
    tx.conn.execute("DELETE FROM customers WHERE id = ?", (mid,))
    if updates:
        updates["updated_at"] = tx.now
        tx.conn.execute(f"UPDATE customers SET {', '.join(f'{k} = ?' for k in updates)} WHERE id = ?",
                        (*updates.values(), kid))
    sync_phones(tx, kid, {**kept, **updates})
    tx.audit("merge", "customer", [kid, mid], detail={"kept": kid, "merged": mid, "fields": sorted(changes)})
    stored = get_customer(tx.store, kid)
    if changes:
        tx.fire("on_customer_updated", customer=stored, changes=changes)
    return {"kept": kid, "merged": mid, "changes": sorted(changes)}
