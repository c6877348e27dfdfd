"""Purchase orders and contracts (订单/合同): the sales side of the customer's file.

An order is signed (``signed``) with a customer, a model, a price and a deposit, on a date, with a
promised delivery date and a sales consultant; it ends ``delivered`` (the vehicle is created in the
archive and the delivery hooks fire, so the delivery-day callbacks follow) or ``cancelled``.

Orders are core dealer data (the documents: 订单处理 — 负责接受顾客的购车订单; 合同管理 —
跟踪和管理客户签署的合同; 编制销售报表), so they live in the core archive beside customers and
vehicles; every plugin reads them through this module.

A promised date that passes while the order is still ``signed`` has *slipped*: it shows on the
agenda of the consultant (and the manager's) until the car is delivered or the date is moved.
"""

from __future__ import annotations

import datetime as dt

from ..errors import BadInput, NotFound
from .customers import get_customer

STATUSES = {"signed": "已签约", "delivered": "已交车", "cancelled": "已取消"}
LIST_COLUMNS = ["id", "number", "customer_id", "name", "model", "price", "deposit", "signed_on", "promised_on",
                "consultant", "status", "delivered_on", "vin", "slipped_days"]


def _date(value, what: str, *, required: bool = False) -> str | None:
    if value is None or str(value).strip() == "":
        if required:
            raise BadInput(f"{what} is required (YYYY-MM-DD)")
        return None
    try:
        return dt.date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise BadInput(f"{what} {value!r} is not a date like 2026-11-20") from None


def _money(value, what: str, *, required: bool = False) -> float:
    if value is None or str(value).strip() == "":
        if required:
            raise BadInput(f"{what} is required (元)")
        return 0.0
    try:
        amount = float(str(value).replace(",", "").replace("元", "").strip())
    except ValueError:
        raise BadInput(f"{what} {value!r} is not an amount of money (e.g. 328000)") from None
    if not amount >= 0 or amount == float("inf"):
        raise BadInput(f"{what} {value!r} must be 0 or more")
    return round(amount, 2)


def _staff(tx, code: str | None, what: str) -> str | None:
    if not code:
        return None
    row = tx.store.query_one("SELECT code, active FROM staff WHERE code = ?", (code,))
    if row is None or not row["active"]:
        raise BadInput(f"{what} {code!r}: no active staff member with that code (see 'crm staff list')")
    return row["code"]


def add_order(tx, *, customer_id, model: str, price, deposit=None, signed_on=None, promised_on=None,
              consultant: str | None = None, number: str | None = None, note: str | None = None) -> dict:
    """Record a signed order (合同); returns its row.  Bad input: exit 2, nothing written."""
    customer = get_customer(tx.store, customer_id)
    model = " ".join(str(model or "").split())
    if not model:
        raise BadInput("--model is required (e.g. 530Li)")
    price_v = _money(price, "--price", required=True)
    deposit_v = _money(deposit, "--deposit")
    if deposit_v > price_v:
        raise BadInput(f"--deposit {deposit_v:g} is more than the price {price_v:g}")
    signed = _date(signed_on, "--signed") or tx.now[:10]
    promised = _date(promised_on, "--promised")
    if promised and promised < signed:
        raise BadInput(f"--promised {promised} is before the contract was signed ({signed})")
    if consultant is None and tx.actor.is_staff and tx.actor.role == "sales":
        consultant = tx.actor.code
    consultant = _staff(tx, consultant, "--consultant")
    number = (number or "").strip() or None
    if number and tx.conn.execute("SELECT 1 FROM orders WHERE number = ?", (number,)).fetchone():
        raise BadInput(f"order number {number!r} already exists")
    row = {"number": number, "customer_id": customer["id"], "model": model, "price": price_v,
           "deposit": deposit_v, "signed_on": signed, "promised_on": promised, "consultant": consultant,
           "status": "signed", "note": note, "created_at": tx.now, "updated_at": tx.now}
    cursor = tx.conn.execute(f"INSERT INTO orders ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                             tuple(row.values()))
    tx.audit("create", "order", [cursor.lastrowid], detail={"customer": customer["id"], "model": model})
    return get_order(tx.store, cursor.lastrowid)


def get_order(store, order_id) -> dict:
    text = str(order_id).strip().lstrip("#")
    row = None
    if text.isdigit():
        row = store.query_one("SELECT * FROM orders WHERE id = ?", (int(text),))
    if row is None:
        row = store.query_one("SELECT * FROM orders WHERE number = ?", (text,))
    if row is None:
        raise NotFound(f"no order with id or number {order_id!r} (see 'crm order list')")
    return row


def slipped_days(order: dict, today: dt.date) -> int | None:
    """Days past the promised delivery date of an order still waiting for its car."""
    if order["status"] != "signed" or not order["promised_on"]:
        return None
    late = (today - dt.date.fromisoformat(order["promised_on"])).days
    return late if late > 0 else None


def deliver(tx, order_id, *, vin: str, plate: str | None = None, on=None, colour: str | None = None,
            model_year=None) -> dict:
    """交车: the order's vehicle is created in the archive for its customer (``add_vehicle`` fires
    ``on_vehicle_delivered``: the delivery-day callbacks follow) and the order is delivered."""
    from .vehicles import add_vehicle

    order = get_order(tx.store, order_id)
    if order["status"] != "signed":
        raise BadInput(f"order {order['id']} is {order['status']}: only a signed order can be delivered")
    day = _date(on, "--on") or tx.now[:10]
    if day < order["signed_on"]:
        raise BadInput(f"--on {day} is before the contract was signed ({order['signed_on']})")
    if day > tx.now[:10]:
        raise BadInput(f"--on {day} is in the future: record the delivery when the car is handed over")
    fields = {"vin": vin, "plate": plate, "model": order["model"], "delivery_date": day,
              "customer_id": order["customer_id"], "colour": colour, "model_year": model_year}
    vehicle = add_vehicle(tx, {k: v for k, v in fields.items() if v is not None})
    tx.conn.execute("UPDATE orders SET status = 'delivered', vehicle_id = ?, delivered_on = ?, updated_at = ?"
                    " WHERE id = ?", (vehicle["id"], day, tx.now, order["id"]))
    tx.audit("deliver", "order", [order["id"]], detail={"vehicle": vehicle["id"]})
    return {**get_order(tx.store, order["id"]), "vin": vehicle["vin"]}


def cancel(tx, order_id, reason: str | None = None) -> dict:
    order = get_order(tx.store, order_id)
    if order["status"] != "signed":
        raise BadInput(f"order {order['id']} is {order['status']}: only a signed order can be cancelled")
    note = f"{order['note']}; {reason}" if order["note"] and reason else (reason or order["note"])
    tx.conn.execute("UPDATE orders SET status = 'cancelled', note = ?, updated_at = ? WHERE id = ?",
                    (note, tx.now, order["id"]))
    tx.audit("cancel", "order", [order["id"]])
    return get_order(tx.store, order["id"])


def list_orders(store, today: dt.date, *, status=None, consultant=None, customer_id=None, since=None,
                until=None, slipped: bool = False, limit: int = 1000) -> list[dict]:
    if status and status not in STATUSES:
        raise BadInput(f"--status {status!r}: use one of {', '.join(STATUSES)}")
    where, params = [], []
    for clause, value in (("o.status = ?", status), ("o.consultant = ?", consultant),
                          ("o.customer_id = ?", customer_id), ("o.signed_on >= ?", since),
                          ("o.signed_on < ?", until)):
        if value is not None:
            where.append(clause)
            params.append(value)
    if slipped:
        where.append("o.status = 'signed' AND o.promised_on < ?")
        params.append(today.isoformat())
    sql = ("SELECT o.id, o.number, o.customer_id, c.name, c.mobile, o.model, o.price, o.deposit, o.signed_on,"
           " o.promised_on, o.consultant, o.status, o.delivered_on, v.vin FROM orders o"
           " JOIN customers c ON c.id = o.customer_id LEFT JOIN vehicles v ON v.id = o.vehicle_id")
    if where:
        sql += " WHERE " + " AND ".join(where)
    rows = store.query(sql + " ORDER BY o.signed_on, o.id LIMIT ?", (*params, limit))
    for row in rows:
        row["slipped_days"] = slipped_days(row, today)
    return rows


def slipped_agenda(app, today: dt.date, staff: str | None) -> list[dict]:
    """Agenda items for the orders whose promised delivery date has passed (交车延期): the
    consultant's own, and all of them for whoever sees the department's agenda."""
    items = []
    store = app.store
    rows = list_orders(store, today, slipped=True, consultant=None)
    sees_all = staff and app.permissions.allows(store.scalar("SELECT role FROM staff WHERE code = ?", (staff,)),
                                                "agenda.department")
    for row in rows:
        if staff and not sees_all and row["consultant"] != staff:
            continue
        items.append({"kind": "order_slipped", "priority": 1, "due": row["promised_on"],
                      "customer_id": row["customer_id"], "ref": f"order:{row['id']}",
                      "title": f"交车延期 {row['slipped_days']} 天: {row['name'] or ''} {row['model']}"
                               f" (承诺 {row['promised_on']}, 订单 {row['number'] or row['id']})"})
    return items


# ------------------------------------------------------------------ the sales report
SALES_BY = {"consultant": "销售顾问", "model": "车型", "month": "月份"}
SALES_COLUMNS = ["key", "label", "orders", "amount", "deposit", "avg_price", "delivered", "delivered_amount",
                 "cancelled", "open", "slipped"]
SALES_HEADERS = {"key": "代码", "label": "分组", "orders": "签约台数", "amount": "签约金额(元)",
                 "deposit": "定金(元)", "avg_price": "平均单价(元)", "delivered": "交车台数",
                 "delivered_amount": "交车金额(元)", "cancelled": "取消", "open": "待交车", "slipped": "交车延期"}


def sales_report(store, start: dt.date, end: dt.date, by: str, today: dt.date) -> list[dict]:
    """编制销售报表: orders signed in ``[start, end]`` (inclusive) grouped by consultant, model or
    month, with a 合计 row.  Cancelled orders are counted apart and not in the amounts."""
    if by not in SALES_BY:
        raise BadInput(f"--by {by!r}: use one of {', '.join(SALES_BY)}")
    rows = store.query(
        "SELECT o.*, s.name AS consultant_name FROM orders o LEFT JOIN staff s ON s.code = o.consultant"
        " WHERE o.signed_on >= ? AND o.signed_on <= ? ORDER BY o.signed_on, o.id",
        (start.isoformat(), end.isoformat()))
    groups: dict[str, list[dict]] = {}
    labels: dict[str, str] = {}
    for row in rows:
        if by == "consultant":
            key = row["consultant"] or "none"
            labels[key] = row["consultant_name"] or "未指定"
        elif by == "model":
            key = labels.setdefault(row["model"], row["model"])
        else:
            key = row["signed_on"][:7]
            labels[key] = f"{key[:4]}年{int(key[5:7])}月"
        groups.setdefault(key, []).append(row)

    def figures(items: list[dict]) -> dict:
        live = [r for r in items if r["status"] != "cancelled"]
        done = [r for r in items if r["status"] == "delivered"]
        amount = round(sum(r["price"] for r in live), 2)
        return {"orders": len(live), "amount": amount, "deposit": round(sum(r["deposit"] for r in live), 2),
                "avg_price": round(amount / len(live), 2) if live else None, "delivered": len(done),
                "delivered_amount": round(sum(r["price"] for r in done), 2),
                "cancelled": len(items) - len(live), "open": sum(1 for r in items if r["status"] == "signed"),
                "slipped": sum(1 for r in items if slipped_days(r, today))}

    out = [{"key": key, "label": labels[key], **figures(groups[key])} for key in sorted(groups)]
    if out:
        out.append({"key": "total", "label": "合计", **figures(rows)})
    return out


__all__ = ["add_order", "get_order", "deliver", "cancel", "list_orders", "sales_report", "slipped_agenda",
           "STATUSES"]
