"""The ``owners`` stream → the archive's customers and vehicles.

Everything goes through the archive's own functions (``clean_customer``/``clean_vehicle``
validation, ``add_customer``, ``add_vehicle``, ``transfer_vehicle``, ``update_customer``,
``update_vehicle``), so a synced owner fires the same lifecycle hooks as a person's edit
(``on_customer_created``, ``on_vehicle_delivered``, ``on_vehicle_transferred``,
``on_customer_updated``).

Matching (dedupe with the archive): the VIN finds the vehicle and its current owner; a
person not yet linked is found by mobile (``crm.archive.dedupe.match_customer``); only
then is a customer created. The portal record changing both the owner's name and phone
is a change of owner: the vehicle is transferred (history kept).
"""

from __future__ import annotations

from crm.api import clean_customer, clean_vehicle

from .records import Refused, parse_instant
from .conflicts import merge_fields

CUSTOMER_FIELDS = ("name", "mobile", "city")
VEHICLE_FIELDS = ("plate", "model", "model_year", "delivery_date")


def _portal_customer(record: dict, *, strict: bool) -> dict:
    owner = record.get("owner") if isinstance(record.get("owner"), dict) else {}
    raw = {"name": owner.get("name")}
    if "phone" in owner:
        raw["mobile"] = owner["phone"]
    if "city" in owner:
        raw["city"] = owner["city"]
    clean, problems = clean_customer(raw, partial=not strict)
    if problems and strict:
        raise Refused("owner: " + "; ".join(str(p) for p in problems))
    return {k: clean.get(k) for k in CUSTOMER_FIELDS if k in clean}


def _portal_vehicle(record: dict, *, strict: bool) -> dict:
    raw = {k: record.get(k) for k in ("vin", *VEHICLE_FIELDS) if k in record}
    clean, problems = clean_vehicle(raw, partial=not strict)
    if problems and strict:
        raise Refused("vehicle: " + "; ".join(str(p) for p in problems))
    return {k: clean.get(k) for k in ("vin", *VEHICLE_FIELDS) if k in clean}


def _same(field, local, remote, customer=None):
    return field == "mobile" and customer is not None and remote is not None and remote == customer.get("mobile2")


def apply_owner(tx, record: dict, before: dict | None) -> dict:
    from crm.api import get_customer

    if record.get("deleted"):
        return _tombstone(tx, record, before)
    remote_c = _portal_customer(record, strict=True)
    remote_v = _portal_vehicle(record, strict=True)
    from crm.api import is_forgotten

    if is_forgotten(tx.store, vin=remote_v.get("vin"), mobiles=[remote_c.get("mobile")]):
        return {}  # a person who was forgotten: the portal's copy does not bring them back
    base_raw = before["raw"] if before and not before["deleted"] and before.get("raw") else None
    base_c = _portal_customer(base_raw, strict=False) if base_raw else None
    base_v = _portal_vehicle(base_raw, strict=False) if base_raw else None
    vin = remote_v["vin"]
    vehicle = tx.store.query_one("SELECT * FROM vehicles WHERE vin = ?", (vin,))
    current = get_customer(tx.store, vehicle["customer_id"]) if vehicle and vehicle["customer_id"] else None

    if current is not None and not _is_other_person(current, remote_c, base_c):
        customer = current
        if not current.get("forgotten_at"):  # an erased person is not filled in again
            _merge_customer(tx, record, customer, remote_c, base_c)
    else:
        customer = _find_or_create(tx, record, remote_c)
        if vehicle is not None:
            from crm.api import transfer_vehicle

            on = parse_instant(record["updated_at"]).astimezone(tx.app.tz).date().isoformat()
            vehicle = transfer_vehicle(tx, vehicle["id"], customer["id"], on=on, reason="portal")
    if vehicle is None:
        from crm.api import add_vehicle

        vehicle = add_vehicle(tx, {**{k: v for k, v in remote_v.items() if v is not None},
                                   "customer_id": customer["id"]})
    else:
        local_v = {k: vehicle.get(k) for k in VEHICLE_FIELDS}
        portal_v = {k: remote_v[k] for k in VEHICLE_FIELDS if k in remote_v}
        updates = merge_fields(tx, stream="owners", record=record, entity="vehicle", entity_id=vehicle["id"],
                               local=local_v, portal=portal_v, base=base_v)
        if updates:
            from crm.api import update_vehicle

            update_vehicle(tx, vehicle["id"], updates, keep_known=True)
    return {"customer_id": customer["id"], "vehicle_id": vehicle["id"]}


def _is_other_person(current: dict, remote: dict, base: dict | None) -> bool:
    """Did the vehicle change hands? Judged on what the portal changed when we know its
    previous record (name AND phone both changed), else on the archive's owner."""
    if base is not None and (base.get("name") or base.get("mobile")):
        return remote.get("name") != base.get("name") and remote.get("mobile") != base.get("mobile")
    phones = {current.get("mobile"), current.get("mobile2")} - {None}
    return remote.get("name") != current.get("name") and remote.get("mobile") not in phones


def _find_or_create(tx, record: dict, remote: dict) -> dict:
    from crm.api import add_customer, get_customer, match_customer

    found = match_customer(tx.store, mobile=remote.get("mobile")) if remote.get("mobile") else None
    if found:
        customer = get_customer(tx.store, found[0])
        _merge_customer(tx, record, customer, remote, None)
        return get_customer(tx.store, customer["id"])
    fields = {k: v for k, v in remote.items() if v is not None}
    return add_customer(tx, {**fields, "source": "portal"}, source="portal")


def _merge_customer(tx, record: dict, customer: dict, remote: dict, base: dict | None) -> None:
    local = {k: customer.get(k) for k in CUSTOMER_FIELDS}
    updates = merge_fields(tx, stream="owners", record=record, entity="customer", entity_id=customer["id"],
                           local=local, portal=remote, base=base,
                           same=lambda f, here, there: _same(f, here, there, customer))
    if updates:
        from crm.api import update_customer

        update_customer(tx, customer["id"], updates, keep_known=True, source="portal")


def _tombstone(tx, record: dict, before: dict | None) -> dict:
    """The OEM withdrew an owner record: the link and the stored copy go; the archive's
    customer and vehicle stay (the dealer's own history: visits, calls, cards)."""
    return {}
