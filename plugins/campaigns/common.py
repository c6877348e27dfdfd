"""Small helpers shared by the campaigns modules: settings, dates, files, the interactions log."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from crm.errors import BadInput

CHANNELS = ("phone", "sms", "wechat", "email")
MESSAGE_CHANNELS = ("sms", "wechat", "email")

DEFAULTS = {
    "outbox_dir": "",
    "templates_dir": "",
    "care_channels": ["sms", "wechat", "email"],
    "birthday_gift": "生日贺卡与保养优惠券",
    "holiday_gift": "节日贺卡",
    "renewal_gift": "",
    "holidays": ["spring_festival", "dragon_boat", "mid_autumn", "national_day"],
    "holiday_days_before": 1,
    "birthday_days_before": 0,
    "renewal_days_ahead": 30,
    "remind_days_before": 1,
    "results_days": 90,
    "churn_months": 12,
    "low_score": 6,
    "complaint_score": 3,
    "recall_visit_types": ["warranty", "repair", "maintenance"],
    "recall_due_workdays": 2,
    "chase_days_before": 7,
    "signature": "",
}


def settings(app) -> dict:
    """The ``[campaigns]`` config section over the defaults above."""
    merged = dict(DEFAULTS)
    merged.update(app.config.section("campaigns"))
    if not merged.get("signature"):
        merged["signature"] = app.config.get("dealer_name") or ""
    for key in ("low_score", "complaint_score", "churn_months", "results_days", "renewal_days_ahead",
                "remind_days_before", "holiday_days_before", "birthday_days_before", "recall_due_workdays",
                "chase_days_before"):
        value = merged[key]
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
            raise BadInput(f"config campaigns.{key} must be a non-negative number, not {value!r}")
    return merged


def parse_date(text: str | None, what: str) -> dt.date | None:
    if text is None or str(text).strip() == "":
        return None
    if isinstance(text, dt.datetime):
        return text.date()
    if isinstance(text, dt.date):
        return text
    from crm.api import Invalid, parse_date as parse

    try:
        return parse(str(text).strip())
    except Invalid:
        raise BadInput(f"{what} {text!r} is not a date (YYYY-MM-DD)") from None


def parse_datetime(text: str, what: str, tz) -> dt.datetime:
    from crm.api import Invalid, parse_moment

    try:
        return parse_moment(text, tz)
    except Invalid:
        raise BadInput(f"{what} {text!r} is not a date and time (YYYY-MM-DD HH:MM)") from None


def iso_minutes(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="minutes")


def outbox_dir(app) -> Path:
    configured = settings(app).get("outbox_dir")
    if configured:
        return Path(configured).expanduser()
    return Path(app.db_path).resolve().parent / "outbox"


def write_private(path: Path, data: bytes, suffixes: tuple[str, ...]) -> Path:
    """Write ``data`` to ``path`` through the core's one checked private atomic writer
    (0600, fsync'ed, renamed into place; the database, devices and wrong extensions refused)."""
    from crm.api import atomic_write

    with atomic_write(path, "wb", suffixes=suffixes) as handle:
        handle.write(data)
    return Path(path)


def log_interaction(tx, customer_id: int | None, *, channel: str, kind: str, summary: str,
                    outcome: str | None = None, ref: str | None = None, direction: str = "out",
                    at: str | None = None) -> None:
    """One row in the core's interactions log (every call, SMS, gift this plugin records)."""
    if customer_id is None:
        return
    tx.conn.execute(
        "INSERT INTO interactions (customer_id, at, staff, channel, direction, kind, summary, outcome, ref,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (customer_id, at or tx.now, tx.actor.code, channel, direction, kind, summary, outcome, ref, tx.now),
    )


def address_for(customer: dict, channel: str) -> str | None:
    """Where a message on ``channel`` goes: the mobile for phone/SMS/WeChat, else the e-mail."""
    if channel == "email":
        return customer.get("email")
    return customer.get("mobile") or customer.get("mobile2")


def consents(store, customer_id: int) -> dict[str, bool]:
    return {r["channel"]: bool(r["granted"]) for r in store.query(
        "SELECT channel, granted FROM customer_consents WHERE customer_id = ?", (customer_id,))}


def reachable_channel(store, customer: dict, preferred: list[str]) -> str | None:
    """The first channel of ``preferred`` (the customer's own preference first) that has consent
    and an address; None when the customer may not be contacted at all."""
    if customer.get("do_not_contact") or customer.get("forgotten_at"):
        return None
    granted = consents(store, customer["id"])
    order = list(preferred)
    own = customer.get("preferred_channel")
    if own in order:
        order.remove(own)
        order.insert(0, own)
    for channel in order:
        if granted.get(channel) and address_for(customer, channel):
            return channel
    return None


def may_contact(store, customer: dict, channel: str) -> bool:
    if customer.get("do_not_contact") or customer.get("forgotten_at"):
        return False
    return bool(consents(store, customer["id"]).get(channel)) and bool(address_for(customer, channel))


def check_choice(value: str | None, allowed, what: str) -> str | None:
    if value is None:
        return None
    if value not in allowed:
        raise BadInput(f"{what} {value!r} is not one of {', '.join(allowed)}")
    return value
