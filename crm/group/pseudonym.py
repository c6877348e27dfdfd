"""Personal data in a group export: keyed hashes instead of phones, names, VINs and plates.

The group key (``CRM_GROUP_KEY``, or the file named by ``[group] key_file``) is the same in
every store of the group, so the same person gets the same ``phone_hash`` everywhere and the
warehouse can match them without the number travelling.  The key never goes to the
database, a log or the output.

A hash is HMAC-SHA256 (hex) of ``kind:normalised value``: a mobile in E.164
(``+8613812345678``, whatever spaces, dashes or ``+86`` the store typed), a name NFKC with
its whitespace collapsed and case folded, a VIN or plate NFKC upper case without spaces.

:data:`POLICY` says per table which columns are hashed (``<column>_hash``) and which are
dropped unless ``--with-personal-data``; :data:`SECRET` what never leaves.  A table this
module does not know (a dealer's own plugin) gets :func:`generic_policy` by column name.
docs/group.md lists the result per table.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from pathlib import Path
from typing import Any, Mapping

from ..errors import BadInput, ConfigError

KEY_ENV = "CRM_GROUP_KEY"
MIN_KEY_LENGTH = 16

PHONE, NAME, VEHICLE, DROP = "phone", "name", "vehicle", "drop"

#: table → {column: what}: PHONE/NAME/VEHICLE = hashed to <column>_hash (the clear column dropped),
#: DROP = dropped.  With --with-personal-data the clear columns travel too (hashes stay).
POLICY: dict[str, dict[str, str]] = {
    "customers": {"name": NAME, "mobile": PHONE, "mobile2": PHONE, "landline": PHONE,
                  "name_rev": DROP, "name_pinyin": DROP, "name_initials": DROP, "birthday": DROP,
                  "wechat": DROP, "email": DROP, "address": DROP, "notes": DROP, "ref": DROP},
    "customer_phones": {"phone": PHONE, "tail4": DROP},
    "vehicles": {"vin": VEHICLE, "plate": VEHICLE, "vin_rev": DROP, "plate_key": DROP},
    "membership_cards": {"number": DROP},
    "interactions": {"summary": DROP},  # outcome (reached, no answer, booked…) stays: the reports count it
    "appointments": {"note": DROP},
    "appointment_progress": {"note": DROP},
    "orders": {"note": DROP},
    "visits": {},
    "callback_tasks": {"note": DROP, "message": DROP},
    "callback_calls": {"note": DROP, "suggestion": DROP},
    "complaints_tickets": {"complainant": NAME, "contact_phone": PHONE, "vin": VEHICLE, "plate": VEHICLE,
                           "description": DROP, "responsible_person": DROP, "paused_reason": DROP},
    "complaints_events": {"note": DROP, "data": DROP},
    "complaints_files": {"name": DROP, "path": DROP},
    "campaigns_gifts": {"note": DROP},
    "campaigns_invitations": {"note": DROP},
    "campaigns_referrals": {"referred_name": NAME, "referred_phone": PHONE, "note": DROP},
    "campaigns_oem_vins": {"vin": VEHICLE},
    "campaigns_survey_answers": {"value_text": DROP},
    "portal_leads": {"name": NAME, "phone": PHONE, "comments": DROP, "adf": DROP},
    "staff": {},
}

#: never exported, not even --with-personal-data
SECRET: dict[str, frozenset[str]] = {"staff": frozenset({"pin_hash"})}

_GENERIC_PHONE = re.compile(r"^(mobile\d*|phone|landline|tel|.*_phone|.*_mobile)$")
_GENERIC_DROP = re.compile(r"^(email|wechat|address|id_number|id_card|birthday|notes?|comments?|remarks?|summary|"
                           r"description|text|message|content|body|raw|payload|data|.*_name|.*_email|.*_address|"
                           r".*_text|.*(secret|token|password|pin_hash).*)$")


def generic_policy(columns) -> dict[str, str]:
    """For a table not in :data:`POLICY`: phones by their name hashed, likely identifiers and free text dropped."""
    out = {}
    for c in columns:
        if _GENERIC_PHONE.match(c):
            out[c] = PHONE
        elif _GENERIC_DROP.match(c):
            out[c] = DROP
    return out


def policy_for(table: str, columns) -> dict[str, str]:
    return POLICY[table] if table in POLICY else generic_policy(columns)


# -- the key -------------------------------------------------------------------------------
def load_key(environ: Mapping[str, str], config) -> bytes:
    """The group key: ``CRM_GROUP_KEY`` or the file ``[group] key_file``; else exit 2 (one line)."""
    value = environ.get(KEY_ENV)
    where = KEY_ENV
    if not value:
        key_file = config.get("group.key_file")
        if not key_file:
            raise BadInput(f"no group key: set {KEY_ENV} or [group] key_file in the config"
                           " (the same key in every store of the group); nothing was written")
        path = Path(str(key_file)).expanduser()
        where = f"[group] key_file {path}"
        try:
            value = path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{where}: cannot read the group key ({getattr(exc, 'strerror', None) or exc});"
                              " nothing was written") from None
    if len(value) < MIN_KEY_LENGTH:
        raise BadInput(f"the group key ({where}) is shorter than {MIN_KEY_LENGTH} characters; nothing was written")
    return value.encode("utf-8")


# -- normalising ---------------------------------------------------------------------------
_CN_MOBILE = re.compile(r"(?:\+?86)?(1[3-9]\d{9})")
_SEPARATORS = re.compile(r"[\s\-().]")


def normal_phone(value: str) -> str:
    """E.164 for a number phonenumbers can read (China by default), else the digits (and a leading +).

    >>> normal_phone("138 1234-5678"), normal_phone("+86 13812345678"), normal_phone("010-6552 9988")
    ('+8613812345678', '+8613812345678', '+861065529988')
    """
    text = unicodedata.normalize("NFKC", str(value)).strip()
    mobile = _CN_MOBILE.fullmatch(_SEPARATORS.sub("", text))
    if mobile:  # the archive's usual form: the same answer as phonenumbers, 50 times faster
        return "+86" + mobile.group(1)
    import phonenumbers

    try:
        number = phonenumbers.parse(text, "CN")
        if phonenumbers.is_possible_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        pass
    digits = re.sub(r"[^\d]", "", text)
    return ("+" if text.startswith("+") else "") + digits


def normal_name(value: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", str(value)).split()).casefold()


def normal_vehicle(value: str) -> str:
    return "".join(unicodedata.normalize("NFKC", str(value)).split()).upper()


_NORMAL = {PHONE: normal_phone, NAME: normal_name, VEHICLE: normal_vehicle}


class Hasher:
    """Keyed hashes with one group key (kept in this object only)."""

    def __init__(self, key: bytes):
        self._base = hmac.new(key, digestmod=hashlib.sha256)  # keyed once; each hash copies it
        self._memo: dict[tuple[str, Any], str | None] = {}  # a store's phones recur in several tables

    def __repr__(self) -> str:  # never the key
        return "<Hasher>"

    def hash(self, kind: str, value: Any) -> str | None:
        if value is None:
            return None
        memo = (kind, value)
        if memo in self._memo:
            return self._memo[memo]
        text = _NORMAL[kind](value)
        digest = None
        if text:
            mac = self._base.copy()
            mac.update(f"{kind}:{text}".encode("utf-8"))
            digest = mac.hexdigest()
        if len(self._memo) < 1_000_000:
            self._memo[memo] = digest
        return digest

