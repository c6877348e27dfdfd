"""Win-back (流失客户召回) campaigns and referral (转介绍) tracking."""

from __future__ import annotations

import datetime as dt

from crm.api import log_interaction
from crm.errors import BadInput, NotFound

from . import messages, segments
from .common import MESSAGE_CHANNELS, parse_date, settings

OUTCOMES = ("open", "contacted", "visited", "purchased", "lost")


# ------------------------------------------------------------------------------ win-back
def save_churn_segment(tx, name: str, months: int) -> dict:
    return segments.save_segment(tx, name, {"churned_months": months},
                                 description=f"流失客户: {months} 个月未回厂", replace=True)


def run(tx, *, name: str, segment_name: str, channel: str, template_name: str, offer: str | None) -> dict:
    if channel not in ("phone", *MESSAGE_CHANNELS):
        raise BadInput(f"channel {channel!r} is not one of phone, sms, wechat, email")
    seg = segments.get_segment(tx.store, segment_name)
    run_row = tx.store.query_one("SELECT * FROM campaigns_runs WHERE kind = 'winback' AND name = ?", (name,))
    if run_row is None:
        template = messages.Template(tx.app, template_name) if channel != "phone" else None
        run_id = tx.conn.execute(
            "INSERT INTO campaigns_runs (kind, name, segment, channel, template, offer, created_by, created_at)"
            " VALUES ('winback', ?, ?, ?, ?, ?, ?, ?)",
            (name, seg["name"], channel, template_name, offer, tx.actor.code, tx.now)).lastrowid
        run_row = tx.store.query_one("SELECT * FROM campaigns_runs WHERE id = ?", (run_id,))
    else:
        channel, template_name, offer = run_row["channel"], run_row["template"], run_row["offer"]
        template = messages.Template(tx.app, template_name) if channel != "phone" else None
    counts = {"run": run_row["id"], "sent": 0, "already": 0}
    for customer_id in segments.member_ids(tx.store, {**seg["spec"], "channel": channel}, tx.app.today()):
        cursor = tx.conn.execute("INSERT OR IGNORE INTO campaigns_run_targets (run_id, customer_id, sent_at)"
                                 " VALUES (?, ?, ?)", (run_row["id"], customer_id, tx.now))
        if cursor.rowcount == 0:
            counts["already"] += 1
            continue
        counts["sent"] += 1
        key = f"winback:{run_row['id']}:{customer_id}"
        if channel == "phone":
            messages.schedule_call(tx, customer_id, reason="winback", due_on=tx.app.today(),
                                   rule="campaigns.winback", ref=key, note=offer or run_row["name"])
            log_interaction(tx, {"customer_id": customer_id, "channel": "phone", "kind": "winback",
                                 "summary": f"流失召回: {run_row['name']}", "outcome": "task", "ref": key}, audit=False)
            continue
        customer = tx.store.query_one("SELECT * FROM customers WHERE id = ?", (customer_id,))
        text = template.render({**messages.base_context(tx.app, tx.store, customer), "offer": offer})
        messages.deliver(tx, customer, channel, text, campaign=f"winback:{run_row['id']}", key=key, ref=key)
    tx.audit("winback", "campaigns_run", [run_row["id"]], count=counts["sent"])
    return counts


def report(app, run_id: int | None = None) -> list[dict]:
    store = app.store
    days = int(settings(app)["results_days"])
    sql = "SELECT * FROM campaigns_runs WHERE kind = 'winback'"
    params: tuple = ()
    if run_id is not None:
        sql += " AND id = ?"
        params = (run_id,)
    runs = store.query(sql + " ORDER BY id", params)
    if run_id is not None and not runs:
        raise NotFound(f"no win-back run {run_id}")
    out = []
    for run_row in runs:
        targets = store.query("SELECT customer_id, sent_at FROM campaigns_run_targets WHERE run_id = ?",
                              (run_row["id"],))
        came, bought, amount = 0, 0, 0.0
        for t in targets:
            start = t["sent_at"][:10]
            until = (dt.date.fromisoformat(start) + dt.timedelta(days=days)).isoformat()
            visit = store.query_one("SELECT count(*) AS n, coalesce(sum(amount), 0) AS amount FROM visits"
                                    " WHERE customer_id = ? AND substr(date_in, 1, 10) >= ?"
                                    " AND substr(date_in, 1, 10) <= ?", (t["customer_id"], start, until))
            came += visit["n"] > 0
            amount += float(visit["amount"])
            bought += bool(store.scalar("SELECT 1 FROM vehicles WHERE customer_id = ? AND substr(delivery_date, 1, 10)"
                                        " >= ? AND substr(delivery_date, 1, 10) <= ?", (t["customer_id"], start, until)))
        out.append({"run": run_row["id"], "name": run_row["name"], "segment": run_row["segment"],
                    "channel": run_row["channel"], "offer": run_row["offer"], "started": run_row["created_at"][:10],
                    "targets": len(targets), "came_back": came, "win_back_rate": round(came / len(targets), 3)
                    if targets else None, "purchased": bought, "amount": round(amount, 2),
                    "window_days": days})
    return out


# ------------------------------------------------------------------------------ referrals
def add_referral(tx, *, referrer_id: int, referred_id: int | None, name: str | None, phone: str | None,
                 interest: str | None, on: str | None, note: str | None) -> int:
    from crm.api import get_customer, normalize_mobile

    referrer = get_customer(tx.store, referrer_id)
    referred = get_customer(tx.store, referred_id) if referred_id is not None else None
    if referred is None and not (name or phone):
        raise BadInput("give the referred customer (--referred ID) or their --name/--phone")
    if referred is not None and referred["id"] == referrer["id"]:
        raise BadInput("a customer cannot refer themselves")
    phone = normalize_mobile(phone) if phone else None
    day = (parse_date(on, "--on") or tx.app.today()).isoformat()
    ref_id = tx.conn.execute(
        "INSERT INTO campaigns_referrals (referrer_id, referred_id, referred_name, referred_phone, interest,"
        " referred_on, note, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (referrer["id"], referred["id"] if referred else None, name, phone, interest, day, note, tx.now,
         tx.now)).lastrowid
    log_interaction(tx, {"customer_id": referrer["id"], "channel": "phone", "direction": "in", "kind": "referral",
                         "summary": f"转介绍: {(referred or {}).get('name') or name or ''} {interest or ''}".strip(),
                         "outcome": "open", "ref": f"referral:{ref_id}"}, audit=False)
    tx.audit("create", "campaigns_referral", [ref_id])
    return ref_id


def update_referral(tx, ref_id: int, *, outcome=None, referred_id=None, reward=None, note=None) -> None:
    row = tx.store.query_one("SELECT * FROM campaigns_referrals WHERE id = ?", (ref_id,))
    if row is None:
        raise NotFound(f"no referral {ref_id}")
    if outcome is not None and outcome not in OUTCOMES:
        raise BadInput(f"outcome {outcome!r} is not one of {', '.join(OUTCOMES)}")
    if referred_id is not None:
        from crm.api import get_customer

        get_customer(tx.store, referred_id)
    changes = {k: v for k, v in (("outcome", outcome), ("referred_id", referred_id), ("reward", reward),
                                 ("note", note)) if v is not None}
    if not changes:
        raise BadInput("nothing to change: give --outcome, --referred, --reward or --note")
    sets = ", ".join(f"{k} = ?" for k in changes)
    tx.conn.execute(f"UPDATE campaigns_referrals SET {sets}, updated_at = ? WHERE id = ?",
                    (*changes.values(), tx.now, ref_id))
    if reward:
        log_interaction(tx, {"customer_id": row["referrer_id"], "channel": "other", "kind": "gift",
                             "summary": f"转介绍奖励: {reward}", "outcome": "given",
                             "ref": f"referral:{ref_id}"}, audit=False)
    tx.audit("update", "campaigns_referral", [ref_id], detail={"fields": sorted(changes)})


def referrals(store, referrer_id: int | None = None) -> list[dict]:
    """Referrals with what came of them, read from the archive where it knows better."""
    sql = ("SELECT r.id, r.referrer_id, a.name AS referrer, r.referred_id, coalesce(b.name, r.referred_name)"
           " AS referred, coalesce(b.mobile, r.referred_phone) AS mobile, r.interest, r.referred_on, r.outcome,"
           " r.reward, (SELECT min(substr(v.delivery_date, 1, 10)) FROM vehicles v WHERE v.customer_id = r.referred_id"
           "  AND substr(v.delivery_date, 1, 10) >= r.referred_on) AS purchased_on,"
           " (SELECT min(substr(vi.date_in, 1, 10)) FROM visits vi WHERE vi.customer_id = r.referred_id"
           "  AND substr(vi.date_in, 1, 10) >= r.referred_on) AS first_visit"
           " FROM campaigns_referrals r JOIN customers a ON a.id = r.referrer_id"
           " LEFT JOIN customers b ON b.id = r.referred_id")
    params: tuple = ()
    if referrer_id is not None:
        sql += " WHERE r.referrer_id = ?"
        params = (referrer_id,)
    rows = store.query(sql + " ORDER BY r.referred_on, r.id", params)
    for row in rows:
        if row["purchased_on"]:
            row["result"] = "purchased"
        elif row["first_visit"] and row["outcome"] in ("open", "contacted"):
            row["result"] = "visited"
        else:
            row["result"] = row["outcome"]
    return rows


def referral_report(store) -> list[dict]:
    out: dict = {}
    for row in referrals(store):
        entry = out.setdefault(row["referrer_id"], {"referrer_id": row["referrer_id"], "referrer": row["referrer"],
                                                    "referrals": 0, "purchased": 0, "visited": 0, "open": 0,
                                                    "lost": 0, "rewards": 0})
        entry["referrals"] += 1
        entry[{"purchased": "purchased", "visited": "visited", "lost": "lost"}.get(row["result"], "open")] += 1
        entry["rewards"] += bool(row["reward"])
    return sorted(out.values(), key=lambda e: (-e["purchased"], -e["referrals"], e["referrer_id"]))
