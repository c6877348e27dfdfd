"""Vehicles and their owners over time."""

from __future__ import annotations

import re

from ..errors import BadInput, NotFound
from .customers import get_customer

VIN = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")


def normalize_vin(value: str) -> str:
    vin = re.sub(r"\s", "", str(value or "")).upper()
    if not VIN.match(vin):
        raise BadInput(f"VIN {value!r} must be 17 letters/digits without I, O, Q")
    return vin


def plate_key(plate: str | None) -> str | None:
    if not plate:
        return None
    plate = re.sub(r"[\s·.\-]", "", plate).upper()
    return plate[1:] if plate and not plate[0].isascii() else plate


def normalize_plate(plate: str | None) -> str | None:
    if not plate:
        return None
    return re.sub(r"[\s·.\-]", "", plate).upper() or None


def get_vehicle(store, key) -> dict:
    """By id, VIN or plate."""
    text = str(key).strip()
    row = None
    if text.isdigit() and len(text) < 10:
        row = store.query_one("SELECT * FROM vehicles WHERE id = ?", (int(text),))
    if row is None:
        row = store.query_one("SELECT * FROM vehicles WHERE vin = ?", (text.upper(),))
    if row is None:
        row = store.query_one("SELECT * FROM vehicles WHERE plate = ?", (normalize_plate(text),))
    if row is None:
        raise NotFound(f"no vehicle with id, VIN or plate {key!r}")
    return row


def add_vehicle(tx, fields: dict) -> dict:
    vin = normalize_vin(fields.get("vin"))
    if tx.conn.execute("SELECT 1 FROM vehicles WHERE vin = ?", (vin,)).fetchone():
        raise BadInput(f"VIN {vin} is already in the archive")
    customer = get_customer(tx.store, fields["customer_id"]) if fields.get("customer_id") else None
    plate = normalize_plate(fields.get("plate"))
    row = {
        "vin": vin, "vin_rev": vin[::-1], "plate": plate, "plate_key": plate_key(plate),
        "model": fields.get("model"), "model_year": fields.get("model_year"), "colour": fields.get("colour"),
        "delivery_date": fields.get("delivery_date"), "mileage": fields.get("mileage"),
        "insurance_expires": fields.get("insurance_expires"), "inspection_due": fields.get("inspection_due"),
        "customer_id": customer["id"] if customer else None, "created_at": tx.now, "updated_at": tx.now,
    }
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


def transfer_vehicle(tx, key, new_owner_id: int, on: str, reason: str = "transfer") -> dict:
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
