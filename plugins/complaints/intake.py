"""Complaints asked for by other plugins through the ``open_complaint`` service hook.

Idempotent by (source, source_ref): asking twice for the same callback returns the same
ticket.  A request *about* one of our own tickets (``about = Ref("complaint", ID)``: the
follow-up call we scheduled with that ``about`` came back dissatisfied) reopens that ticket
instead of opening a new one.
"""

from __future__ import annotations

from crm.api import Ref

from . import service, store


def _own_ticket(about) -> int | None:
    return about.id if isinstance(about, Ref) and about.is_a("complaint") else None


def from_request(tx, request: dict) -> int | None:
    req = dict(request or {})
    source = str(req.get("source") or "callback")
    source_ref = req.get("source_ref") if req.get("source_ref") is not None else req.get("ref")
    source_ref = None if source_ref is None else str(source_ref)
    own = _own_ticket(req.get("about"))
    if own is not None:
        ticket = tx.store.query_one("SELECT id, state FROM complaints_tickets WHERE id = ?", (own,))
        if ticket is not None:
            return _follow_up_unhappy(tx, ticket, req)
    if source_ref is not None:
        existing = tx.store.scalar("SELECT id FROM complaints_tickets WHERE source = ? AND source_ref = ?",
                                   (source, source_ref))
        if existing:
            return existing
    customer_id = req.get("customer_id")
    if customer_id is not None and not tx.store.scalar("SELECT 1 FROM customers WHERE id = ?", (customer_id,)):
        customer_id = None
    vehicle = None
    if req.get("vehicle_id"):
        vehicle = tx.store.query_one("SELECT id, vin, plate, customer_id FROM vehicles WHERE id = ?", (req["vehicle_id"],))
    elif req.get("vin"):
        vehicle = tx.store.query_one("SELECT id, vin, plate, customer_id FROM vehicles WHERE vin = ?",
                                     (str(req["vin"]).upper(),))
    if customer_id is None and vehicle:
        customer_id = vehicle["customer_id"]
    if vehicle is None and customer_id is not None and not req.get("vin"):
        cars = tx.store.query("SELECT id, vin, plate FROM vehicles WHERE customer_id = ?", (customer_id,))
        vehicle = cars[0] if len(cars) == 1 else None  # the customer's only car
    description = req.get("description") or req.get("note") or req.get("reason") or "回访不满意"
    return service.open_ticket(tx, {
        "customer_id": customer_id, "vehicle_id": vehicle["id"] if vehicle else None,
        "vin": vehicle["vin"] if vehicle else req.get("vin"), "plate": vehicle["plate"] if vehicle else req.get("plate"),
        "complainant": req.get("complainant"), "contact_phone": req.get("phone"),
        "channel": req.get("channel") or ("callback" if source == "callback" else None),
        "category": req.get("category") or req.get("aspect"), "severity": req.get("severity"),
        "description": description, "received_at": req.get("received_at"),
        "respond_due_oem": req.get("respond_due"), "resolve_due_oem": req.get("resolve_due"),
        "source_ref": source_ref, "handler": req.get("handler"),
        "note": f"由 {source} 转入" + (f" ({source_ref})" if source_ref else ""),
    }, source=source, system=True)


def _follow_up_unhappy(tx, ticket: dict, req: dict) -> int:
    note = req.get("note") or req.get("description") or "回访仍不满意"
    if ticket["state"] == "closed":
        service.transition(tx, ticket["id"], "follow_up", {"result": "unsatisfied"}, note=note, system=True)
        service.transition(tx, ticket["id"], "reopen", {}, note="结案回访仍不满意 (still unhappy at the follow-up)",
                           system=True)
    elif ticket["state"] == "invalid":
        service.transition(tx, ticket["id"], "reopen", {}, note=note, system=True)
    else:
        service.transition(tx, ticket["id"], "note", {}, note=note, system=True)
    return ticket["id"]


__all__ = ["from_request", "store"]
