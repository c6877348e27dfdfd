"""``crm customer search Q``: one box for mobile, 尾号, plate, VIN, card number, name, pinyin.

Every kind is an index lookup: an exact ``=`` or a range scan
``col >= ? AND col < ? || char(0x10FFFF)`` (a prefix) on an indexed column; suffixes use the
reversed columns (``name_rev``, ``vin_rev``). Nothing does ``LIKE '%…%'`` over the table,
so each kind stays in the low milliseconds on a million customers (bench/search_bench.py).

What the query is read as (several readings may apply; all are tried):

==================  ===========================================================
query               kinds tried
==================  ===========================================================
4 digits            mobile/landline tail (尾号, ``customer_phones.tail4``), card number
11 digits, 1…       full mobile; a landline with area code (``010…``) likewise
5–10, 12+ digits    phone prefix, card number, VIN tail (6–8 characters)
17 letters/digits   full VIN
6–8 letters/digits  VIN tail (last 6–8 chars), plate without province (``A12345``),
                    card number
京A12345            plate (exact, then prefix); case and spaces ignored
Chinese text        name exact, name prefix (姓), name suffix (名, via name_rev)
latin letters       pinyin full (``zhangsan``) or initials (``zs``), exact then prefix;
                    latin names exact/prefix
==================  ===========================================================

A true middle-of-the-name substring (``小`` in ``王小明``) needs a scan of the name index;
it runs only with ``deep=True`` (``--deep``), because it cannot be made fast.

Ranking: exact beats prefix beats suffix/tail/substring; within a rank, the more specific
field wins (phone, VIN, plate, card, name, pinyin, initials); then the newest customer.
Every result says which field matched and how.
"""

from __future__ import annotations

import re
import unicodedata

from ..errors import BadInput

HIGH = "\U0010ffff"
RANK = {"exact": 0, "prefix": 1, "suffix": 2, "tail": 2, "substring": 3}
FIELD_ORDER = {"mobile": 0, "phone": 0, "tail4": 1, "vin": 2, "plate": 3, "card": 4, "name": 5,
               "pinyin": 6, "initials": 7}
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_SEP = re.compile(r"[\s\-·.()（）_/]+")


def _norm(q: str) -> str:
    return _SEP.sub("", unicodedata.normalize("NFKC", q or "")).strip()


def _customer_rows(store, sql: str, params: tuple, field: str, match: str, limit: int) -> list[dict]:
    rows = store.query(sql + " LIMIT ?", (*params, limit))
    for row in rows:
        row["field"], row["match"] = field, match
    return rows


_C = "c.id, c.name, c.mobile, c.city, c.classification"


def _by_phone(store, q: str, limit: int, prefix: bool = True) -> list[dict]:
    out = []
    digits = q.lstrip("+")
    if q.isdigit() and len(q) == 4:
        out += _customer_rows(store, f"SELECT {_C}, p.phone AS value FROM customer_phones p JOIN customers c"
                              " ON c.id = p.customer_id WHERE p.tail4 = ? AND c.forgotten_at IS NULL",
                              (q,), "tail4", "tail", limit)
        return out
    if not digits.isdigit() or len(digits) < 5:
        return out
    from crm.values import Invalid
    from crm.values.phone import normalize_phone

    try:
        phone = normalize_phone(q)
    except Invalid:
        phone = None
    if phone:
        out += _customer_rows(store, f"SELECT {_C}, p.phone AS value FROM customer_phones p JOIN customers c"
                              " ON c.id = p.customer_id WHERE p.phone = ?", (phone,), "phone", "exact", limit)
    if not out and prefix:
        out += _customer_rows(store, f"SELECT {_C}, p.phone AS value FROM customer_phones p JOIN customers c"
                              " ON c.id = p.customer_id WHERE p.phone >= ? AND p.phone < ? AND p.phone <> ?"
                              " AND c.forgotten_at IS NULL", (digits, digits + HIGH, digits),
                              "phone", "prefix", limit)
    return out


def _by_vehicle(store, q: str, limit: int) -> list[dict]:
    out = []
    up = q.upper()
    sel = (f"SELECT {_C}, ve.{{col}} AS value FROM vehicles ve JOIN customers c ON c.id = ve.customer_id"
           " WHERE c.forgotten_at IS NULL AND ")
    if len(up) == 17 and up.isalnum() and up.isascii():
        out += _customer_rows(store, sel.format(col="vin") + "ve.vin = ?", (up,), "vin", "exact", limit)
    if 6 <= len(up) <= 8 and up.isalnum() and up.isascii():
        rev = up[::-1]
        out += _customer_rows(store, sel.format(col="vin") + "ve.vin_rev >= ? AND ve.vin_rev < ?",
                              (rev, rev + HIGH), "vin", "tail", limit)
    if _CJK.match(up[:1] or " ") and 2 <= len(up) <= 9 and up[1:].isalnum():
        plate = up
        out += _customer_rows(store, sel.format(col="plate") + "ve.plate = ?", (plate,), "plate", "exact", limit)
        if not out or len(plate) < 7:
            out += _customer_rows(store, sel.format(col="plate") + "ve.plate > ? AND ve.plate < ?",
                                  (plate, plate + HIGH), "plate", "prefix", limit)
    elif 2 <= len(up) <= 8 and up.isalnum() and up.isascii() and up[0].isalpha():
        out += _customer_rows(store, sel.format(col="plate") + "ve.plate_key = ?", (up,), "plate", "exact", limit)
        if len(up) < 7:
            out += _customer_rows(store, sel.format(col="plate") + "ve.plate_key > ? AND ve.plate_key < ?",
                                  (up, up + HIGH), "plate", "prefix", limit)
    return out


def _by_card(store, q: str, limit: int) -> list[dict]:
    up = q.upper()
    if len(up) < 4 or not up.isascii() or not up.replace("-", "").isalnum():
        return []
    sel = (f"SELECT {_C}, m.number AS value FROM membership_cards m JOIN customers c ON c.id = m.customer_id"
           " WHERE c.forgotten_at IS NULL AND ")
    out = _customer_rows(store, sel + "m.number = ?", (up,), "card", "exact", limit)
    out += _customer_rows(store, sel + "m.number > ? AND m.number < ?", (up, up + HIGH), "card", "prefix", limit)
    return out


def _by_name(store, q: str, limit: int, deep: bool) -> list[dict]:
    out = []
    sel = f"SELECT {_C}, c.name AS value FROM customers c WHERE "
    if _CJK.search(q) or (q and not q.isascii()):
        out += _customer_rows(store, sel + "c.name = ?", (q,), "name", "exact", limit)
        out += _customer_rows(store, sel + "c.name > ? AND c.name < ?", (q, q + HIGH), "name", "prefix", limit)
        rev = q[::-1]
        out += _customer_rows(store, sel + "c.name_rev > ? AND c.name_rev < ?", (rev, rev + HIGH),
                              "name", "suffix", limit)
        if deep and len(out) < limit:
            out += _customer_rows(store, sel + "instr(c.name, ?) > 1 AND c.forgotten_at IS NULL"
                                  " AND substr(c.name, -length(?)) <> ?", (q, q, q), "name", "substring", limit)
        return out
    low = q.lower()
    if low.isascii() and low.isalpha():
        for col, field in (("name_pinyin", "pinyin"), ("name_initials", "initials")):
            out += _customer_rows(store, sel + f"c.{col} = ?", (low,), field, "exact", limit)
            out += _customer_rows(store, sel + f"c.{col} > ? AND c.{col} < ?", (low, low + HIGH),
                                  field, "prefix", limit)
    return out


def query_kind(query: str) -> str:
    """What was searched for, in words an audit row may keep (never the query itself)."""
    q = _norm(query or "")
    digits = q.lstrip("+")
    if digits.isdigit():
        return {4: "tail4", 11: "mobile"}.get(len(digits), f"{len(digits)} digits")
    if len(q) == 17 and q.isalnum() and q.isascii():
        return "vin"
    if _CJK.search(query or ""):
        return "plate" if len(q) >= 2 and q[1:].isascii() and q[1:].isalnum() else "name"
    return "text"


def search(store, query: str, *, limit: int = 20, deep: bool = False, kinds: set[str] | None = None,
           phone_prefix: bool = True) -> list[dict]:
    """Ranked customers matching ``query``; each row says ``field`` and ``match``.

    ``phone_prefix=False`` (roles that see phones masked, permission ``search.phone-prefix``):
    a number matches only in full or by its last 4 digits, so a masked number cannot be
    recovered digit by digit.
    """
    raw = (query or "").strip()
    q = _norm(raw)
    if not q:
        raise BadInput("search for something: a mobile or its last 4 digits, a plate, a VIN, a name …")
    if limit < 1:
        raise BadInput("--limit must be at least 1")
    found: list[dict] = []
    wanted = kinds or {"phone", "vehicle", "card", "name"}
    if "phone" in wanted:
        found += _by_phone(store, q, limit, prefix=phone_prefix)
    if "vehicle" in wanted:
        found += _by_vehicle(store, q, limit)
    if "card" in wanted:
        found += _by_card(store, q, limit)
    if "name" in wanted:
        text = unicodedata.normalize("NFKC", raw)
        found += _by_name(store, re.sub(r"\s+", "", text) if _CJK.search(text) else q, limit, deep)
    best: dict[int, dict] = {}
    for row in found:
        key = (RANK[row["match"]], FIELD_ORDER.get(row["field"], 9))
        have = best.get(row["id"])
        if have is None or key < (RANK[have["match"]], FIELD_ORDER.get(have["field"], 9)):
            best[row["id"]] = row
    ranked = sorted(best.values(), key=lambda r: (RANK[r["match"]], FIELD_ORDER.get(r["field"], 9), -r["id"]))
    return ranked[:limit]
