"""Events (活动): invitations to a segment, replies with capacity and waitlist, reminders,
check-in at the door, no-shows and results."""

from __future__ import annotations

import datetime as dt

from crm.api import contact_facts, get_customer, log_interaction, row_by_id
from crm.errors import BadInput

from . import messages, segments
from .common import MESSAGE_CHANNELS, contact_policy, iso_minutes, parse_datetime, settings

REPLIES = ("accepted", "declined", "maybe", "pending")
SORTS = ("reply", "name", "replied_at", "invited_at", "customer")
REPLY_ORDER = ("accepted", "waitlisted", "maybe", "pending", "declined", "walk_in")


def get_event(store, event_id) -> dict:
    return row_by_id(store, "campaigns_events", event_id, what="event", hint=" (see 'crm event list')",
                     missing="no event with id {id}; see 'crm event list'")


def create_event(tx, *, title: str, start: str, end: str | None, place: str, capacity: int | None,
                 kind: str = "event", description: str | None = None, template: str | None = None,
                 oem_ref: str | None = None) -> dict:
    tz = tx.app.tz
    title = " ".join((title or "").split())
    place = " ".join((place or "").split())
    if not title:
        raise BadInput("an event needs a title (--title)")
    if not place:
        raise BadInput("an event needs a place (--place)")
    starts = parse_datetime(start, "start", tz)
    ends = parse_datetime(end, "end", tz) if end else starts + dt.timedelta(hours=3)
    if ends <= starts:
        raise BadInput(f"the event ends ({iso_minutes(ends)}) before it starts ({iso_minutes(starts)})")
    if capacity is not None and capacity < 1:
        raise BadInput("capacity must be at least 1 (leave it out for no limit)")
    if template:
        messages.Template(tx.app, template)  # fail now, not at the first invitation
    event_id = tx.conn.execute(
        "INSERT INTO campaigns_events (title, kind, starts_at, ends_at, place, capacity, description, template,"
        " oem_ref, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (title, kind, iso_minutes(starts), iso_minutes(ends), place, capacity, description, template, oem_ref,
         tx.actor.code, tx.now, tx.now)).lastrowid
    tx.audit("create", "campaigns_event", [event_id])
    return get_event(tx.store, event_id)


def update_event(tx, event: dict, fields: dict) -> dict:
    changes = {}
    tz = tx.app.tz
    if fields.get("title"):
        changes["title"] = " ".join(fields["title"].split())
    if fields.get("place"):
        changes["place"] = " ".join(fields["place"].split())
    if fields.get("start"):
        changes["starts_at"] = iso_minutes(parse_datetime(fields["start"], "start", tz))
    if fields.get("end"):
        changes["ends_at"] = iso_minutes(parse_datetime(fields["end"], "end", tz))
    if fields.get("capacity") is not None:
        if fields["capacity"] < 1:
            raise BadInput("capacity must be at least 1")
        changes["capacity"] = fields["capacity"]
    if fields.get("template"):
        messages.Template(tx.app, fields["template"])
        changes["template"] = fields["template"]
    if fields.get("cancel"):
        changes["status"] = "cancelled"
    if not changes:
        raise BadInput("nothing to change: give at least one option")
    merged = {**event, **changes}
    if merged["ends_at"] <= merged["starts_at"]:
        raise BadInput("the event would end before it starts")
    sets = ", ".join(f"{k} = ?" for k in changes)
    tx.conn.execute(f"UPDATE campaigns_events SET {sets}, updated_at = ? WHERE id = ?",
                    (*changes.values(), tx.now, event["id"]))
    tx.audit("update", "campaigns_event", [event["id"]], detail={"fields": sorted(changes)})
    event = get_event(tx.store, event["id"])
    if "capacity" in changes:
        promote(tx, event)
    return event


def _event_context(event: dict) -> dict:
    start = dt.datetime.fromisoformat(event["starts_at"])
    return {"event": {"id": event["id"], "title": event["title"], "place": event["place"],
                      "date": start.strftime("%Y年%m月%d日").replace("年0", "年").replace("月0", "月"),
                      "time": start.strftime("%H:%M"), "description": event["description"] or ""},
            "date": start.date().isoformat(), "place": event["place"]}


def _require_open(event: dict, today: dt.date, doing: str) -> None:
    if event["status"] == "cancelled":
        raise BadInput(f"event {event['id']} is cancelled; cannot {doing}")
    if event["ends_at"][:10] < today.isoformat():
        raise BadInput(f"event {event['id']} is over ({event['ends_at'][:10]}); cannot {doing}")


def _contact(tx, event: dict, customer: dict, channel: str, template_name: str, key: str, kind: str,
             extra: dict | None = None, purpose: str = "marketing") -> str:
    """Message the customer on ``channel`` (or put a call on the queue for phone)."""
    if channel == "phone":
        due = tx.app.today()
        task = messages.schedule_call(tx, customer["id"], reason=kind, due_on=due, rule=f"campaigns.{kind}",
                                      ref=key, note=f"{event['title']} {event['starts_at']} {event['place']}",
                                      purpose=purpose)
        return "task" if task is not None else "no_task"
    template = messages.Template(tx.app, template_name)
    context = {**messages.base_context(tx.app, tx.store, customer), **_event_context(event), **(extra or {})}
    return messages.deliver(tx, customer, channel, template.render(context), campaign=f"event:{event['id']}",
                            key=key, ref=f"event:{event['id']}")


def invite(tx, event: dict, segment_name: str, channel: str, template_name: str | None = None,
           limit: int | None = None) -> dict:
    """Invite a segment's customers who are not invited yet (never the same customer twice)."""
    today = tx.app.today()
    _require_open(event, today, "invite")
    if channel not in ("phone", *MESSAGE_CHANNELS):
        raise BadInput(f"channel {channel!r} is not one of phone, sms, wechat, email")
    seg = segments.get_segment(tx.store, segment_name)
    spec = {**seg["spec"], "channel": channel}
    template_name = template_name or event["template"] or "event_invite"
    if channel != "phone":
        messages.Template(tx.app, template_name)
    counts = {"invited": 0, "already": 0, "held": 0, "sent": 0, "tasks": 0, "no_sender": 0}
    policy = contact_policy(tx.app)
    ids = segments.member_ids(tx.store, spec, today, purpose="marketing", policy=policy)
    counts["left_out"] = segments.left_out(tx.store, seg["spec"], today, channel, "marketing", policy)
    for customer_id in tx.app.progress(ids, label="inviting"):
        if limit is not None and counts["invited"] >= limit:
            break
        cursor = tx.conn.execute(
            "INSERT OR IGNORE INTO campaigns_invitations (event_id, customer_id, channel, segment, invited_at)"
            " VALUES (?, ?, ?, ?, ?)", (event["id"], customer_id, channel, seg["name"], tx.now))
        if cursor.rowcount == 0:
            counts["already"] += 1
            continue
        counts["invited"] += 1
        customer = get_customer(tx.store, customer_id)
        status = _contact(tx, event, customer, channel, template_name, f"event:{event['id']}:invite:{customer_id}",
                          "event_invitation")
        if status in ("task", "no_task"):
            counts["tasks"] += status == "task"
        else:
            counts[status] = counts.get(status, 0) + 1
        if channel == "phone":
            log_interaction(tx, {"customer_id": customer_id, "channel": "phone", "kind": "event_invitation",
                                 "summary": f"邀约: {event['title']}", "outcome": "task",
                                 "ref": f"event:{event['id']}"}, audit=False)
    tx.audit("invite", "campaigns_event", [event["id"]], count=counts["invited"],
             detail={"segment": seg["name"], "channel": channel, "already": counts["already"]})
    return counts


def seats_taken(store, event_id: int) -> int:
    return store.scalar("SELECT count(*) FROM campaigns_invitations WHERE event_id = ? AND reply = 'accepted'",
                        (event_id,))


def rsvp(tx, event: dict, customer_id: int, reply: str, note: str | None = None) -> dict:
    """Record a reply; an accept beyond capacity goes to the waitlist, a decline promotes."""
    if reply not in REPLIES:
        raise BadInput(f"reply {reply!r} is not one of {', '.join(REPLIES)}")
    _require_open(event, tx.app.today(), "record replies")
    customer = get_customer(tx.store, customer_id)
    inv = tx.store.query_one("SELECT * FROM campaigns_invitations WHERE event_id = ? AND customer_id = ?",
                             (event["id"], customer["id"]))
    if inv is None:  # the customer heard of it elsewhere and called in
        tx.conn.execute("INSERT INTO campaigns_invitations (event_id, customer_id, channel, invited_at)"
                        " VALUES (?, ?, 'inbound', ?)", (event["id"], customer["id"], tx.now))
        inv = tx.store.query_one("SELECT * FROM campaigns_invitations WHERE event_id = ? AND customer_id = ?",
                                 (event["id"], customer["id"]))
    previous = inv["reply"]
    new = reply
    waitlisted_at = inv["waitlisted_at"]
    if reply == "accepted":
        if previous in ("accepted", "waitlisted"):
            new = previous
        elif event["capacity"] is not None and seats_taken(tx.store, event["id"]) >= event["capacity"]:
            new, waitlisted_at = "waitlisted", tx.now
    tx.conn.execute("UPDATE campaigns_invitations SET reply = ?, replied_at = ?, waitlisted_at = ?,"
                    " note = coalesce(?, note) WHERE id = ?",
                    (new, tx.now, waitlisted_at if new == "waitlisted" else None, note, inv["id"]))
    log_interaction(tx, {"customer_id": customer["id"],
                         "channel": inv["channel"] if inv["channel"] in ("phone", "sms", "wechat", "email") else "phone",
                         "kind": "event_reply", "direction": "in", "summary": f"{event['title']}: {new}",
                         "outcome": new, "ref": f"event:{event['id']}"}, audit=False)
    tx.audit("rsvp", "campaigns_invitation", [inv["id"]], detail={"reply": new, "was": previous})
    promoted = promote(tx, event) if previous == "accepted" and new != "accepted" else []
    return {"customer_id": customer["id"], "reply": new, "was": previous, "promoted": promoted}


def promote(tx, event: dict) -> list[int]:
    """Move waitlisted customers up while seats are free (first come, first served)."""
    promoted = []
    while event["capacity"] is None or seats_taken(tx.store, event["id"]) < event["capacity"]:
        nxt = tx.store.query_one(
            "SELECT * FROM campaigns_invitations WHERE event_id = ? AND reply = 'waitlisted'"
            " ORDER BY waitlisted_at, id LIMIT 1", (event["id"],))
        if nxt is None:
            break
        tx.conn.execute("UPDATE campaigns_invitations SET reply = 'accepted', waitlisted_at = NULL WHERE id = ?",
                        (nxt["id"],))
        promoted.append(nxt["customer_id"])
        customer = get_customer(tx.store, nxt["customer_id"])
        channel = _reply_channel(tx, nxt, customer)
        if channel is not None:
            _contact(tx, event, customer, channel, "event_promoted",
                     f"event:{event['id']}:promoted:{customer['id']}", "event_promoted", purpose="service")
        tx.audit("promote", "campaigns_invitation", [nxt["id"]])
    return promoted


def _reply_channel(tx, inv: dict, customer: dict) -> str | None:
    """How to tell an invitee who said yes (a seat came free, a reminder): the channel they were
    invited on, else the first message channel the contact policy allows, else a call; None when
    the policy allows no contact at all (do-not-contact, forgotten).

    Purpose ``service``: the customer asked to come (docs/privacy.md).
    """
    facts = contact_facts(tx.conn, [customer["id"]]).get(customer["id"])
    policy = contact_policy(tx.app)
    today = tx.app.today()
    if inv["channel"] in MESSAGE_CHANNELS and policy.decide(facts, inv["channel"], "service", today):
        return inv["channel"]
    if inv["channel"] != "phone":
        channel, _ = policy.first_channel(facts, MESSAGE_CHANNELS, "service", today)
        if channel is not None:
            return channel
    return "phone" if policy.decide(facts, "phone", "service", today) else None


def remind(tx, event: dict) -> dict:
    """Remind accepted (and maybe) invitees once; returns counts."""
    counts = {"reminded": 0, "held": 0}
    rows = tx.store.query(
        "SELECT * FROM campaigns_invitations WHERE event_id = ? AND reply IN ('accepted','maybe')"
        " AND reminded_at IS NULL AND checked_in_at IS NULL ORDER BY id", (event["id"],))
    for inv in rows:
        customer = get_customer(tx.store, inv["customer_id"])
        channel = _reply_channel(tx, inv, customer)
        if channel is None:
            continue
        status = _contact(tx, event, customer, channel, "event_reminder",
                          f"event:{event['id']}:remind:{customer['id']}", "event_reminder", purpose="service")
        tx.conn.execute("UPDATE campaigns_invitations SET reminded_at = ? WHERE id = ?", (tx.now, inv["id"]))
        counts["reminded"] += 1
        counts["held"] += status == "held"
    if counts["reminded"]:
        tx.audit("remind", "campaigns_event", [event["id"]], count=counts["reminded"])
    return counts


def due_for_reminders(store, today: dt.date, days_before: int) -> list[dict]:
    last = (today + dt.timedelta(days=days_before)).isoformat()
    return store.query("SELECT * FROM campaigns_events WHERE status = 'planned' AND substr(starts_at, 1, 10) >= ?"
                       " AND substr(starts_at, 1, 10) <= ? ORDER BY starts_at", (today.isoformat(), last))


def checkin(tx, event: dict, customer_id: int, walk_in: bool = False) -> str:
    if event["status"] == "cancelled":
        raise BadInput(f"event {event['id']} is cancelled")
    customer = get_customer(tx.store, customer_id)
    inv = tx.store.query_one("SELECT * FROM campaigns_invitations WHERE event_id = ? AND customer_id = ?",
                             (event["id"], customer["id"]))
    if inv is None:
        if not walk_in:
            raise BadInput(f"customer {customer['id']} was not invited to event {event['id']};"
                           " add --walk-in to check in a walk-in guest")
        tx.conn.execute("INSERT INTO campaigns_invitations (event_id, customer_id, channel, invited_at, reply,"
                        " replied_at, checked_in_at) VALUES (?, ?, 'walk_in', ?, 'walk_in', ?, ?)",
                        (event["id"], customer["id"], tx.now, tx.now, tx.now))
        result = "walk_in"
    elif inv["checked_in_at"]:
        return f"already checked in at {inv['checked_in_at']}"
    else:
        tx.conn.execute("UPDATE campaigns_invitations SET checked_in_at = ? WHERE id = ?", (tx.now, inv["id"]))
        result = "checked_in"
    log_interaction(tx, {"customer_id": customer["id"], "channel": "visit", "kind": "event_checkin",
                         "direction": "in", "summary": f"到场: {event['title']}", "outcome": result,
                         "ref": f"event:{event['id']}"}, audit=False)
    tx.audit("checkin", "campaigns_event", [event["id"]], detail={"customer": customer["id"]})
    return result


def invitees(store, event: dict, replies: list[str] | None = None, sort: str = "reply",
             now_iso: str | None = None) -> list[dict]:
    if sort not in SORTS:
        raise BadInput(f"sort {sort!r} is not one of {', '.join(SORTS)}")
    over = now_iso is not None and event["ends_at"] < now_iso
    rows = store.query(
        "SELECT i.customer_id, c.name, c.mobile, i.channel, i.reply, i.replied_at, i.waitlisted_at,"
        " i.invited_at, i.reminded_at, i.checked_in_at, i.note FROM campaigns_invitations i"
        " JOIN customers c ON c.id = i.customer_id WHERE i.event_id = ?", (event["id"],))
    waitlist = sorted((r for r in rows if r["reply"] == "waitlisted"), key=lambda r: (r["waitlisted_at"] or ""))
    position = {r["customer_id"]: n for n, r in enumerate(waitlist, 1)}
    for row in rows:
        row["waitlist_position"] = position.get(row["customer_id"])
        row["attended"] = row["checked_in_at"] is not None
        row["no_show"] = bool(over and row["reply"] == "accepted" and not row["checked_in_at"])
        row.pop("waitlisted_at")
    if replies:
        wanted = set(replies)
        rows = [r for r in rows if r["reply"] in wanted or ("attended" in wanted and r["attended"])
                or ("no_show" in wanted and r["no_show"])]
    keys = {
        "reply": lambda r: (REPLY_ORDER.index(r["reply"]), r["waitlist_position"] or 0, r["replied_at"] or "",
                            r["customer_id"]),
        "name": lambda r: (r["name"] or "", r["customer_id"]),
        "replied_at": lambda r: (r["replied_at"] or "9999", r["customer_id"]),
        "invited_at": lambda r: (r["invited_at"], r["customer_id"]),
        "customer": lambda r: r["customer_id"],
    }
    return sorted(rows, key=keys[sort])


def report(app, event: dict) -> dict:
    store = app.store
    days = int(settings(app)["results_days"])
    start = event["starts_at"][:10]
    until = (dt.date.fromisoformat(start) + dt.timedelta(days=days)).isoformat()
    rows = invitees(store, event, now_iso=app.now().isoformat(timespec="minutes"))
    by = {}
    for row in rows:
        by[row["reply"]] = by.get(row["reply"], 0) + 1
    attendees = [r["customer_id"] for r in rows if r["attended"]]
    everyone = [r["customer_id"] for r in rows]

    def later(ids: list[int]) -> tuple[int, int, float]:
        if not ids:
            return 0, 0, 0.0
        marks = ",".join("?" * len(ids))
        visited = store.query_one(
            f"SELECT count(DISTINCT customer_id) AS n, coalesce(sum(amount), 0) AS amount FROM visits"
            f" WHERE customer_id IN ({marks}) AND substr(date_in, 1, 10) > ? AND substr(date_in, 1, 10) <= ?",
            (*ids, start, until))
        bought = store.scalar(
            f"SELECT count(DISTINCT customer_id) FROM vehicles WHERE customer_id IN ({marks})"
            f" AND substr(delivery_date, 1, 10) > ? AND substr(delivery_date, 1, 10) <= ?", (*ids, start, until))
        return visited["n"], bought, float(visited["amount"])

    v_att, p_att, amount_att = later(attendees)
    v_all, p_all, _ = later(everyone)
    invited = len([r for r in rows if r["channel"] != "walk_in"])
    accepted = by.get("accepted", 0)
    attended = len(attendees)
    return {
        "event": event["id"], "title": event["title"], "starts_at": event["starts_at"], "place": event["place"],
        "capacity": event["capacity"], "invited": invited, "pending": by.get("pending", 0), "accepted": accepted,
        "waitlisted": by.get("waitlisted", 0), "maybe": by.get("maybe", 0), "declined": by.get("declined", 0),
        "attended": attended, "walk_ins": by.get("walk_in", 0), "no_shows": sum(r["no_show"] for r in rows),
        "acceptance_rate": round(accepted / invited, 3) if invited else None,
        "attendance_rate": round(len([r for r in rows if r["attended"] and r["reply"] == "accepted"]) / accepted, 3)
        if accepted else None,
        "results_window_days": days,
        "attendees_visited_later": v_att, "attendees_purchased_later": p_att,
        "attendees_later_visit_amount": amount_att,
        "invitees_visited_later": v_all, "invitees_purchased_later": p_all,
    }


def list_events(store, *, upcoming_from: str | None = None, past_before: str | None = None,
                include_cancelled: bool = False) -> list[dict]:
    sql = ("SELECT e.id, e.title, e.kind, e.starts_at, e.ends_at, e.place, e.capacity, e.status,"
           " (SELECT count(*) FROM campaigns_invitations i WHERE i.event_id = e.id) AS invited,"
           " (SELECT count(*) FROM campaigns_invitations i WHERE i.event_id = e.id AND i.reply = 'accepted')"
           "  AS accepted,"
           " (SELECT count(*) FROM campaigns_invitations i WHERE i.event_id = e.id AND i.reply = 'waitlisted')"
           "  AS waitlisted,"
           " (SELECT count(*) FROM campaigns_invitations i WHERE i.event_id = e.id AND i.checked_in_at IS NOT NULL)"
           "  AS attended FROM campaigns_events e")
    where, params = [], []
    if upcoming_from:
        where.append("e.ends_at >= ?")
        params.append(upcoming_from)
    if past_before:
        where.append("e.ends_at < ?")
        params.append(past_before)
    if not include_cancelled:
        where.append("e.status != 'cancelled'")
    if where:
        sql += " WHERE " + " AND ".join(where)
    return store.query(sql + " ORDER BY e.starts_at, e.id", tuple(params))
