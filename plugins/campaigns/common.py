"""Small helpers shared by the campaigns modules: settings, dates, files, the contact policy."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

from crm.api import CHANNELS  # noqa: F401  (the core's, defined once)
from crm.errors import BadInput

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


def write_private(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (temp file + os.replace) with mode 0600."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return path


def contact_policy(app):
    """The core's contact policy with this config (``[contact]``, ``[quiet_hours]``)."""
    from crm.api import ContactPolicy

    return ContactPolicy.from_config(app.config)


def check_choice(value: str | None, allowed, what: str) -> str | None:
    if value is None:
        return None
    if value not in allowed:
        raise BadInput(f"{what} {value!r} is not one of {', '.join(allowed)}")
    return value
