"""Vehicles and their owners over time (``vehicle_owners`` keeps the history)."""

from __future__ import annotations

from ..errors import BadInput, NotFound
from .customers import get_customer
from .validate import clean_vehicle, raise_problems

COLUMNS = ("vin", "vin_rev", "plate", "plate_key", "model", "model_year", "colour", "delivery_date",
           "mileage", "insurance_expires", "inspection_due", "customer_id")


def normalize_vin(value: str) -> str:
    clean, problems = clean_vehicle({"vin": value}, partial=True)
    raise_problems(problems)
    return clean["vin"]


def normalize_plate(plate: str | None) -> str | None:
    if not plate:
        return None
    clean, problems = clean_vehicle({"plate": plate}, partial=True)
    raise_problems(problems)
    return clean["plate"]


def plate_key(plate: str | None) -> str | None:
    from .validate import plate_key_of

    return plate_key_of(normalize_plate(plate))


def get_vehicle(store, key) -> dict:
    """By id, VIN or plate (the plate with or without its province character)."""
    text = str(key).strip()
    row = None
    if text.isdigit() and len(text) < 10:
        row = store.query_one("SELECT * FROM vehicles WHERE id = ?", (int(text),))
    if row is None:
        row = store.query_one("SELECT * FROM vehicles WHERE vin = ?", (text.upper().replace(" ", ""),))
    if row is None:
        from crm.values import Invalid

        from .validate import _plate

        try:
            plate = _plate(text)
            row = store.query_one("SELECT * FROM vehicles WHERE plate = ?", (plate,))
        except Invalid:
            try:
                from crm.values.plate import plate_key as key_of

                rows = store.query("SELECT * FROM vehicles WHERE plate_key = ? LIMIT 2", (key_of(text),))
                row = rows[0] if len(rows) == 1 else None
            except Invalid:
                row = None
    if row is None:
        raise NotFound(f"no vehicle with id, VIN or plate {key!r}")
    return row


def add_vehicle(tx, fields: dict) -> dict:
    """Validate and insert a vehicle; with an owner it is delivered (``on_vehicle_delivered``)."""
    clean, problems = clean_vehicle(fields)
    raise_problems(problems, "vehicle")
    return insert_vehicle(tx, clean)


def insert_vehicle(tx, clean: dict) -> dict:
    if tx.conn.execute("SELECT 1 FROM vehicles WHERE vin = ?", (clean["vin"],)).fetchone():
        raise BadInput(f"VIN {clean['vin']} is already in the archive")
    customer = get_customer(tx.store, clean["customer_id"]) if clean.get("customer_id") else None
    row = {k: clean.get(k) for k in COLUMNS}
    row["created_at"] = row["updated_at"] = tx.now
    cursor = tx.conn.execute(
        f"INSERT INTO vehicles ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", tuple(row.values()))
    row["id"] = cursor.lastrowid
    if customer:
        tx.conn.execute(
            "INSERT INTO vehicle_owners (vehicle_id, customer_id, since, reason) VALUES (?, ?, ?, 'delivery')",
            (row["id"], customer["id"], row["delivery_date"] or tx.now[:10]))
    tx.audit("create", "vehicle", [row["id"]])
    tx.fire("on_vehicle_delivered", vehicle=row, customer=customer)
    return row


def update_vehicle(tx, key, fields: dict, *, keep_known: bool = False) -> dict:
    """Change a vehicle's plate, model, dates, mileage …; returns ``{field: (old, new)}``.
    The owner changes only through :func:`transfer_vehicle` (history)."""
    vehicle = get_vehicle(tx.store, key)
    fields = {k: v for k, v in fields.items() if k not in ("vin", "customer_id", "customer")}
    clean, problems = clean_vehicle(fields, partial=True)
    raise_problems(problems, f"vehicle {vehicle['vin']}")
    changes = {}
    updates = {}
    for k, v in clean.items():
        if k not in COLUMNS or (v is None and keep_known):
            continue
        if vehicle.get(k) != v:
            updates[k] = v
            if k != "plate_key":
                changes[k] = (vehicle.get(k), v)
    if updates:
        updates["updated_at"] = tx.now
        tx.conn.execute(f"UPDATE vehicles SET {', '.join(f'{k} = ?' for k in updates)} WHERE id = ?",
                        (*updates.values(), vehicle["id"]))
        tx.audit("update", "vehicle", [vehicle["id"]], detail={"fields": sorted(changes)})
    return changes


def transfer_vehicle(tx, key, new_owner_id: int, on: str, reason: str = "transfer") -> dict:
    from .validate import _date
    from crm.values import Invalid

    try:
        on = _date(on)
    except Invalid as exc:
        raise BadInput(f"--on {on!r}: {exc.reason}") from None
    vehicle = get_vehicle(tx.store, key)
    new_owner = get_customer(tx.store, new_owner_id)
    old = vehicle["customer_id"]
    if old == new_owner["id"]:
        raise BadInput(f"customer {new_owner['id']} already owns {vehicle['vin']}")
    tx.conn.execute("UPDATE vehicle_owners SET until = ? WHERE vehicle_id = ? AND until IS NULL", (on, vehicle["id"]))
    tx.conn.execute("INSERT INTO vehicle_owners (vehicle_id, customer_id, since, reason) VALUES (?, ?, ?, ?)",
                    (vehicle["id"], new_owner["id"], on, reason))
    tx.conn.execute("UPDATE vehicles SET customer_id = ?, updated_at = ? WHERE id = ?",
                    (new_owner["id"], tx.now, vehicle["id"]))
    tx.audit("transfer", "vehicle", [vehicle["id"]], detail={"from": old, "to": new_owner["id"]})
    vehicle = {**vehicle, "customer_id": new_owner["id"]}
    tx.fire("on_vehicle_transferred", vehicle=vehicle, old_owner_id=old, new_owner_id=new_owner["id"])
    return vehicle


def owners(store, vehicle_id: int) -> list[dict]:
    return store.query(
        "SELECT o.customer_id, c.name, o.since, o.until, o.reason FROM vehicle_owners o"
        " LEFT JOIN customers c ON c.id = o.customer_id WHERE o.vehicle_id = ? ORDER BY o.id", (vehicle_id,))
