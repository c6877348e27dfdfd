"""Service visits (repair orders)."""

from __future__ import annotations

from ..errors import BadInput, NotFound
from .vehicles import get_vehicle

VISIT_TYPES = ("maintenance", "repair", "warranty", "bodypaint", "pdi")


def add_visit(tx, fields: dict) -> dict:
    ro = (fields.get("ro_number") or "").strip()
    if not ro:
        raise BadInput("a visit needs its repair order number (--ro)")
    if tx.conn.execute("SELECT 1 FROM visits WHERE ro_number = ?", (ro,)).fetchone():
        raise BadInput(f"repair order {ro} is already in the archive")
    vtype = fields.get("type") or "maintenance"
    if vtype not in VISIT_TYPES:
        raise BadInput(f"visit type {vtype!r} is not one of {', '.join(VISIT_TYPES)}")
    vehicle = get_vehicle(tx.store, fields["vin"])
    if not fields.get("date_in"):
        raise BadInput("a visit needs the date the car came in (--in)")
    row = {
        "ro_number": ro, "vehicle_id": vehicle["id"], "customer_id": fields.get("customer_id") or vehicle["customer_id"],
        "date_in": fields["date_in"], "date_out": fields.get("date_out"), "type": vtype,
        "advisor": fields.get("advisor"), "mileage": fields.get("mileage"), "amount": fields.get("amount"),
        "items": fields.get("items"), "status": "closed" if fields.get("date_out") else "open",
        "created_at": tx.now, "updated_at": tx.now,
    }
    if row["date_out"] and row["date_out"] < row["date_in"]:
        raise BadInput(f"repair order {ro}: out ({row['date_out']}) is before in ({row['date_in']})")
    cursor = tx.conn.execute(
        f"INSERT INTO visits ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", tuple(row.values()))
    row["id"] = cursor.lastrowid
    row["vin"] = vehicle["vin"]
    tx.audit("create", "visit", [row["id"]])
    if row["status"] == "closed":
        tx.fire("on_visit_closed", visit=row)
    return row


def get_visit(store, ro_number: str) -> dict:
    row = store.query_one(
        "SELECT v.*, ve.vin FROM visits v LEFT JOIN vehicles ve ON ve.id = v.vehicle_id WHERE v.ro_number = ?",
        (ro_number,))
    if row is None:
        raise NotFound(f"no repair order {ro_number!r}")
    return row


def close_visit(tx, ro_number: str, date_out: str) -> dict:
    visit = get_visit(tx.store, ro_number)
    if visit["status"] == "closed":
        raise BadInput(f"repair order {ro_number} is already closed ({visit['date_out']})")
    if date_out < visit["date_in"]:
        raise BadInput(f"repair order {ro_number}: out ({date_out}) is before in ({visit['date_in']})")
    tx.conn.execute("UPDATE visits SET date_out = ?, status = 'closed', updated_at = ? WHERE id = ?",
                    (date_out, tx.now, visit["id"]))
    visit = {**visit, "date_out": date_out, "status": "closed"}
    tx.audit("close", "visit", [visit["id"]])
    tx.fire("on_visit_closed", visit=visit)
    return visit


def list_visits(store, *, customer_id=None, since=None, until=None, vtype=None, limit=100) -> list[dict]:
    sql = ("SELECT v.id, v.ro_number, ve.vin, ve.plate, v.customer_id, v.date_in, v.date_out, v.type,"
           " v.advisor, v.mileage, v.amount, v.status FROM visits v LEFT JOIN vehicles ve ON ve.id = v.vehicle_id")
    where, params = [], []
    for clause, value in (("v.customer_id = ?", customer_id), ("v.date_in >= ?", since),
                          ("v.date_in < ?", until), ("v.type = ?", vtype)):
        if value is not None:
            where.append(clause)
            params.append(value)
    if where:
        sql += " WHERE " + " AND ".join(where)
    return store.query(sql + " ORDER BY v.date_in DESC LIMIT ?", (*params, limit))
