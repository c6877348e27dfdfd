"""The one-screen customer page (``crm customer show``)."""

from __future__ import annotations

from .lookup import customer_consent, customer_tags, get_customer


def contact_of(app, customer: dict) -> dict:
    store = app.store
    cid = customer["id"]
    specialist = None
    if customer["specialist_id"]:
        specialist = store.scalar("SELECT code FROM staff WHERE id = ?", (customer["specialist_id"],))
    card = store.query_one(
        "SELECT number, level, issued_on, expires_on, status FROM membership_cards WHERE customer_id = ?"
        " ORDER BY status = 'active' DESC, issued_on DESC LIMIT 1", (cid,))
    contact = {
        "id": cid, "name": customer["name"], "gender": customer["gender"], "birthday": customer["birthday"],
        "mobile": customer["mobile"], "mobile2": customer["mobile2"], "landline": customer["landline"],
        "wechat": customer["wechat"], "email": customer["email"], "city": customer["city"],
        "address": customer["address"], "source": customer["source"],
        "classification": customer["classification"], "specialist": specialist,
        "first_contact_due": customer["first_contact_due"],
        "card": (f"{card['number']} {card['level']} ({card['status']}, expires {card['expires_on'] or '-'})"
                 if card else None),
        "tags": customer_tags(store, cid), "consent": customer_consent(store, cid),
        "do_not_contact": bool(customer["do_not_contact"]),
        "preferred_channel": customer["preferred_channel"], "best_time": customer["best_time"],
        "notes": customer["notes"], "created_at": customer["created_at"], "updated_at": customer["updated_at"],
        "forgotten_at": customer["forgotten_at"],
    }
    return app.mask(contact)


def customer_page(app, customer_id) -> dict:
    store = app.store
    customer = get_customer(store, customer_id)
    cid = customer["id"]
    vehicles = store.query(
        "SELECT id, vin, plate, model, model_year, colour, delivery_date, mileage, insurance_expires,"
        " inspection_due FROM vehicles WHERE customer_id = ? ORDER BY delivery_date DESC, id", (cid,))
    visits = store.query(
        "SELECT v.ro_number, v.date_in, v.date_out, v.type, v.advisor, v.mileage, v.amount, ve.plate"
        " FROM visits v LEFT JOIN vehicles ve ON ve.id = v.vehicle_id"
        " WHERE v.customer_id = ? ORDER BY v.date_in DESC LIMIT 5", (cid,))
    log = store.query(
        "SELECT at, staff, channel, direction, kind, summary, outcome FROM interactions"
        " WHERE customer_id = ? ORDER BY at DESC, id DESC LIMIT 5", (cid,))
    appointments = store.query(
        "SELECT id, at, type, staff, status FROM appointments WHERE customer_id = ? AND at >= ?"
        " ORDER BY at LIMIT 5", (cid, app.today().isoformat()))
    cards = store.query(
        "SELECT number, level, issued_on, expires_on, status FROM membership_cards WHERE customer_id = ?"
        " ORDER BY issued_on DESC", (cid,))
    sections = [
        {"title": "Vehicles", "rows": vehicles},
        {"title": "Recent visits", "rows": visits},
        {"title": "Interaction log", "rows": log},
        {"title": "Appointments", "rows": appointments},
        {"title": "Membership cards", "rows": cards},
    ]
    for extra in app.plugins.call_each("customer_sections", app=app, customer=customer):
        sections.extend(s for s in (extra or []) if isinstance(s, dict) and "title" in s)
    return {"customer": contact_of(app, customer), "sections": sections}
