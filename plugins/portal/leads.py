"""The ``leads`` stream → ``portal_leads`` (with the OEM's first-contact deadline), the ADF
XML parsed when present, and the dealer's follow-ups queued for the portal."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from crm.api import log_interaction
from crm.errors import BadInput, NotFound

from .records import parse_instant

OUTCOMES = ("reached", "no_answer", "invalid_number", "not_interested", "appointment", "purchased")


# ----------------------------------------------------------------------------- ADF
def parse_adf(text: str) -> dict:
    """The useful parts of an ADF 1.0 document. DOCTYPE/ENTITY declarations are refused
    before parsing (no entity expansion, no external entities)."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("empty ADF document")
    upper = text.upper()
    if "<!DOCTYPE" in upper or "<!ENTITY" in upper:
        raise ValueError("ADF document with a DOCTYPE/ENTITY declaration refused")
    try:
        root = ET.fromstring(text.encode("utf-8") if text.lstrip().startswith("<?xml") else text)
    except ET.ParseError as exc:
        raise ValueError(f"ADF document is not well-formed XML ({exc})") from None
    prospect = root.find("prospect") if root.tag != "prospect" else root
    if prospect is None:
        raise ValueError("ADF document without <prospect>")

    def txt(node, path):
        found = node.find(path) if node is not None else None
        return " ".join(found.text.split()) if found is not None and found.text and found.text.strip() else None

    pid = prospect.find("id")
    vehicle = prospect.find("vehicle")
    contact = prospect.find("customer/contact")
    names = contact.findall("name") if contact is not None else []
    name = None
    if names:
        full = [n for n in names if (n.get("part") or "full") == "full"]
        if full and full[0].text:
            name = full[0].text.strip()
        else:
            parts = {n.get("part"): (n.text or "").strip() for n in names}
            name = (parts.get("last", "") + parts.get("first", "")).strip() or None
    phones = contact.findall("phone") if contact is not None else []
    phone = next((p.text.strip() for p in phones if p.text and (p.get("type") in (None, "cellphone", "voice"))),
                 None)
    return {
        "prospect_id": pid.text.strip() if pid is not None and pid.text else None,
        "id_source": pid.get("source") if pid is not None else None,
        "requestdate": txt(prospect, "requestdate"),
        "vehicle": {k: txt(vehicle, k) for k in ("year", "make", "model", "trim")} if vehicle is not None else None,
        "name": name,
        "phone": phone,
        "city": txt(contact, "address/city") or txt(prospect, "customer/contact/address/city"),
        "comments": txt(prospect, "customer/comments"),
        "vendor": txt(prospect, "vendor/vendorname") or txt(prospect, "vendor/id"),
        "provider": txt(prospect, "provider/name"),
    }


# --------------------------------------------------------------------------- apply
def apply_lead(tx, record: dict, before: dict | None) -> dict:
    rid = record["id"]
    if record.get("deleted"):
        tx.conn.execute("DELETE FROM portal_leads WHERE id = ?", (rid,))
        return {}
    for key in ("created_at", "contact_due"):
        try:
            parse_instant(record.get(key))
        except ValueError:
            from .records import Refused

            raise Refused(f"{key} {record.get(key)!r} is not an RFC 3339 time") from None
    adf = None
    if record.get("adf"):
        try:
            adf = parse_adf(record["adf"])
        except ValueError as exc:
            adf = {"error": str(exc)}
    phone = _mobile(record.get("phone"))
    customer_id = None
    if phone:
        from crm.api import match_customer

        found = match_customer(tx.store, mobile=phone)
        customer_id = found[0] if found else None
    values = (record.get("version"), record.get("name"), phone or record.get("phone"), record.get("city"),
              record.get("model_interest"), record.get("source"), record.get("created_at"),
              record.get("contact_due"), record.get("comments"),
              json.dumps(adf, ensure_ascii=False) if adf is not None else None, customer_id, tx.now)
    tx.conn.execute(
        "INSERT INTO portal_leads (id, version, name, phone, city, model_interest, source, created_at, contact_due,"
        " comments, adf, customer_id, synced_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (id) DO UPDATE SET version = excluded.version, name = excluded.name, phone = excluded.phone,"
        " city = excluded.city, model_interest = excluded.model_interest, source = excluded.source,"
        " created_at = excluded.created_at, contact_due = excluded.contact_due, comments = excluded.comments,"
        " adf = excluded.adf, customer_id = coalesce(portal_leads.customer_id, excluded.customer_id),"
        " synced_at = excluded.synced_at", (rid, *values))
    return {"customer_id": customer_id}


def _mobile(value) -> str | None:
    from crm.api import clean_customer

    clean, problems = clean_customer({"mobile": value}, partial=True)
    return None if problems else clean.get("mobile")


# -------------------------------------------------------------------------- reading
def list_leads(app, *, due_soon_hours: float | None = None, open_only: bool = False) -> list[dict]:
    rows = app.store.query(
        "SELECT id, name, phone, city, model_interest, source, created_at, contact_due, first_contact_at,"
        " last_outcome, customer_id, adf FROM portal_leads ORDER BY contact_due, id")
    now = app.now()
    out = []
    for row in rows:
        due = parse_instant(row["contact_due"]) if row["contact_due"] else None
        row["contact_due"] = due.astimezone(app.tz).isoformat(timespec="minutes") if due else None
        created = parse_instant(row["created_at"]) if row["created_at"] else None
        row["created_at"] = created.astimezone(app.tz).isoformat(timespec="minutes") if created else None
        contacted = row["first_contact_at"] is not None
        if contacted:
            row["state"] = "contacted"
        elif due is not None and due < now:
            row["state"] = "overdue"
        else:
            row["state"] = "open"
        adf = json.loads(row.pop("adf")) if row.get("adf") else None
        row["via"] = (adf or {}).get("provider") or row["source"]
        if open_only and contacted:
            continue
        if due_soon_hours is not None:
            if contacted or due is None or (due - now).total_seconds() > due_soon_hours * 3600:
                continue
        out.append(row)
    return out


def followup(tx, lead_id: str, *, outcome: str, note: str | None, next_contact_on: str | None,
             contacted_at: str) -> int:
    """Record the dealer's contact with a lead and queue ``POST /leads/{id}/followups``."""
    from .outbox import queue

    if outcome not in OUTCOMES:
        raise BadInput(f"--outcome {outcome!r}: use one of {', '.join(OUTCOMES)}")
    row = tx.conn.execute("SELECT id, customer_id, first_contact_at FROM portal_leads WHERE id = ?",
                          (lead_id,)).fetchone()
    if row is None:
        raise NotFound(f"no portal lead {lead_id!r} (see 'crm sync leads')")
    if next_contact_on:
        from crm.api import parse_date

        try:
            next_contact_on = parse_date(next_contact_on).isoformat()
        except Exception:
            raise BadInput(f"--next-contact-on {next_contact_on!r} is not a date (YYYY-MM-DD)") from None
    payload = {"contacted_at": contacted_at, "outcome": outcome}
    if note:
        if len(note) > 2000:
            raise BadInput("--note is longer than 2000 characters")
        payload["note"] = note
    if next_contact_on:
        payload["next_contact_on"] = next_contact_on
    tx.conn.execute("UPDATE portal_leads SET first_contact_at = coalesce(first_contact_at, ?), last_outcome = ?,"
                    " next_contact_on = ? WHERE id = ?", (contacted_at, outcome, next_contact_on, lead_id))
    log_interaction(tx, {"customer_id": row[1], "at": contacted_at, "channel": "phone", "direction": "out",
                         "kind": "lead_followup", "summary": note, "outcome": outcome,
                         "ref": f"portal:{lead_id}"}, audit=False)  # customer_id None: a lead not matched yet
    item_id = queue(tx, {"kind": "lead_followup", "ref": lead_id, "payload": payload})
    tx.audit("followup", "portal_lead", [lead_id], detail={"outcome": outcome, "outbox": item_id})
    return item_id
