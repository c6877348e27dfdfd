"""The one place that validates and normalises archive records.

Every way data enters the archive — the CLI (``crm customer add/edit``...), the importer
(``crm customer import``), the portal sync — calls these functions, so the same value is
stored the same way whatever its path:

    >>> clean, problems = clean_customer({"name": " 张 三 ", "mobile": "+86 138-1234-5678"})
    >>> clean["name"], clean["mobile"], clean["name_pinyin"], problems
    ('张三', '13812345678', 'zhangsan', [])
    >>> clean_customer({"name": "张三", "mobile": "12345"})[1]
    [Problem(field='mobile', value='12345', reason='a mobile number has 11 digits, not 5')]

``clean_*(raw, partial=False)`` returns ``(clean, problems)``:

- ``clean`` holds the normalised value of every field present in ``raw`` (``None`` for an
  empty cell: "无", "-", "" …), keyed by the archive's column names, plus the derived
  search columns (``name_rev``, ``name_pinyin``, ``name_initials``; ``vin_rev``,
  ``plate_key``) and, for customers, ``phones``: ``[(phone, kind, tail4), ...]``.
- ``problems`` lists :class:`Problem` ``(field, value, reason)``; a record with problems
  must not be written.  A field with a problem is left out of ``clean``.
- ``partial=True`` (an edit) does not require the mandatory fields.

Field names are the archive's columns; the importer's field names (``crm.io.aliases``:
``phone2``, ``insurance_expiry``, ``visit_type``) are accepted as synonyms.  Keys that are
not archive fields are ignored (``id_number``, ``company``, ``brand``... are deliberately
not stored).  No database access here: existence checks (a staff code, a VIN already
known) belong to the writers in ``customers.py``/``vehicles.py``/``visits.py``.

The functions are cheap (regular expressions; pinyin cached per name), the importer calls
``clean_customer`` for up to a million rows.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Callable, NamedTuple

from crm.values import Invalid
from crm.values.text import clean as clean_text

from .contact import CHANNELS  # defined once, with the contact policy

__all__ = [
    "Problem", "clean_customer", "clean_vehicle", "clean_visit", "clean_card", "clean_interaction",
    "CHANNELS", "LOG_CHANNELS", "CLASSES", "VISIT_TYPES", "raise_problems",
]

CLASSES = ("VIP", "A", "B", "C")
VISIT_TYPES = ("maintenance", "repair", "warranty", "bodypaint", "pdi")


class Problem(NamedTuple):
    """One invalid value: which field, the value as given, and why (English, one line)."""

    field: str
    value: Any
    reason: str

    def __str__(self) -> str:
        return f"{self.field} {self.value!r}: {self.reason}"


def raise_problems(problems: list[Problem], what: str = "") -> None:
    """Turn problems into one ``BadInput`` line (exit 2) for the CLI."""
    if problems:
        from ..errors import BadInput

        prefix = f"{what}: " if what else ""
        raise BadInput(prefix + "; ".join(str(p) for p in problems))


# ----------------------------------------------------------------------------- values
_CHANNEL_WORDS = {
    "phone": "phone", "call": "phone", "tel": "phone", "电话": "phone", "手机": "phone",
    "sms": "sms", "text": "sms", "短信": "sms",
    "wechat": "wechat", "weixin": "wechat", "wx": "wechat", "微信": "wechat",
    "email": "email", "e-mail": "email", "mail": "email", "邮件": "email", "邮箱": "email",
}
_TRUE = {"1", "y", "yes", "true", "t", "on", "是", "有", "同意", "允许", "√", "✓", "x"}
_FALSE = {"0", "n", "no", "false", "f", "off", "否", "无", "不同意", "拒绝", "不允许", "×"}
_VISIT_WORDS = {
    "maintenance": "maintenance", "service": "maintenance", "保养": "maintenance", "首保": "maintenance",
    "定期保养": "maintenance", "常规保养": "maintenance",
    "repair": "repair", "维修": "repair", "一般维修": "repair", "机修": "repair", "电器维修": "repair",
    "warranty": "warranty", "保修": "warranty", "索赔": "warranty", "质保": "warranty", "三包": "warranty",
    "bodypaint": "bodypaint", "body/paint": "bodypaint", "body&paint": "bodypaint", "body paint": "bodypaint",
    "钣喷": "bodypaint", "钣金": "bodypaint", "喷漆": "bodypaint", "事故车": "bodypaint", "钣金喷漆": "bodypaint",
    "pdi": "pdi", "新车检查": "pdi", "售前检查": "pdi",
}
_TAG_SPLIT = re.compile(r"\s*[,;，；、|/]\s*")
_CONSENT_ITEM = re.compile(r"^\s*([^=:：]+?)\s*(?:[=:：]\s*(.+?))?\s*$")


def _text(value: Any, limit: int = 200) -> str | None:
    s = clean_text(value)
    if s is not None and len(s) > limit:
        raise Invalid(f"too long (more than {limit} characters)")
    return s


def _long_text(value: Any) -> str | None:
    if value is None:
        return None
    s = str(value).strip()
    if not s:
        return None
    if len(s) > 4000:
        raise Invalid("too long (more than 4000 characters)")
    return s


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return bool(value)
    s = (clean_text(value) or "").lower()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    raise Invalid("not yes/no (是/否, yes/no, 1/0)")


#: words a do-not-contact column uses for "yes, do not contact" besides the yes/no words
_DNC_TRUE = {"勿扰", "免打扰", "请勿打扰", "dnc", "do not contact"}


def parse_do_not_contact(value: Any) -> bool:
    """A do-not-contact flag: yes/no words (是/否, Y/N, 1/0, √/×, true/false) or 勿扰/免打扰."""
    if isinstance(value, str) and (clean_text(value) or "").lower() in _DNC_TRUE:
        return True
    return parse_bool(value)


def parse_channel(value: Any) -> str:
    s = (clean_text(value) or "").lower()
    if s in _CHANNEL_WORDS:
        return _CHANNEL_WORDS[s]
    raise Invalid("not a channel (phone, sms, wechat, email)")


def _date(value: Any) -> str:
    from crm.values.dates import parse_date

    return parse_date(value).isoformat()


def _past_date(value: Any) -> str:
    day = _date(value)
    if day < "1900-01-01":
        raise Invalid("implausibly early")
    return day


def _datetime(value: Any) -> str:
    """A date stays ``YYYY-MM-DD``; a date with a time becomes ``YYYY-MM-DDTHH:MM:SS`` (China time)."""
    from crm.values.dates import parse_date, parse_datetime

    if isinstance(value, dt.datetime):
        return parse_datetime(value).isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return parse_date(value).isoformat()
    if isinstance(value, float) and not value.is_integer():
        return parse_datetime(value).isoformat(timespec="seconds")
    if isinstance(value, str) and len(value) > 10 and any(c in value for c in ":时点T"):
        moment = parse_datetime(value)
        return moment.isoformat(timespec="seconds")
    return parse_date(value).isoformat()


def _gender(value: Any) -> str | None:
    from crm.values.names import normalize_gender

    return normalize_gender(value)


def _name(value: Any) -> str:
    from crm.values.names import normalize_name

    return normalize_name(value)


def _email(value: Any) -> str:
    from crm.values.email import normalize_email

    return normalize_email(value)


def _wechat(value: Any) -> str:
    from crm.values.email import normalize_wechat

    return normalize_wechat(value)


def _classification(value: Any) -> str:
    s = (clean_text(value) or "").upper()
    if s in CLASSES:
        return s
    raise Invalid(f"not a classification ({'/'.join(CLASSES)})")


def _tags(value: Any) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, (list, tuple, set)) else _TAG_SPLIT.split(str(value))
    out: list[str] = []
    for item in items:
        tag = clean_text(item)
        if tag is None:
            continue
        if len(tag) > 40:
            raise Invalid(f"tag {tag[:20]!r}… is longer than 40 characters")
        if tag not in out:
            out.append(tag)
    return out


def _consent(value: Any) -> dict[str, bool]:
    """``{"sms": False}``, ``"phone,sms"`` (granted), ``"sms=no, wechat=yes"``."""
    if value is None:
        return {}
    if isinstance(value, dict):
        return {parse_channel(k): parse_bool(v) for k, v in value.items()}
    out: dict[str, bool] = {}
    items = value if isinstance(value, (list, tuple)) else _TAG_SPLIT.split(str(value))
    for item in items:
        if not str(item).strip():
            continue
        m = _CONSENT_ITEM.match(str(item))
        channel = parse_channel(m.group(1))
        out[channel] = parse_bool(m.group(2)) if m.group(2) is not None else True
    return out


def _int_range(low: int, high: int) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        from crm.values.numbers import parse_int

        number = parse_int(value)
        if not low <= number <= high:
            raise Invalid(f"must be between {low} and {high}")
        return number

    return parse


def _positive_id(value: Any) -> int:
    return _int_range(1, 2**62)(value)


def _mileage(value: Any) -> int:
    from crm.values.numbers import parse_mileage

    return parse_mileage(value)


def _amount(value: Any) -> float:
    from crm.values.numbers import parse_amount

    amount = parse_amount(value)
    if amount < 0:
        raise Invalid("a negative amount")
    return float(amount)


def _vin(value: Any) -> str:
    from crm.values.vin import normalize_vin

    return normalize_vin(value)


def _plate(value: Any) -> str:
    from crm.values.plate import normalize_plate

    return normalize_plate(value)


def _visit_type(value: Any) -> str:
    s = (clean_text(value) or "").lower()
    if s in _VISIT_WORDS:
        return _VISIT_WORDS[s]
    raise Invalid(f"not a visit type ({', '.join(VISIT_TYPES)}; 保养/维修/保修/钣喷/PDI)")


def _staff_code(value: Any) -> str:
    s = (clean_text(value) or "").lower()
    if not re.fullmatch(r"[a-z][a-z0-9_.-]{1,31}", s):
        raise Invalid("not a staff code")
    return s


def _ro(value: Any) -> str:
    s = clean_text(value)
    if s is None:
        raise Invalid("empty")
    s = s.replace(" ", "")
    if len(s) > 40:
        raise Invalid("too long for a repair order number")
    return s


def _vehicle_key(value: Any) -> str:
    """A VIN (normalised), else a plate (normalised), else a vehicle id: what --vin takes."""
    s = clean_text(value)
    if s is None:
        raise Invalid("empty")
    if s.isdigit() and len(s) < 10:
        return s
    try:
        return _vin(s)
    except Invalid as vin_error:
        if len(s.replace(" ", "")) >= 15:
            raise
        try:
            return _plate(s)
        except Invalid:
            raise vin_error from None


# ------------------------------------------------------------------------- engine
def _run(raw: dict, spec: dict, synonyms: dict, required: tuple[str, ...], partial: bool,
         ) -> tuple[dict, list[Problem]]:
    clean: dict = {}
    problems: list[Problem] = []
    for key, value in raw.items():
        field = synonyms.get(key, key)
        parse = spec.get(field)
        if parse is None:
            continue
        if value is None or (type(value) is str and not value.strip()):
            clean[field] = None
            continue
        try:
            clean[field] = parse(value)
        except Invalid as exc:
            problems.append(Problem(field, value, exc.reason))
        except (TypeError, ValueError) as exc:
            problems.append(Problem(field, value, str(exc) or "invalid"))
    if not partial:
        for field in required:
            if clean.get(field) is None and not any(p.field == field for p in problems):
                problems.append(Problem(field, raw.get(field), "required"))
    elif any(field in clean and clean[field] is None for field in required):
        for field in required:
            if field in clean and clean[field] is None:
                problems.append(Problem(field, raw.get(field), "cannot be emptied"))
    return clean, problems


# ----------------------------------------------------------------------- customer
_CUSTOMER_SPEC: dict[str, Callable[[Any], Any]] = {
    "ref": lambda v: _text(v, 64),
    "name": _name,
    "gender": _gender,
    "birthday": _past_date,
    "wechat": _wechat,
    "email": _email,
    "city": lambda v: _text(v, 40),
    "address": lambda v: _text(v, 200),
    "source": lambda v: _text(v, 60),
    "classification": _classification,
    "preferred_channel": parse_channel,
    "best_time": lambda v: _text(v, 60),
    "do_not_contact": parse_do_not_contact,
    "notes": _long_text,
    "specialist": _staff_code,
    "specialist_id": _positive_id,
    "first_contact_due": _date,
    "tags": _tags,
    "consent": _consent,
    "card_number": lambda v: _text(v, 40),
    "member_level": lambda v: _text(v, 20),
    "card_issued": _date,
    "card_expires": _date,
}
_PHONE_FIELDS = ("mobile", "phone", "mobile2", "landline", "phone2", "phones")
_CUSTOMER_SYNONYMS = {"mobile_2": "mobile2", "phone": "mobile", "wechat_id": "wechat",
                      "level": "member_level", "card": "card_number"}


def _phones(raw: dict, clean: dict, problems: list[Problem], partial: bool) -> None:
    """Normalise every phone given (a cell may hold several) and spread them over the
    mobile / mobile2 / landline columns: Chinese mobiles (and foreign numbers) fill mobile
    then mobile2, landlines and 400 numbers fill landline.  Extra numbers are reported."""
    from crm.values.phone import phone_kind, split_phones, tail4

    given = [f for f in _PHONE_FIELDS if f in raw]
    if not given:
        return
    mobiles: list[str] = []
    landlines: list[str] = []
    failed = False
    for field in given:
        try:
            value = raw[field]
            numbers = ([n for item in value for n in split_phones(item)] if isinstance(value, (list, tuple))
                       else split_phones(value))
        except Invalid as exc:
            problems.append(Problem(field, raw[field], exc.reason))
            failed = True
            continue
        for number in numbers:
            kind = phone_kind(number)
            target = landlines if kind in ("landline", "service") else mobiles
            if number not in target:
                target.append(number)
    if failed:
        return
    if len(mobiles) > 2 or len(landlines) > 1:
        extra = mobiles[2:] + landlines[1:]
        problems.append(Problem("mobile", ", ".join(extra), "more phone numbers than the archive holds "
                                "(2 mobiles, 1 landline)"))
        return
    slots = {"mobile": mobiles[0] if mobiles else None,
             "mobile2": mobiles[1] if len(mobiles) > 1 else None,
             "landline": landlines[0] if landlines else None}
    if partial:
        # An edit fills the slots its numbers need; given only empty values, it clears the
        # slots it names (``phones`` names all three).
        if mobiles or landlines:
            clean.update({slot: number for slot, number in slots.items() if number is not None})
        else:
            for field in given:
                for slot in ({"mobile", "mobile2", "landline"} if field == "phones"
                             else {{"phone2": "mobile2", "phone": "mobile"}.get(field, field)}):
                    clean[slot] = None
    else:
        clean.update(slots)
    clean["phones"] = [(p, phone_kind(p) if phone_kind(p) != "service" else "landline", tail4(p))
                       for p in (mobiles + landlines)]


def name_keys(name: str | None) -> dict:
    """The derived search columns of a name (reversed, pinyin, initials)."""
    if not name:
        return {"name_rev": None, "name_pinyin": None, "name_initials": None}
    from crm.values.names import pinyin_keys

    full, initials = pinyin_keys(name)
    return {"name_rev": name[::-1], "name_pinyin": full or None, "name_initials": initials or None}


def clean_customer(raw: dict, *, partial: bool = False) -> tuple[dict, list[Problem]]:
    """Validate and normalise a customer record (see the module docstring).

    Phones may come as ``mobile``, ``mobile2``, ``landline``, ``phone2`` or ``phones`` (a
    cell with several numbers); they are distributed over the three phone columns by kind.
    ``tags`` is a list (or a "、"/","-separated string), ``consent`` a ``{channel: bool}``
    (or ``"sms=no,wechat=yes"``), ``specialist`` a staff code.
    """
    clean, problems = _run(raw, _CUSTOMER_SPEC, _CUSTOMER_SYNONYMS, ("name",), partial)
    _phones(raw, clean, problems, partial)
    if "name" in clean and clean["name"]:
        clean.update(name_keys(clean["name"]))
        if "gender" not in clean or clean["gender"] is None:
            from crm.values.names import gender_from_name

            guessed = gender_from_name(clean["name"])
            if guessed and "gender" not in raw:
                clean["gender"] = guessed
    return clean, problems


# ------------------------------------------------------------------------ vehicle
_VEHICLE_SPEC: dict[str, Callable[[Any], Any]] = {
    "vin": _vin,
    "plate": _plate,
    "model": lambda v: _text(v, 60),
    "model_year": _int_range(1950, 2100),
    "colour": lambda v: _text(v, 30),
    "delivery_date": _date,
    "mileage": _mileage,
    "insurance_expires": _date,
    "inspection_due": _date,
    "customer_id": _positive_id,
}
_VEHICLE_SYNONYMS = {"insurance_expiry": "insurance_expires", "year": "model_year", "color": "colour",
                     "delivered": "delivery_date", "customer": "customer_id"}


def clean_vehicle(raw: dict, *, partial: bool = False) -> tuple[dict, list[Problem]]:
    """Validate and normalise a vehicle: VIN (check digit where mandatory: China ``L…`` and
    North America), Chinese plates (7 chars, 8 for new energy), dates, mileage, model year."""
    clean, problems = _run(raw, _VEHICLE_SPEC, _VEHICLE_SYNONYMS, ("vin",), partial)
    if clean.get("vin"):
        clean["vin_rev"] = clean["vin"][::-1]
    if "plate" in clean:
        clean["plate_key"] = plate_key_of(clean["plate"])
    return clean, problems


def plate_key_of(plate: str | None) -> str | None:
    """The plate without its province character (``京A12345`` → ``A12345``)."""
    if not plate:
        return None
    from crm.values.plate import PROVINCES

    return plate[1:] if plate[0] in PROVINCES else plate


# -------------------------------------------------------------------------- visit
_VISIT_SPEC: dict[str, Callable[[Any], Any]] = {
    "ro_number": _ro,
    "vin": _vehicle_key,
    "customer_id": _positive_id,
    "date_in": _datetime,
    "date_out": _datetime,
    "type": _visit_type,
    "advisor": lambda v: _text(v, 40),
    "mileage": _mileage,
    "amount": _amount,
    "items": _long_text,
}
_VISIT_SYNONYMS = {"visit_type": "type", "ro": "ro_number", "in": "date_in", "out": "date_out",
                   "vehicle": "vin", "plate": "vin"}


def clean_visit(raw: dict, *, partial: bool = False) -> tuple[dict, list[Problem]]:
    """Validate and normalise a visit (repair order); ``vin`` may be a VIN, plate or id."""
    clean, problems = _run(raw, _VISIT_SPEC, _VISIT_SYNONYMS, ("ro_number", "vin", "date_in"), partial)
    if not partial and clean.get("type") is None and not any(p.field == "type" for p in problems):
        clean["type"] = "maintenance"
    if clean.get("date_in") and clean.get("date_out") and clean["date_out"][:10] < clean["date_in"][:10]:
        problems.append(Problem("date_out", raw.get("date_out"), f"before the date in ({clean['date_in']})"))
    return clean, problems


# ------------------------------------------------------------------ cards, the log
_CARD_SPEC: dict[str, Callable[[Any], Any]] = {
    "number": lambda v: (_text(v, 40) or "").replace(" ", "").upper() or None,
    "level": lambda v: _text(v, 20),
    "issued_on": _date,
    "expires_on": _date,
    "customer_id": _positive_id,
}


def clean_card(raw: dict, *, partial: bool = False) -> tuple[dict, list[Problem]]:
    clean, problems = _run(raw, _CARD_SPEC, {"card_number": "number", "member_level": "level"},
                           ("number", "level"), partial)
    if clean.get("issued_on") and clean.get("expires_on") and clean["expires_on"] < clean["issued_on"]:
        problems.append(Problem("expires_on", raw.get("expires_on"), "before the issue date"))
    return clean, problems


_DIRECTIONS = {"in": "in", "inbound": "in", "呼入": "in", "来电": "in", "out": "out", "outbound": "out",
               "呼出": "out", "去电": "out"}
#: The channels of the interaction log: the contact channels, a visit in person (到店), a
#: letter, the manufacturer's portal, other. The one vocabulary: plugins map their own words
#: onto it (``in_person``/``walk_in``/``signature`` are read as ``visit``).
LOG_CHANNELS = (*CHANNELS, "visit", "letter", "portal", "other")
_LOG_CHANNEL_WORDS = {"到店": "visit", "到访": "visit", "来店": "visit", "in_person": "visit", "walk_in": "visit",
                      "signature": "visit", "当面": "visit", "信函": "letter", "厂家": "portal", "其他": "other"}


def _log_channel(value: Any) -> str:
    s = (clean_text(value) or "").lower()
    if s in LOG_CHANNELS:
        return s
    if s in _LOG_CHANNEL_WORDS:
        return _LOG_CHANNEL_WORDS[s]
    try:
        return parse_channel(s)
    except Invalid:
        raise Invalid(f"not a channel ({', '.join(LOG_CHANNELS)})") from None


def _direction(value: Any) -> str:
    s = (clean_text(value) or "").lower()
    if s in _DIRECTIONS:
        return _DIRECTIONS[s]
    raise Invalid("not a direction (in, out)")


def _kind(value: Any) -> str:
    s = (clean_text(value) or "").lower()
    if not re.fullmatch(r"[a-z][a-z0-9_-]{1,30}", s):
        raise Invalid("not a kind (call, sms, visit, complaint, gift, note …)")
    return s


_LOG_SPEC: dict[str, Callable[[Any], Any]] = {
    "customer_id": _positive_id,
    "at": _datetime,
    "channel": _log_channel,
    "direction": _direction,
    "kind": _kind,
    "summary": _long_text,
    "outcome": lambda v: _text(v, 200),
    "ref": lambda v: _text(v, 80),
}


def clean_interaction(raw: dict, *, partial: bool = False) -> tuple[dict, list[Problem]]:
    return _run(raw, _LOG_SPEC, {}, ("customer_id", "channel", "kind"), partial)
