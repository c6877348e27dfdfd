"""``crm today``: what a specialist must do today, most urgent first.

The core computes appointments to confirm (and arrivals to record), first contacts due,
birthdays and card renewals; the plugins add their items through ``agenda_items``
(callbacks, complaint deadlines, OEM leads, event replies…). Items are sorted by priority
(0 = most urgent), then due time, then the department's order of kinds.
"""

from __future__ import annotations

import datetime as dt

ONE = dt.timedelta(days=1)

#: the order of the issue, used to break ties within a priority and due time
KIND_ORDER = ["callback", "complaint", "complaint_followup", "first_contact", "appointment_confirm",
              "appointment_arrival", "repair_progress", "order_slipped", "corrective_action", "portal_lead", "lead", "birthday", "card_renewal", "event_today",
              "event_replies"]
SPECIALIST_ROLES = ("satisfaction", "appointment", "callback", "archive", "advisor")


def _settings(app) -> dict:
    s = app.config.section("reports") or {}
    return {"card_renewal_days": int(s.get("card_renewal_days", 30)),
            "card_expired_days": int(s.get("card_expired_days", 7))}


def core_items(app, day: dt.date, staff: str | None, now: dt.datetime) -> list[dict]:
    st = app.store
    conn = st.conn
    items: list[dict] = []
    staff_id = st.scalar("SELECT id FROM staff WHERE code = ?", (staff,)) if staff else None
    now_s = now.strftime("%Y-%m-%dT%H:%M:%S")
    lo, hi = day.isoformat(), (day + 2 * ONE).isoformat()
    # appointments booked for today and tomorrow, not yet confirmed; today's past ones to record
    sql = ("SELECT a.id, a.at, a.customer_id, a.type, c.name FROM appointments a JOIN customers c ON c.id = a.customer_id"
           " WHERE a.at >= ? AND a.at < ? AND a.status = 'booked'" + (" AND a.staff = ?" if staff else "")
           + " AND NOT EXISTS (SELECT 1 FROM interactions i WHERE i.customer_id = a.customer_id"
           " AND i.ref = 'appointment:' || a.id AND (i.outcome = 'confirmed' OR i.kind = 'appointment_confirm'))"
           " ORDER BY a.at")
    for aid, at, cid, typ, name in conn.execute(sql, (lo, hi) + ((staff,) if staff else ())):
        if at < now_s:
            items.append({"kind": "appointment_arrival", "priority": 1, "due": at, "customer_id": cid,
                          "title": f"预约未登记到店: {name or ''} {at[11:16]} {typ} (crm appointment arrive|no-show {aid})",
                          "ref": f"appointment:{aid}"})
            continue
        when = "今天" if at[:10] == lo else "明天"
        items.append({"kind": "appointment_confirm", "priority": 1 if at[:10] == lo else 2, "due": at,
                      "customer_id": cid, "title": f"确认预约: {name or ''} {when} {at[11:16]} {typ}",
                      "ref": f"appointment:{aid}"})
    # orders whose promised delivery date has passed (交车延期): the consultant's and the manager's
    from ..archive.orders import slipped_agenda

    items += slipped_agenda(app, day, staff)
    # corrective actions (整改项): the owner's, and the overdue ones for the manager
    from ..archive.actions import agenda_items as action_items

    items += action_items(app, day, staff)
    # cars in the workshop: their repair progress, for the specialist who booked them (维修进度的跟进)
    from ..archive.progress import agenda_items as progress_items

    items += progress_items(st, day, staff)
    # first contact due (new archives assigned to a specialist): the archive's customer filter
    from ..archive.filters import CustomerFilter, compile_filter

    where, params = compile_filter(CustomerFilter(first_contact_due=lo, do_not_contact=False,
                                                  specialist=[staff] if staff else None), today=day)
    sql = (f"SELECT c.id, c.name, c.first_contact_due FROM customers c WHERE {where}"
           " AND NOT EXISTS (SELECT 1 FROM interactions i WHERE i.customer_id = c.id AND i.direction = 'out'"
           " AND i.at >= substr(c.created_at, 1, 19)) ORDER BY c.first_contact_due LIMIT 500")
    for cid, name, due in conn.execute(sql, params):
        late = due[:10] < lo
        items.append({"kind": "first_contact", "priority": 0 if late else 1, "due": due, "customer_id": cid,
                      "title": f"首次联系{'(逾期)' if late else ''}: {name or ''}", "ref": f"first_contact:{cid}"})
    # birthdays (29 February is remembered on 28 February in other years)
    keys = [day.strftime("%m-%d")]
    if day.month == 2 and day.day == 28 and (day + ONE).month == 3:
        keys.append("02-29")
    marks = ",".join("?" * len(keys))
    sql = (f"SELECT c.id, c.name FROM customers c WHERE substr(c.birthday, 6, 5) IN ({marks})"
           " AND c.forgotten_at IS NULL AND c.do_not_contact = 0" + (" AND c.specialist_id = ?" if staff else "")
           + " ORDER BY c.id LIMIT 500")
    for cid, name in conn.execute(sql, tuple(keys) + ((staff_id,) if staff else ())):
        items.append({"kind": "birthday", "priority": 3, "due": lo, "customer_id": cid,
                      "title": f"今天生日: {name or ''}", "ref": f"birthday:{cid}"})
    # membership cards to renew
    s = _settings(app)
    sql = ("SELECT m.id, m.customer_id, m.number, m.level, m.expires_on, c.name FROM membership_cards m"
           " JOIN customers c ON c.id = m.customer_id WHERE m.expires_on >= ? AND m.expires_on <= ?"
           " AND m.status = 'active' AND c.forgotten_at IS NULL" + (" AND c.specialist_id = ?" if staff else "")
           + " ORDER BY m.expires_on LIMIT 500")
    params = ((day - s["card_expired_days"] * ONE).isoformat(), (day + s["card_renewal_days"] * ONE).isoformat())
    for mid, cid, number, level, expires, name in conn.execute(sql, params + ((staff_id,) if staff else ())):
        expired = expires < lo
        items.append({"kind": "card_renewal", "priority": 2 if expired else 3, "due": expires, "customer_id": cid,
                      "title": f"会员卡{'已过期' if expired else '续卡'}: {name or ''} {level} 卡 {number} 到期 {expires}",
                      "ref": f"card:{mid}"})
    return items


def due_key(due, tz) -> str:
    """Sortable local 'YYYY-MM-DDTHH:MM'; a bare date sorts at the end of its day; None last."""
    if due is None or due == "":
        return "9999"
    if isinstance(due, dt.datetime):
        moment = due if due.tzinfo is None else due.astimezone(tz)
        return moment.strftime("%Y-%m-%dT%H:%M")
    if isinstance(due, dt.date):
        return due.isoformat() + "T23:59"
    text = str(due)
    if len(text) == 10:
        return text + "T23:59"
    try:
        moment = dt.datetime.fromisoformat(text)
        if moment.tzinfo is not None:
            moment = moment.astimezone(tz)
        return moment.strftime("%Y-%m-%dT%H:%M")
    except ValueError:
        return text[:16]


def _normalise(item: dict, source: str) -> dict | None:
    if not isinstance(item, dict):
        return None
    try:
        priority = int(item.get("priority", 5))
    except (TypeError, ValueError):
        priority = 5
    due = item.get("due")
    if isinstance(due, (dt.date, dt.datetime)):
        due = due.isoformat()
    return {"priority": priority, "due": due, "kind": str(item.get("kind") or "item"),
            "title": str(item.get("title") or ""), "customer_id": item.get("customer_id"),
            "ref": item.get("ref"), "staff": item.get("staff"), "source": source}


def gather(app, day: dt.date, staff: str | None, now: dt.datetime) -> list[dict]:
    items = [_normalise(i, "core") for i in core_items(app, day, staff, now)]
    seen = {(i["kind"], str(i["ref"])) for i in items if i["ref"] is not None}
    for part in app.plugins.call_each("agenda_items", app=app, agenda={"day": day, "staff": staff, "now": now}):
        for raw in part or []:
            item = _normalise(raw, "plugin")
            if item is None:
                continue
            if item["ref"] is not None:
                key = (item["kind"], str(item["ref"]))
                if key in seen:
                    continue  # the core already lists it (e.g. a birthday)
                seen.add(key)
            items.append(item)
    now_key = now.astimezone(app.tz).strftime("%Y-%m-%dT%H:%M")
    rank = {k: i for i, k in enumerate(KIND_ORDER)}
    for item in items:
        item["_key"] = due_key(item["due"], app.tz)
        item["overdue"] = item["priority"] == 0 or item["_key"] < now_key and item["_key"][:10] < day.isoformat()
    items.sort(key=lambda i: (i["priority"], i["_key"], rank.get(i["kind"], len(rank)), i["title"]))
    for n, item in enumerate(items, start=1):
        item.pop("_key")
        item["n"] = n
    return items


def manager_view(app, day: dt.date, now: dt.datetime) -> dict:
    """Each specialist's load (items vs daily capacity) and what is overdue in the department."""
    people = app.store.query(
        "SELECT code, name, role, daily_capacity FROM staff WHERE active = 1 AND role IN (%s) ORDER BY code"
        % ",".join("?" * len(SPECIALIST_ROLES)), SPECIALIST_ROLES)
    load = []
    for p in people:
        items = gather(app, day, p["code"], now)
        cap = p["daily_capacity"] or 0
        load.append({"staff": p["code"], "name": p["name"], "role": p["role"], "items": len(items),
                     "overdue": sum(1 for i in items if i["overdue"]), "capacity": cap,
                     "load": round(100.0 * len(items) / cap, 1) if cap else None})
    everything = gather(app, day, None, now)
    overdue = [i for i in everything if i["overdue"]]
    return {"day": day, "load": load, "items": len(everything), "overdue": overdue}
