"""The lifecycle hooks an import fires, only when a plugin listens.

An import writes new rows in bulk (:mod:`crm.archive.bulk`) and then fires
``on_customer_created`` / ``on_vehicle_delivered`` for every row it made, reading them back
in id order; when no plugin implements a hook (``get_hookimpls()`` is empty) the calls and
the read-backs are skipped.  Updates of existing customers go through the archive's
``apply_update``, which fires ``on_customer_updated`` itself.
"""

from __future__ import annotations

SQL_CHUNK = 500


def listens(app, hook: str) -> bool:
    """Whether any plugin implements ``hook``."""
    caller = getattr(app.plugins.pm.hook, hook, None)
    return bool(caller and caller.get_hookimpls())


class HookPlan:
    """Which lifecycle hooks someone listens to; fires them for the rows an import made."""

    def __init__(self, app, *, dry_run: bool):
        self.dry_run = dry_run
        self.created = not dry_run and listens(app, "on_customer_created")
        self.delivered = not dry_run and listens(app, "on_vehicle_delivered")
        self.transferred = not dry_run and listens(app, "on_vehicle_transferred")

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
