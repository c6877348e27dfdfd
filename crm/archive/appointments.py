"""Appointments (预约): book, arrive, no-show, cancel, and the success rate.

Transitions: ``booked → arrived | no_show | cancelled``; nothing leaves the final states
(a customer who comes after a no-show gets a new appointment). Arrival and no-show are
only possible once the appointment's day has come.

Success rate (预约成功率) of a period = arrived / (appointments due in the period that
were not cancelled): a ``booked`` appointment whose time has passed counts as not arrived.
"""

from __future__ import annotations

import datetime as dt

from crm.values import Invalid

from ..errors import BadInput
from .customers import get_customer
from .lookup import row_by_id
from .validate import VISIT_TYPES, _datetime, _visit_type

STATUSES = ("booked", "arrived", "no_show", "cancelled")
#: where the service happens (上门服务: the dealer comes to the customer)
PLACES = {"in_store": "店内", "at_home": "上门"}
PLACE_ALIASES = {"店内": "in_store", "到店": "in_store", "store": "in_store", "上门": "at_home", "home": "at_home",
                 "onsite": "at_home", "on_site": "at_home"}


def place_code(value) -> str:
    text = str(value or "in_store").strip()
    code = PLACE_ALIASES.get(text, text.lower().replace("-", "_"))
    if code not in PLACES:
        raise BadInput(f"--place {value!r}: use in_store (店内) or at_home (上门)")
    return code


def _moment(value: str, what: str) -> str:
    try:
        return _datetime(value)
    except Invalid as exc:
        raise BadInput(f"{what} {value!r}: {exc.reason}") from None


def book(tx, *, customer_id, at: str, vehicle=None, type: str = "maintenance", staff: str | None = None,
         note: str | None = None, source: str | None = None, place: str | None = None) -> dict:
    from . import slots

    customer = get_customer(tx.store, customer_id)
    moment = _moment(at, "--at")
    if moment[:10] < tx.now[:10]:
        raise BadInput(f"--at {moment} is in the past")
    place = place_code(place)
    slots.check(tx, moment)  # a full slot is refused with the next free ones
    try:
        vtype = _visit_type(type)
    except Invalid as exc:
        raise BadInput(f"--type {type!r}: {exc.reason}") from None
    vehicle_id = None
    if vehicle:
        from .vehicles import get_vehicle

        v = get_vehicle(tx.store, vehicle)
        if v["customer_id"] != customer["id"]:
            raise BadInput(f"vehicle {v['vin']} does not belong to customer {customer['id']}")
        vehicle_id = v["id"]
    staff = staff or (tx.actor.code if tx.actor.is_staff else None)
    if staff and not tx.conn.execute("SELECT 1 FROM staff WHERE code = ?", (staff,)).fetchone():
        raise BadInput(f"no staff member with code '{staff}'")
    cursor = tx.conn.execute(
        "INSERT INTO appointments (customer_id, vehicle_id, at, type, staff, status, note, source, place, created_at,"
        " updated_at) VALUES (?, ?, ?, ?, ?, 'booked', ?, ?, ?, ?, ?)",
        (customer["id"], vehicle_id, moment, vtype, staff, note, source or "phone", place, tx.now, tx.now))
    appointment_id = cursor.lastrowid
    from .interactions import log_interaction

    log_interaction(tx, {"customer_id": customer["id"], "at": tx.now[:19], "staff": staff, "channel": "phone",
                         "direction": "out", "kind": "appointment", "summary": f"{vtype} {moment}",
                         "outcome": "booked", "ref": f"appointment:{appointment_id}"}, audit=False)
    tx.audit("book", "appointment", [appointment_id], detail={"customer": customer["id"]})
    return get_appointment(tx.store, appointment_id)


def get_appointment(store, appointment_id) -> dict:
    return row_by_id(store, "appointments", appointment_id, what="appointment", missing="no appointment {id}")


def _move(tx, appointment_id, status: str, note: str | None = None) -> dict:
    row = get_appointment(tx.store, appointment_id)
    if row["status"] != "booked":
        raise BadInput(f"appointment {row['id']} is {row['status']}, not booked: it cannot become {status}")
    if status in ("arrived", "no_show") and row["at"][:10] > tx.now[:10]:
        raise BadInput(f"appointment {row['id']} is on {row['at'][:10]}: it cannot be {status} before that day")
    text = row["note"]
    if note:
        text = f"{text}; {note}" if text else note
    tx.conn.execute("UPDATE appointments SET status = ?, note = ?, updated_at = ? WHERE id = ?",
                    (status, text, tx.now, row["id"]))
    tx.audit(status.replace("_", "-"), "appointment", [row["id"]])
    return {**row, "status": status, "note": text}


def confirm(tx, appointment_id, *, channel: str = "phone", note: str | None = None) -> dict:
    """The customer confirmed a booked appointment (the day-before call): logged, not a status."""
    row = get_appointment(tx.store, appointment_id)
    if row["status"] != "booked":
        raise BadInput(f"appointment {row['id']} is {row['status']}: only a booked appointment can be confirmed")
    if channel not in ("phone", "sms", "wechat", "visit", "email"):
        raise BadInput(f"channel {channel!r}: use phone, sms, wechat, visit or email")
    tx.conn.execute(
        "INSERT INTO interactions (customer_id, at, staff, channel, direction, kind, summary, outcome, ref, created_at)"
        " VALUES (?, ?, ?, ?, 'out', 'appointment_confirm', ?, 'confirmed', ?, ?)",
        (row["customer_id"], tx.now[:19], tx.actor.code, channel, note or f"确认预约 {row['at'][:16]}",
         f"appointment:{row['id']}", tx.now))
    tx.audit("confirm", "appointment", [row["id"]])
    return row


def arrive(tx, appointment_id) -> dict:
    return _move(tx, appointment_id, "arrived")


def no_show(tx, appointment_id, note=None) -> dict:
    return _move(tx, appointment_id, "no_show", note)


def cancel(tx, appointment_id, reason=None) -> dict:
    return _move(tx, appointment_id, "cancelled", reason)


def list_appointments(store, *, since=None, until=None, status=None, staff=None, customer_id=None,
                      limit=1000) -> list[dict]:
    if status and status.replace("-", "_") not in STATUSES:
        raise BadInput(f"--status {status!r}: use one of {', '.join(STATUSES)}")
    sql = ("SELECT a.id, a.at, a.customer_id, c.name, c.mobile, ve.plate, a.type, a.place, a.staff, a.status,"
           " a.progress, a.note"
           " FROM appointments a JOIN customers c ON c.id = a.customer_id"
           " LEFT JOIN vehicles ve ON ve.id = a.vehicle_id")
    where, params = [], []
    for clause, value in (("a.at >= ?", since), ("a.at < ?", until),
                          ("a.status = ?", status.replace("-", "_") if status else None),
                          ("a.staff = ?", staff), ("a.customer_id = ?", customer_id)):
        if value is not None:
            where.append(clause)
            params.append(value)
    if where:
        sql += " WHERE " + " AND ".join(where)
    return store.query(sql + " ORDER BY a.at, a.id LIMIT ?", (*params, limit))


def stats(store, *, since: str, until: str, now: str, by_staff: bool = False) -> list[dict]:
    """Booked / arrived / no-show / cancelled / pending and the success rate per period (or staff)."""
    group = "a.staff" if by_staff else "'all'"
    rows = store.query(
        f"SELECT {group} AS staff, count(*) AS booked,"
        " sum(a.status = 'arrived') AS arrived, sum(a.status = 'no_show') AS no_show,"
        " sum(a.status = 'cancelled') AS cancelled,"
        " sum(a.status = 'booked' AND a.at < ?) AS overdue,"
        " sum(a.status = 'booked' AND a.at >= ?) AS upcoming"
        " FROM appointments a WHERE a.at >= ? AND a.at < ?"
        f" GROUP BY {group} ORDER BY {group}", (now, now, since, until))
    for row in rows:
        due = row["booked"] - row["cancelled"] - row["upcoming"]
        row["success_rate"] = round(row["arrived"] / due, 3) if due else None
    return rows


def default_period(today: dt.date) -> tuple[str, str]:
    """This calendar month, as the department reports it."""
    start = today.replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1)
    return start.isoformat(), end.isoformat()


__all__ = ["book", "arrive", "no_show", "cancel", "list_appointments", "stats", "STATUSES", "VISIT_TYPES"]
