"""Service visits (repair orders)."""

from __future__ import annotations

from ..errors import BadInput, NotFound
from .validate import VISIT_TYPES, _datetime, clean_visit, raise_problems  # noqa: F401
from .vehicles import get_vehicle

COLUMNS = ("ro_number", "vehicle_id", "customer_id", "date_in", "date_out", "type", "advisor", "mileage",
           "amount", "items", "status")


def add_visit(tx, fields: dict) -> dict:
    """Validate and record a visit; with a date out it is closed (``on_visit_closed``)."""
    clean, problems = clean_visit(fields)
    raise_problems(problems, "visit")
    return insert_visit(tx, clean)


def insert_visit(tx, clean: dict) -> dict:
    ro = clean["ro_number"]
    if tx.conn.execute("SELECT 1 FROM visits WHERE ro_number = ?", (ro,)).fetchone():
        raise BadInput(f"repair order {ro} is already in the archive")
    vehicle = get_vehicle(tx.store, clean["vin"])
    row = {k: clean.get(k) for k in COLUMNS}
    row.update(vehicle_id=vehicle["id"], customer_id=clean.get("customer_id") or vehicle["customer_id"],
               status="closed" if clean.get("date_out") else "open", type=clean.get("type") or "maintenance",
               created_at=tx.now, updated_at=tx.now)
    cursor = tx.conn.execute(
        f"INSERT INTO visits ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", tuple(row.values()))
    row["id"] = cursor.lastrowid
    row["vin"] = vehicle["vin"]
    if row["mileage"] and (vehicle["mileage"] or 0) < row["mileage"]:
        tx.conn.execute("UPDATE vehicles SET mileage = ?, updated_at = ? WHERE id = ?",
                        (row["mileage"], tx.now, vehicle["id"]))
    tx.audit("create", "visit", [row["id"]])
    if row["status"] == "closed":
        tx.fire("on_visit_closed", visit=row)
    return row


def get_visit(store, ro_number: str) -> dict:
    row = store.query_one(
        "SELECT v.*, ve.vin FROM visits v LEFT JOIN vehicles ve ON ve.id = v.vehicle_id WHERE v.ro_number = ?",
        (str(ro_number).strip(),))
    if row is None:
        raise NotFound(f"no repair order {ro_number!r}")
    return row


def close_visit(tx, ro_number: str, date_out: str) -> dict:
    from crm.values import Invalid

    visit = get_visit(tx.store, ro_number)
    if visit["status"] == "closed":
        raise BadInput(f"repair order {ro_number} is already closed ({visit['date_out']})")
    try:
        date_out = _datetime(date_out)
    except Invalid as exc:
        raise BadInput(f"--out {date_out!r}: {exc.reason}") from None
    if date_out[:10] < visit["date_in"][:10]:
        raise BadInput(f"repair order {ro_number}: out ({date_out}) is before in ({visit['date_in']})")
    tx.conn.execute("UPDATE visits SET date_out = ?, status = 'closed', updated_at = ? WHERE id = ?",
                    (date_out, tx.now, visit["id"]))
    visit = {**visit, "date_out": date_out, "status": "closed"}
    tx.audit("close", "visit", [visit["id"]])
    tx.fire("on_visit_closed", visit=visit)
    return visit


def list_visits(store, *, customer_id=None, since=None, until=None, vtype=None, status=None, advisor=None,
                vehicle=None, limit=100) -> list[dict]:
    sql = ("SELECT v.id, v.ro_number, ve.vin, ve.plate, v.customer_id, v.date_in, v.date_out, v.type,"
           " v.advisor, v.mileage, v.amount, v.status FROM visits v LEFT JOIN vehicles ve ON ve.id = v.vehicle_id")
    if vtype is not None and vtype not in VISIT_TYPES:
        raise BadInput(f"--type {vtype!r}: use one of {', '.join(VISIT_TYPES)}")
    if status is not None and status not in ("open", "closed"):
        raise BadInput(f"--status {status!r}: use open or closed")
    vehicle_id = get_vehicle(store, vehicle)["id"] if vehicle else None
    where, params = [], []
    for clause, value in (("v.customer_id = ?", customer_id), ("v.date_in >= ?", since),
                          ("v.date_in < ?", until), ("v.type = ?", vtype), ("v.status = ?", status),
                          ("v.advisor = ?", advisor), ("v.vehicle_id = ?", vehicle_id)):
        if value is not None:
            where.append(clause)
            params.append(value)
    if where:
        sql += " WHERE " + " AND ".join(where)
    return store.query(sql + " ORDER BY v.date_in DESC, v.id DESC LIMIT ?", (*params, limit))
