"""Spreading customers over the responsible specialists (责任专员): ``assign_balance``.

Who: active staff whose role is in ``archive.assign_roles`` (default: callback,
satisfaction, archive — the specialists who keep in touch with customers).

Weight of a specialist = daily capacity × (1 + 0.25 × (level − 1)): a level-3 specialist
with capacity 40 carries 1.5× the customers of a level-1 specialist with capacity 40.

``--balance`` assigns the customers without a (valid) specialist, one at a time, to the
specialist with the lowest (customers + 1) / weight. ``--rebalance`` first computes every
specialist's target share of all customers (largest remainder) and releases the surplus of
those above it (most recently created customers first), then assigns as above: the
fewest customers possible change hands. Customers of staff who left (inactive) or changed
role are always released.

Every customer whose specialist changes gets ``first_contact_due``: the introduction call
is spread over that specialist's next 5 working days (never later than 7 calendar days);
do-not-contact customers get no due date. Logging a contact (``crm log add``) clears it.
"""

from __future__ import annotations

import datetime as dt
import heapq

from ..errors import BadInput

DEFAULT_ROLES = ("callback", "satisfaction", "archive")
SPREAD_WORKDAYS = 5
MAX_DAYS = 7


def weight(staff: dict) -> float:
    return max(int(staff["daily_capacity"] or 0), 1) * (1 + 0.25 * (max(int(staff["level"] or 1), 1) - 1))


def eligible_staff(app) -> list[dict]:
    roles = app.config.get("archive.assign_roles") or list(DEFAULT_ROLES)
    rows = app.store.query(
        f"SELECT id, code, role, level, daily_capacity FROM staff WHERE active = 1 AND daily_capacity > 0"
        f" AND role IN ({', '.join('?' * len(roles))}) ORDER BY code", tuple(roles))
    return rows


def _targets(total: int, staff: list[dict]) -> dict[int, int]:
    weights = {s["id"]: weight(s) for s in staff}
    whole = sum(weights.values())
    exact = {sid: total * w / whole for sid, w in weights.items()}
    targets = {sid: int(x) for sid, x in exact.items()}
    rest = total - sum(targets.values())
    for sid in sorted(exact, key=lambda s: exact[s] - targets[s], reverse=True)[:rest]:
        targets[sid] += 1
    return targets


def _due_dates(calendar, today: dt.date, n: int) -> list[str]:
    last = today + dt.timedelta(days=MAX_DAYS)
    days = []
    for k in range(1, SPREAD_WORKDAYS + 1):
        try:
            day = calendar.add_workdays(today, k)
        except Exception:  # a year the holiday calendar does not know
            day = today + dt.timedelta(days=k)
        days.append(min(day, last))
    return [days[(i * len(days)) // max(n, 1)].isoformat() for i in range(n)]


def plan(app, *, rebalance: bool = False) -> list[tuple[int, int | None, int]]:
    """``[(customer_id, old_specialist_id, new_specialist_id)]`` without writing anything."""
    staff = eligible_staff(app)
    if not staff:
        raise BadInput("no active specialist to assign to (roles: "
                       + ", ".join(app.config.get("archive.assign_roles") or DEFAULT_ROLES) + "); see 'crm staff list'")
    ids = {s["id"] for s in staff}
    counts = {s["id"]: 0 for s in staff}
    for sid, n in app.store.conn.execute("SELECT specialist_id, count(*) FROM customers WHERE forgotten_at IS NULL"
                                         " AND specialist_id IS NOT NULL GROUP BY specialist_id"):
        if sid in counts:
            counts[sid] = n
    free = [(cid, sid) for cid, sid in app.store.conn.execute(
        "SELECT id, specialist_id FROM customers WHERE forgotten_at IS NULL AND (specialist_id IS NULL"
        f" OR specialist_id NOT IN ({', '.join('?' * len(ids))})) ORDER BY id", tuple(ids))]
    if rebalance:
        total = sum(counts.values()) + len(free)
        targets = _targets(total, staff)
        for s in staff:
            surplus = counts[s["id"]] - targets[s["id"]]
            if surplus > 0:
                released = app.store.conn.execute(
                    "SELECT id FROM customers WHERE specialist_id = ? AND forgotten_at IS NULL"
                    " ORDER BY created_at DESC, id DESC LIMIT ?", (s["id"], surplus)).fetchall()
                free += [(r[0], s["id"]) for r in released]
                counts[s["id"]] -= surplus
    weights = {s["id"]: weight(s) for s in staff}
    heap = [((counts[sid] + 1) / weights[sid], sid) for sid in counts]
    heapq.heapify(heap)
    moves = []
    for cid, old in sorted(free):
        _, sid = heapq.heappop(heap)
        counts[sid] += 1
        heapq.heappush(heap, ((counts[sid] + 1) / weights[sid], sid))
        if sid != old:
            moves.append((cid, old, sid))
    return moves


def assign_balance(tx, *, rebalance: bool = False) -> list[dict]:
    app = tx.app
    moves = plan(app, rebalance=rebalance)
    by_staff: dict[int, list[tuple[int, int | None]]] = {}
    for cid, old, new in moves:
        by_staff.setdefault(new, []).append((cid, old))
    codes = dict(tx.conn.execute("SELECT id, code FROM staff"))
    summary = []
    today = app.today()
    for sid, items in by_staff.items():
        contactable = [cid for cid, _ in items if not tx.conn.execute(
            "SELECT do_not_contact FROM customers WHERE id = ?", (cid,)).fetchone()[0]]
        dues = dict(zip(contactable, _due_dates(app.calendar, today, len(contactable))))
        for cid, old in items:
            due = dues.get(cid)
            tx.conn.execute("UPDATE customers SET specialist_id = ?, first_contact_due = ?, updated_at = ?"
                            " WHERE id = ?", (sid, due, tx.now, cid))
            changes = {"specialist_id": (old, sid), "first_contact_due": (None, due)}
            customer = tx.store.query_one("SELECT * FROM customers WHERE id = ?", (cid,))
            tx.fire("on_customer_updated", customer=customer, changes=changes)
        summary.append({"specialist": codes.get(sid), "assigned": len(items),
                        "first_contact_from": min(dues.values()) if dues else None,
                        "first_contact_until": max(dues.values()) if dues else None})
    if moves:
        tx.audit("assign", "customer", [m[0] for m in moves],
                 detail={"rebalance": rebalance, "per_specialist": {s["specialist"]: s["assigned"] for s in summary}})
    return sorted(summary, key=lambda s: s["specialist"] or "")


def assign_one(tx, customer_id, staff_code: str) -> dict:
    """Make ``staff_code`` the customer's specialist (first contact due in 1 working day...)."""
    from .customers import get_customer

    customer = get_customer(tx.store, customer_id)
    staff = tx.store.query_one("SELECT * FROM staff WHERE code = ?", (staff_code,))
    if staff is None:
        raise BadInput(f"no staff member with code '{staff_code}'")
    if not staff["active"]:
        raise BadInput(f"staff member '{staff_code}' is not active")
    if customer["specialist_id"] == staff["id"]:
        raise BadInput(f"customer {customer['id']} is already assigned to {staff_code}")
    due = None if customer["do_not_contact"] else _due_dates(tx.app.calendar, tx.app.today(), 1)[0]
    tx.conn.execute("UPDATE customers SET specialist_id = ?, first_contact_due = ?, updated_at = ? WHERE id = ?",
                    (staff["id"], due, tx.now, customer["id"]))
    tx.audit("assign", "customer", [customer["id"]], detail={"to": staff_code})
    stored = tx.store.query_one("SELECT * FROM customers WHERE id = ?", (customer["id"],))
    tx.fire("on_customer_updated", customer=stored,
            changes={"specialist_id": (customer["specialist_id"], staff["id"]),
                     "first_contact_due": (customer["first_contact_due"], due)})
    return {"customer": customer["id"], "specialist": staff_code, "first_contact_due": due}
