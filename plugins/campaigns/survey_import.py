"""Importing survey answers from an XLSX sheet: validate every cell, report rejects.

Columns: one of ``customer`` (id), ``mobile`` or ``vin`` to find the customer; optional
``ro`` (the visit asked about), ``answered_at`` (date or date-time; default now),
``channel``; then one column per question code.  A row is identified by
(survey, customer, answered_at, ro): importing the same sheet again changes nothing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from crm.errors import BadInput

from . import surveys
from .files import read_xlsx

META = ("customer", "mobile", "vin", "ro", "answered_at", "channel")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value).strip()


def _moment(app, value) -> str:
    if value is None or _text(value) == "":
        return app.timestamp()
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time(12, 0))
    else:
        from crm.api import Invalid, parse_moment

        try:
            moment = parse_moment(_text(value), app.tz, date_only_at=dt.time(12, 0))
        except Invalid:
            raise ValueError("not a date (YYYY-MM-DD or YYYY-MM-DD HH:MM)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=app.tz)
    if moment > app.now():
        raise ValueError("is in the future")
    return moment.isoformat(timespec="seconds")


def validate(app, survey: dict, path: Path) -> tuple[list[dict], list[dict]]:
    """``(good rows ready to store, rejects {row, column, value, reason})``."""
    store = app.store
    header, rows = read_xlsx(path)
    codes = {q["code"]: q for q in survey["questions"]}
    unknown = [h for h in header if h and h not in META and h not in codes]
    if unknown:
        raise BadInput(f"{path.name}: unknown column(s) {', '.join(unknown)}; expected {', '.join(META)}"
                       f" and question codes {', '.join(codes)}")
    if not any(h in header for h in ("customer", "mobile", "vin")):
        raise BadInput(f"{path.name}: needs a customer, mobile or vin column to find each customer")
    good, rejects = [], []
    for number, cells in rows:
        errors = []

        def reject(column, value, reason):
            errors.append({"row": number, "column": column, "value": _text(value), "reason": reason})

        customer_id, vehicle_id = None, None
        if _text(cells.get("customer")):
            raw = _text(cells["customer"])
            if not raw.isdigit() or not store.scalar("SELECT 1 FROM customers WHERE id = ? AND forgotten_at IS NULL",
                                                     (int(raw),)):
                reject("customer", raw, "no such customer")
            else:
                customer_id = int(raw)
        elif _text(cells.get("mobile")):
            raw = _text(cells["mobile"])
            found = store.query("SELECT DISTINCT customer_id FROM customer_phones WHERE phone = ?", (raw,))
            if len(found) != 1:
                reject("mobile", raw, "no customer with this mobile" if not found else "more than one customer")
            else:
                customer_id = found[0]["customer_id"]
        elif _text(cells.get("vin")):
            raw = _text(cells["vin"]).upper()
            vehicle = store.query_one("SELECT id, customer_id FROM vehicles WHERE vin = ?", (raw,))
            if vehicle is None or vehicle["customer_id"] is None:
                reject("vin", raw, "no vehicle with an owner for this VIN")
            else:
                customer_id, vehicle_id = vehicle["customer_id"], vehicle["id"]
        else:
            reject("customer", "", "no customer, mobile or vin given")
        ro = _text(cells.get("ro")) or None
        if ro:
            visit = store.query_one("SELECT customer_id, vehicle_id FROM visits WHERE ro_number = ?", (ro,))
            if visit is None:
                reject("ro", ro, "no such repair order")
            elif customer_id is not None and visit["customer_id"] != customer_id:
                reject("ro", ro, "the repair order belongs to another customer")
            else:
                vehicle_id = vehicle_id or visit["vehicle_id"]
        try:
            answered_at = _moment(app, cells.get("answered_at"))
        except ValueError as exc:
            reject("answered_at", cells.get("answered_at"), str(exc))
            answered_at = None
        channel = _text(cells.get("channel")) or survey["channel"]
        if channel not in ("phone", "sms", "wechat", "email", "portal"):
            reject("channel", channel, "not one of phone, sms, wechat, email")
        answers = {}
        for code, question in codes.items():
            if code not in cells:
                continue
            try:
                answers[code] = surveys.check_answer(question, cells[code])
            except ValueError as exc:
                reject(code, cells[code], str(exc))
        if not errors and not any(v != (None, None) for v in answers.values()):
            reject("", "", "no answers in this row")
        if errors:
            rejects.extend(errors)
            continue
        good.append({"row": number, "customer_id": customer_id, "vehicle_id": vehicle_id, "ro": ro,
                     "answered_at": answered_at, "channel": channel, "answers": answers,
                     "source_ref": f"xlsx:{survey['id']}:{customer_id}:{answered_at}:{ro or ''}"})
    return good, rejects


def import_rows(tx, survey: dict, good: list[dict]) -> dict:
    counts = {"created": 0, "unchanged": 0, "updated": 0}
    for row in good:
        _, what = surveys.store_response(
            tx, survey, customer_id=row["customer_id"], vehicle_id=row["vehicle_id"], channel=row["channel"],
            source="xlsx", source_ref=row["source_ref"], answered_at=row["answered_at"], answers=row["answers"],
            ro=row["ro"])
        counts[what] += 1
    tx.audit("import", "campaigns_survey", [survey["id"]], count=counts["created"], detail=counts)
    return counts
