"""Finding one person recorded twice: the dedupe keys, in order VIN, mobile, name + plate.

- **VIN**: a vehicle has one current owner; two open ownerships (``vehicle_owners.until``
  empty) of one VIN by different customers mean the owner was entered twice. For
  incoming records (import, portal) the VIN of the record's car finds its current owner.
- **mobile**: two customers sharing a mobile number (``customer_phones`` of kind mobile;
  landlines are shared by families and companies and are not a key).
- **name + plate**: same name, and vehicles with the same plate (a VIN typo made the car
  twice).

:func:`match_customer` is what the importer and the portal sync call for each record.
"""

from __future__ import annotations


def match_customer(store, *, vin: str | None = None, mobile: str | None = None, name: str | None = None,
                   plate: str | None = None) -> tuple[int, str] | None:
    """``(customer_id, key)`` of the archived customer an incoming (cleaned) record is, or None."""
    if vin:
        row = store.conn.execute("SELECT customer_id FROM vehicles WHERE vin = ? AND customer_id IS NOT NULL",
                                 (vin,)).fetchone()
        if row:
            return row[0], "vin"
    if mobile:
        row = store.conn.execute(
            "SELECT p.customer_id FROM customer_phones p JOIN customers c ON c.id = p.customer_id"
            " WHERE p.phone = ? AND c.forgotten_at IS NULL ORDER BY p.customer_id LIMIT 1", (mobile,)).fetchone()
        if row:
            return row[0], "mobile"
    if name and plate:
        row = store.conn.execute(
            "SELECT c.id FROM vehicles ve JOIN customers c ON c.id = ve.customer_id WHERE ve.plate = ?"
            " AND c.name = ? ORDER BY c.id LIMIT 1", (plate, name)).fetchone()
        if row:
            return row[0], "name+plate"
    return None


_GROUPS = {
    "vin": """
        SELECT 'vin' AS key, ve.vin AS value, group_concat(DISTINCT o.customer_id) AS ids
        FROM vehicle_owners o JOIN vehicles ve ON ve.id = o.vehicle_id
        WHERE o.until IS NULL AND o.customer_id IS NOT NULL
        GROUP BY o.vehicle_id HAVING count(DISTINCT o.customer_id) > 1""",
    "mobile": """
        SELECT 'mobile' AS key, p.phone AS value, group_concat(p.customer_id) AS ids
        FROM customer_phones p WHERE p.kind = 'mobile'
        GROUP BY p.phone HAVING count(*) > 1""",
    "name+plate": """
        SELECT 'name+plate' AS key, c.name || ' ' || ve.plate AS value, group_concat(DISTINCT c.id) AS ids
        FROM vehicles ve JOIN customers c ON c.id = ve.customer_id
        WHERE ve.plate IS NOT NULL AND c.name IS NOT NULL
        GROUP BY c.name, ve.plate HAVING count(DISTINCT c.id) > 1""",
}


def duplicate_groups(store, *, keys=("vin", "mobile", "name+plate"), limit: int = 500) -> list[dict]:
    """Groups of customers that look like one person; a pair found by an earlier key is not
    repeated by a later one. One row per customer, with the group number."""
    seen: set[frozenset] = set()
    out: list[dict] = []
    group = 0
    for key in keys:
        for row in store.query(_GROUPS[key] + " ORDER BY 3 LIMIT ?", (limit,)):
            ids = sorted({int(i) for i in str(row["ids"]).split(",")})
            members = frozenset(ids)
            if members in seen:
                continue
            seen.add(members)
            group += 1
            for cid in ids:
                c = store.query_one(
                    "SELECT c.id, c.name, c.mobile, c.city, c.created_at,"
                    " (SELECT count(*) FROM vehicles v WHERE v.customer_id = c.id) AS vehicles,"
                    " (SELECT count(*) FROM visits v WHERE v.customer_id = c.id) AS visits"
                    " FROM customers c WHERE c.id = ? AND c.forgotten_at IS NULL", (cid,))
                if c:
                    out.append({"group": group, "key": key, "value": row["value"], **c})
    return out
