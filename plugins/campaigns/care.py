"""Care campaigns (客户关怀): birthday, holiday and membership-card renewal, with gifts.

Run daily from cron (``crm campaigns care run``).  Each greeting has a key
(customer, campaign, occasion) that is UNIQUE in ``campaigns_care_sends``: however often
cron runs, nobody gets the same greeting twice.  A configured gift is recorded in
``campaigns_gifts`` (status planned until handed over) and in the interactions log.
"""

from __future__ import annotations

import datetime as dt

from crm.api import contact_facts, log_interaction
from crm.errors import BadInput, NotFound

from . import lunar, messages
from .common import contact_policy, settings

SOLAR = {"new_year": ("元旦", 1, 1), "womens_day": ("妇女节", 3, 8), "labour_day": ("劳动节", 5, 1),
         "national_day": ("国庆节", 10, 1)}
#: festivals that are public holidays: chinesecalendar's name for the cross-check
PUBLIC = {"spring_festival": "Spring Festival", "dragon_boat": "Dragon Boat Festival",
          "mid_autumn": "Mid-autumn Festival"}
KINDS = ("birthday", "holiday", "renewal")


def holiday_name(key: str) -> str:
    if key in SOLAR:
        return SOLAR[key][0]
    if key in lunar.FESTIVALS:
        return lunar.FESTIVALS[key][0]
    raise BadInput(f"holiday {key!r} is unknown; use {', '.join([*SOLAR, *lunar.FESTIVALS])}")


def holiday_date(key: str, year: int) -> dt.date:
    """The festival's day: fixed solar dates, else the lunar computation, checked against
    chinesecalendar's public-holiday period when it knows the year."""
    if key in SOLAR:
        _, month, day = SOLAR[key]
        return dt.date(year, month, day)
    day = lunar.festival_date(key, year)
    if key in PUBLIC:
        try:
            import chinese_calendar

            _, name = chinese_calendar.get_holiday_detail(day)
            if name != PUBLIC[key]:
                for shift in (1, -1):
                    _, other = chinese_calendar.get_holiday_detail(day + dt.timedelta(days=shift))
                    if other == PUBLIC[key]:
                        return day + dt.timedelta(days=shift)
        except (NotImplementedError, ImportError):
            pass
    return day


def _customers(store, where: str, params: tuple) -> list[dict]:
    return store.query(f"SELECT * FROM customers c WHERE c.forgotten_at IS NULL AND c.do_not_contact = 0 AND {where}"
                       " ORDER BY c.id", params)


def birthday_targets(store, as_of: dt.date, days_before: int) -> list[tuple[dict, str, dict]]:
    out = []
    for offset in range(days_before + 1):
        day = as_of + dt.timedelta(days=offset)
        keys = [day.strftime("%m-%d")]
        if day.month == 2 and day.day == 28 and not _leap(day.year):
            keys.append("02-29")  # celebrated on 28 February in common years
        marks = ",".join("?" * len(keys))
        for customer in _customers(store, f"c.birthday IS NOT NULL AND substr(c.birthday, -5) IN ({marks})",
                                   tuple(keys)):
            out.append((customer, str(day.year), {"birthday": day.isoformat()}))
    return out


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def holidays_due(app, as_of: dt.date) -> list[tuple[str, dt.date]]:
    """Holidays whose greeting window [day - holiday_days_before, day] contains ``as_of``."""
    cfg = settings(app)
    before = int(cfg["holiday_days_before"])
    due = []
    for key in cfg["holidays"]:
        holiday_name(key)
        for year in (as_of.year, as_of.year + 1):
            day = holiday_date(key, year)
            if day - dt.timedelta(days=before) <= as_of <= day:
                due.append((key, day))
    return due


def renewal_targets(store, as_of: dt.date, days_ahead: int) -> list[tuple[dict, str, dict]]:
    until = (as_of + dt.timedelta(days=days_ahead)).isoformat()
    cards = store.query("SELECT * FROM membership_cards WHERE status = 'active' AND expires_on IS NOT NULL"
                        " AND expires_on >= ? AND expires_on <= ? ORDER BY expires_on", (as_of.isoformat(), until))
    out = []
    for card in cards:
        for customer in _customers(store, "c.id = ?", (card["customer_id"],)):
            out.append((customer, f"{card['number']}:{card['expires_on']}",
                        {"card": {"level": card["level"], "number": card["number"], "tail": card["number"][-4:],
                                  "expires_on": card["expires_on"]}}))
    return out


def run(tx, as_of: dt.date, kinds: tuple[str, ...] = KINDS, dry_run: bool = False) -> list[dict]:
    """Greet everyone due on ``as_of``; returns one row per greeting (sent, held, already...)."""
    app = tx.app
    cfg = settings(app)
    store = tx.store
    plans: list[tuple[str, str, dict, str, dict, str]] = []  # campaign, occasion, customer, template, extra, gift
    if "birthday" in kinds:
        for customer, occasion, extra in birthday_targets(store, as_of, int(cfg["birthday_days_before"])):
            plans.append(("birthday", occasion, customer, "birthday", extra, cfg["birthday_gift"]))
    if "holiday" in kinds:
        everyone = None
        for key, day in holidays_due(app, as_of):
            if everyone is None:
                everyone = _customers(store, "1 = 1", ())
            for customer in everyone:
                plans.append((f"holiday:{key}", str(day.year), customer, "holiday",
                              {"holiday": holiday_name(key), "holiday_date": day.isoformat()}, cfg["holiday_gift"]))
    if "renewal" in kinds:
        for customer, occasion, extra in renewal_targets(store, as_of, int(cfg["renewal_days_ahead"])):
            plans.append(("card_renewal", occasion, customer, "card_renewal", extra, cfg["renewal_gift"]))
    results, templates = [], {}
    policy, channels = contact_policy(app), list(cfg["care_channels"])
    facts = contact_facts(tx.conn, sorted({p[2]["id"] for p in plans}), as_of)
    for campaign, occasion, customer, template_name, extra, gift in app.progress(plans, label="care"):
        row = {"campaign": campaign, "occasion": occasion, "customer_id": customer["id"], "name": customer["name"]}
        done = store.scalar("SELECT 1 FROM campaigns_care_sends WHERE customer_id = ? AND campaign = ? AND occasion = ?",
                            (customer["id"], campaign, occasion))
        if done:
            results.append({**row, "channel": None, "status": "already"})
            continue
        channel, decision = policy.first_channel(facts.get(customer["id"]), channels, "care", as_of)
        if channel is None:  # the core's contact policy says why (docs/privacy.md)
            results.append({**row, "channel": None, "status": "no_channel", "why": decision.why})
            continue
        if dry_run:
            results.append({**row, "channel": channel, "status": "would_send"})
            continue
        template = templates.get(template_name) or templates.setdefault(template_name,
                                                                        messages.Template(app, template_name))
        context = {**messages.base_context(app, store, customer), **extra, "gift": gift or None}
        text = template.render(context)
        status = messages.deliver(tx, customer, channel, text, campaign=f"care:{campaign}",
                                  key=f"care:{campaign}:{occasion}:{customer['id']}", ref=f"care:{campaign}:{occasion}")
        message_id = store.scalar("SELECT id FROM campaigns_messages WHERE dedupe_key = ?",
                                  (f"care:{campaign}:{occasion}:{customer['id']}",))
        tx.conn.execute("INSERT INTO campaigns_care_sends (customer_id, campaign, occasion, channel, message_id,"
                        " created_at) VALUES (?, ?, ?, ?, ?, ?)",
                        (customer["id"], campaign, occasion, channel, message_id, tx.now))
        if gift:
            add_gift(tx, customer["id"], gift, campaign=campaign, occasion=occasion)
        results.append({**row, "channel": channel, "status": status})
    for r in results:
        r.setdefault("why", None)  # why nobody could be greeted (no_channel): the contact policy's reason
    sent = [r for r in results if r["status"] in ("sent", "held", "no_sender")]
    if sent and not dry_run:
        tx.audit("care", "campaigns_care", [r["customer_id"] for r in sent], count=len(sent),
                 detail={"as_of": as_of.isoformat()})
    return results


def add_gift(tx, customer_id: int, gift: str, *, campaign: str, occasion: str | None = None,
             given: bool = False, note: str | None = None) -> int:
    gift = " ".join((gift or "").split())
    if not gift:
        raise BadInput("name the gift (--gift)")
    gift_id = tx.conn.execute(
        "INSERT INTO campaigns_gifts (customer_id, campaign, occasion, gift, status, given_on, given_by, note,"
        " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (customer_id, campaign, occasion, gift, "given" if given else "planned",
         tx.app.today().isoformat() if given else None, tx.actor.code if given else None, note, tx.now, tx.now)
    ).lastrowid
    log_interaction(tx, {"customer_id": customer_id, "channel": "visit" if given else "other", "kind": "gift",
                         "summary": f"礼品: {gift} ({campaign}{' ' + occasion if occasion else ''})",
                         "outcome": "given" if given else "planned", "ref": f"gift:{gift_id}"}, audit=False)
    return gift_id


def give_gift(tx, gift_id: int, note: str | None = None) -> None:
    row = tx.store.query_one("SELECT * FROM campaigns_gifts WHERE id = ?", (gift_id,))
    if row is None:
        raise NotFound(f"no gift record {gift_id}")
    if row["status"] != "planned":
        raise BadInput(f"gift {gift_id} is already {row['status']}")
    tx.conn.execute("UPDATE campaigns_gifts SET status = 'given', given_on = ?, given_by = ?,"
                    " note = coalesce(?, note), updated_at = ? WHERE id = ?",
                    (tx.app.today().isoformat(), tx.actor.code, note, tx.now, gift_id))
    log_interaction(tx, {"customer_id": row["customer_id"], "channel": "visit", "kind": "gift",
                         "summary": f"礼品已送达: {row['gift']}", "outcome": "given",
                         "ref": f"gift:{gift_id}"}, audit=False)
    tx.audit("give", "campaigns_gift", [gift_id])
