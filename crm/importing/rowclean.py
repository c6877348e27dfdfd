"""Clean one imported row through the archive's shared validation, fast.

The rules are those of :mod:`crm.archive.validate` (``clean_customer`` / ``clean_vehicle`` /
``clean_visit``): every value is cleaned by calling them.  What this module adds is speed
for files of a million rows, without a second set of rules:

* a cell already in its stored form (an 11-digit mobile, ``2025-03-05``, a clean text)
  is recognised by a regular expression and kept as is — exactly what the shared rules
  return for it (a test runs both on the messy sample files and compares);
* other cells are cleaned one field at a time by the shared function
  (``clean_customer({field: value}, partial=True)``) and the answer is memoised per
  (field, value): a dealer's file repeats its cities, sources, genders, dates and most
  names thousands of times.

Fields that depend on each other are cleaned together (all phone columns at once; a name
gives its pinyin keys and, without a gender column, the gender of 先生/女士).

An import cleans a batch a field at a time (:meth:`CustomerRowCleaner.clean_columns`: a
column's cells through its cache in one comprehension, the records filled from the
columns); :meth:`CustomerRowCleaner.clean` cleans one row alone and is the reference
(``CRM_IMPORT_ENGINE=rows``) the tests compare it with.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from crm.values.text import _TABLE as _CHANGED
from crm.values.text import EMPTY_MARKERS

from ..archive.validate import Problem, clean_customer, clean_vehicle, clean_visit

CACHE_LIMIT = 8192  # per field: repeated values (cities, dates, common names) hit; unique ones stop growing it

#: importer field -> (record, archive field) for the combined customer + vehicle sheet
CUSTOMER_FIELDS = {
    "name": "name", "gender": "gender", "birthday": "birthday", "city": "city", "address": "address",
    "source": "source", "notes": "notes", "email": "email", "wechat": "wechat", "tags": "tags",
    "card_number": "card_number", "member_level": "member_level",
    "ref": "ref", "preferred_channel": "preferred_channel", "best_time": "best_time",
    "do_not_contact": "do_not_contact", "card_issued": "card_issued", "card_expires": "card_expires",
    "classification": "classification",
}
#: importer field -> consent channel (允许电话 …: a yes/no cell per channel)
CONSENT_FIELDS = {"consent_phone": "phone", "consent_sms": "sms", "consent_wechat": "wechat",
                  "consent_email": "email"}
PHONE_FIELDS = ("mobile", "mobile2", "phone2")
VEHICLE_FIELDS = {
    "vin": "vin", "plate": "plate", "model": "model", "model_year": "model_year", "colour": "colour",
    "mileage": "mileage", "delivery_date": "delivery_date", "insurance_expiry": "insurance_expires",
    "inspection_due": "inspection_due",
}
#: recognised headers that are deliberately not stored (see docs/import-export.md)
NOT_STORED = ("id_number", "company", "sales_advisor", "engine_number", "brand")
VISIT_FIELDS = {
    "ro_number": "ro_number", "vin": "vin", "plate": "plate", "date_in": "date_in", "date_out": "date_out",
    "visit_type": "type", "advisor": "advisor", "mileage": "mileage", "amount": "amount", "items": "items",
}

_PLAIN_TEXT_FIELDS = {"city", "address", "source", "model", "colour", "advisor", "card_number", "member_level",
                      "ref", "best_time"}
_TEXT_LIMITS = {"city": 40, "address": 200, "source": 60, "model": 60, "colour": 30, "advisor": 40,
                "card_number": 40, "member_level": 20, "ref": 64, "best_time": 60}
_MISS = object()

# Stored-form tests: a cell matching one of these is exactly what the shared validation
# returns for it, so it is kept as is.
#: an 11-digit Chinese mobile, as stored
_MOBILE = re.compile(r"1[3-9]\d{9}")
#: every character text cleaning would change (crm.values.text): a value without any is clean
_SPECIAL = re.escape("".join(chr(c) for c in _CHANGED))
#: text without leading/trailing/double spaces, full-width forms or invisible characters
_PLAIN = re.compile(f"[^\\s{_SPECIAL}]+(?: [^\\s{_SPECIAL}]+)*")


def _empty(value: Any) -> bool:
    """An empty cell: None, "", blanks, or a "nothing" marker (-, 无, N/A …)."""
    if value is None:
        return True
    if type(value) is str:
        if not value:
            return True
        if len(value) <= 6:
            s = value.strip()
            return not s or (len(s) <= 4 and s.lower() in EMPTY_MARKERS)
    return False


class FieldError(Exception):
    """A cell the shared validation rejected: (archive field, reason)."""

    def __init__(self, field: str, reason: str):
        super().__init__(reason)
        self.field, self.reason = field, reason


def _problem_of(problems: list[Problem], field: str) -> FieldError:
    p = problems[0]
    return FieldError(p.field or field, p.reason)


class _Memo:
    """Per-field memo of the shared cleaning result (bounded)."""

    __slots__ = ("fn", "cache")

    def __init__(self, fn: Callable[[Any], Any]):
        self.fn = fn
        self.cache: dict = {}

    def __call__(self, value: Any) -> Any:
        key = (type(value), value)
        hit = self.cache.get(key, _MISS)
        if hit is _MISS:
            try:
                hit = self.fn(value)
            except FieldError as exc:
                hit = exc
            if len(self.cache) < CACHE_LIMIT:
                self.cache[key] = hit
        if type(hit) is FieldError:
            # a new exception each time: re-raising the cached one would chain every raise's
            # frames onto its traceback (~3 KB a rejected cell, never freed: issue 15 item 7)
            raise FieldError(hit.field, hit.reason)
        return hit


def _customer_field(field: str) -> Callable[[Any], Any]:
    def run(value: Any) -> Any:
        clean, problems = clean_customer({field: value}, partial=True)
        if problems:
            raise _problem_of(problems, field)
        if field == "name":
            return {k: clean.get(k) for k in ("name", "name_rev", "name_pinyin", "name_initials", "gender")
                    if k in clean}
        return clean.get(field)

    return run


def _consent_field(channel: str) -> Callable[[Any], Any]:
    def run(value: Any) -> Any:
        clean, problems = clean_customer({"consent": {channel: value}}, partial=True)
        if problems:
            raise _problem_of(problems, "consent")
        return clean["consent"][channel]

    return run


class StaffResolver:
    """A 专员 cell → the id of an active staff member: a staff code (the shared
    ``clean_customer`` rule for ``specialist``), else a unique name of active staff."""

    def __init__(self, rows: list[tuple[int, str, str]]):
        self.codes = {code: sid for sid, code, _name in rows}
        self.names: dict[str, list[tuple[int, str]]] = {}
        for sid, code, name in rows:
            self.names.setdefault(name, []).append((sid, code))

    def __call__(self, value: Any) -> int:
        from crm.values.text import clean as clean_text

        clean, problems = clean_customer({"specialist": value}, partial=True)
        if not problems and clean.get("specialist") in self.codes:
            return self.codes[clean["specialist"]]
        text = clean_text(value) if isinstance(value, str) else clean_text(str(value))
        found = self.names.get(text or "", [])
        if len(found) == 1:
            return found[0][0]
        if found:
            raise FieldError("specialist", f"more than one active staff member is called {text!r}"
                                           f" ({', '.join(c for _, c in found)}); give the staff code")
        raise FieldError("specialist", f"no active staff member with the code or name {text!r}"
                                       " (see 'crm staff list')")


def _vehicle_field(field: str) -> Callable[[Any], Any]:
    def run(value: Any) -> Any:
        clean, problems = clean_vehicle({field: value}, partial=True)
        if problems:
            raise _problem_of(problems, field)
        if field == "plate":
            return clean.get("plate"), clean.get("plate_key")
        return clean.get(field)

    return run


def _plain(field: str, memo: _Memo) -> Callable[[Any], Any]:
    limit = _TEXT_LIMITS.get(field, 200)

    from crm.values.text import _ZERO_DATES

    def run(value: Any) -> Any:
        if type(value) is str and len(value) <= limit and _PLAIN.fullmatch(value) and len(value) > 4 \
                and not (value[0] == "0" and value in _ZERO_DATES):
            return value
        return memo(value)

    return run


def _fast_wechat(memo: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A WeChat id as stored (``wxid_…`` or a custom id: ASCII, no prefix, no space) is kept."""
    from crm.values.email import _WECHAT_ID, _WXID

    def run(value: Any) -> Any:
        if type(value) is str and (_WXID.fullmatch(value) or _WECHAT_ID.fullmatch(value)):
            return value
        return memo(value)

    return run


def _fast_email(memo: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """An e-mail address as stored (lower-case ASCII, trimmed) is kept."""
    from crm.values.email import _EMAIL

    def run(value: Any) -> Any:
        if type(value) is str and len(value) <= 254 and _EMAIL.fullmatch(value):
            return value
        return memo(value)

    return run


_ISO = re.compile(r"(?:19|20)\d\d-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])")
_CJK_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}")
_HONORIFIC = ("先生", "女士", "小姐", "太太", "夫人")
DATE_FIELDS = {"birthday", "delivery_date", "insurance_expiry", "inspection_due", "card_issued", "card_expires"}


def _fast_date(memo: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``2025-03-05`` is stored as is (when the day exists); anything else: the shared rules."""
    import datetime as dt

    def run(value: Any) -> Any:
        if type(value) is str and len(value) == 10 and _ISO.fullmatch(value):
            try:
                dt.date(int(value[:4]), int(value[5:7]), int(value[8:]))
                return value
            except ValueError:
                pass
        return memo(value)

    return run


def _fast_name(memo: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A clean 2–4 character Chinese name: the shared ``name_keys`` (pinyin, cached) directly."""
    from ..archive.validate import name_keys

    def run(value: Any) -> Any:
        if type(value) is str and _CJK_NAME.fullmatch(value) and not value.endswith(_HONORIFIC):
            out = name_keys(value)
            out["name"] = value
            return out
        return memo(value)

    return run


def _fast_vin(value: Any) -> Any:
    """The shared VIN rule (``crm.values.vin.normalize_vin``), without the per-record wrapper."""
    from crm.values import Invalid
    from crm.values.vin import normalize_vin

    try:
        return normalize_vin(value)
    except Invalid as exc:
        raise FieldError("vin", exc.reason) from None


def _fast_plate(memo: Callable[[Any], Any]) -> Callable[[Any], Any]:
    from crm.values.plate import _FAST as PLATE  # a canonical 7-character plate

    def run(value: Any) -> Any:
        if type(value) is str and len(value) == 7 and PLATE.fullmatch(value):
            return value, value[1:]
        return memo(value)

    return run


_EMPTY = object()
#: a field's value cache is switched off when, after this many distinct values, fewer than
#: a quarter as many cells were repeats (addresses, WeChat ids, e-mails, VINs: unique per row)
_PROBE = 2048
#: what a field's output goes to: customer[name], vehicle[name], the name's keys, the plate pair
_TO_CUSTOMER, _TO_VEHICLE, _NAME, _PLATE, _CONSENT = range(5)


class CustomerRowCleaner:
    """Turns the mapped cells of one row into ``(customer, vehicle)`` clean records.

    Every field has a cache of the answers for the text cells seen so far (a file repeats
    its cities, models, genders, dates and levels thousands of times); the cache of a field
    whose values hardly repeat is dropped after a probe.  The answers are those of the
    field's cleaning function, which are those of the shared validation."""

    def __init__(self, fields, staff: list[tuple[int, str, str]] | None = None, *, columnar: bool = False):
        self.fields = list(fields)
        self.columnar = columnar  # stored-form cells recognised per batch (crm.importing.columnar)
        self.acceptor = None
        self.names: dict = {}
        self.plan: list[list] = []  # [cell key, target, output name, error name, fn, cache or None, cache hits]
        self.phone_cols: list[tuple[str, str]] = []
        for field in fields:
            idx = field
            if field in PHONE_FIELDS:
                self.phone_cols.append((idx, field))
            elif field in CUSTOMER_FIELDS:
                memo = _Memo(_customer_field(CUSTOMER_FIELDS[field]))
                fn = _plain(field, memo) if field in _PLAIN_TEXT_FIELDS else memo
                target = _TO_CUSTOMER
                if field in DATE_FIELDS:
                    fn = _fast_date(memo)
                elif field == "name":
                    fn = _fast_name(memo)
                    target = _NAME
                elif field == "wechat":
                    fn = _fast_wechat(memo)
                elif field == "email":
                    fn = _fast_email(memo)
                self.plan.append([idx, target, field, field, fn, {}, 0])
            elif field in VEHICLE_FIELDS:
                name = VEHICLE_FIELDS[field]
                memo = _Memo(_vehicle_field(name))
                fn = _plain(field, memo) if field in _PLAIN_TEXT_FIELDS else memo
                target = _TO_VEHICLE
                if field in DATE_FIELDS:
                    fn = _fast_date(memo)
                elif field == "vin":
                    fn = _fast_vin
                elif field == "plate":
                    fn = _fast_plate(memo)
                    target = _PLATE
                self.plan.append([idx, target, name, name, fn, {}, 0])
            elif field in CONSENT_FIELDS:
                memo = _Memo(_consent_field(CONSENT_FIELDS[field]))
                self.plan.append([idx, _CONSENT, CONSENT_FIELDS[field], field, memo, {}, 0])
            elif field == "specialist":
                memo = _Memo(StaffResolver(staff or []))
                self.plan.append([idx, _TO_CUSTOMER, "specialist_id", field, memo, {}, 0])
        self.card_dates = "card_issued" in fields and "card_expires" in fields
        self.phone_memo = _Memo(self._phones)
        self.vin_fn = _vehicle_field("vin")
        self.rows = 0

    @staticmethod
    def _phones(values: tuple) -> dict:
        raw = {field: value for field, value in values}
        clean, problems = clean_customer(raw, partial=True)
        if problems:
            raise _problem_of(problems, "mobile")
        return {k: clean[k] for k in ("mobile", "mobile2", "landline", "phones") if k in clean}

    def clean_batch(self, rows: list[tuple[int, dict]]) -> list[tuple]:
        """``(row number, customer, vehicle, errors)`` for each row of a batch: with
        ``columnar``, the cells in stored form are recognised for the whole batch first
        (:class:`crm.importing.columnar.ColumnAcceptor`), the rest cleaned cell by cell."""
        pre = None
        if self.columnar:
            if self.acceptor is None:
                from .columnar import ColumnAcceptor

                self.acceptor = ColumnAcceptor(self.fields, {f: _TEXT_LIMITS.get(f, 200) for f in _PLAIN_TEXT_FIELDS},
                                               PHONE_FIELDS)
            pre = self.acceptor.accept(rows)
        if pre is None:
            return self.clean_columns(rows)
        clean = self.clean
        return [(rownum, *clean(cells, pre, i)) for i, (rownum, cells) in enumerate(rows)]

    def _column(self, step: list, values: list, errors: list) -> list:
        """One field of a batch: what :meth:`clean` does for that field in each row (the
        cache, the field's function, a rejected cell appended to the row's errors), a
        column at a time: ``_EMPTY`` where the row gets nothing."""
        _idx, _target, _name, errname, fn, cache, _hits = step
        if cache is not None:  # the answers seen so far, for every text cell at once
            outs = [cache.get(v, _MISS) if type(v) is str else _MISS for v in values]
            hits = len(outs) - outs.count(_MISS)
            step[6] += hits
            if hits == len(outs):
                return outs
        else:
            outs = [_MISS] * len(values)
        for i, out in enumerate(outs):
            if out is not _MISS:
                continue
            value = values[i]
            if value is None:
                outs[i] = _EMPTY
                continue
            cache = step[5]
            if cache is not None and type(value) is str:
                out = cache.get(value, _MISS)
                if out is not _MISS:
                    step[6] += 1
                else:
                    if _empty(value):
                        out = _EMPTY
                    else:
                        try:
                            out = fn(value)
                        except FieldError as exc:
                            errors[i].append((errname, value, exc.reason))
                            outs[i] = _EMPTY
                            continue
                    if len(cache) < CACHE_LIMIT:
                        cache[value] = out
                        if len(cache) == _PROBE and step[6] < _PROBE // 4:
                            step[5] = None  # values do not repeat: no cache for this field
            elif _empty(value):
                out = _EMPTY
            else:
                try:
                    out = fn(value)
                except FieldError as exc:
                    errors[i].append((errname, value, exc.reason))
                    out = _EMPTY
            outs[i] = out
        return outs

    def clean_columns(self, rows: list[tuple[int, dict]]) -> list[tuple]:
        """``[(row number, customer, vehicle, errors)]`` for a batch, exactly as
        :meth:`clean` row by row, but a field at a time: each field's cells go through its
        cache and function as one column, and the rows are filled from the columns (the
        per-row work left is the phones, the card dates and the gender guessed from the name)."""
        n = len(rows)
        cells_of = [cells for _, cells in rows]
        customers: list[dict] = [{} for _ in range(n)]
        vehicles: list[dict] = [{} for _ in range(n)]
        errors: list[list] = [[] for _ in range(n)]
        guessed: list = [None] * n
        self.rows += n
        for step in self.plan:
            idx, target, name = step[0], step[1], step[2]
            outs = self._column(step, [cells.get(idx) for cells in cells_of], errors)
            if target == _TO_CUSTOMER or target == _TO_VEHICLE:
                for record, out in zip(customers if target == _TO_CUSTOMER else vehicles, outs):
                    if out is not _EMPTY:
                        record[name] = out
            elif target == _CONSENT:
                for customer, out in zip(customers, outs):
                    if out is not _EMPTY:
                        consent = customer.get("consent")
                        if consent is None:
                            customer["consent"] = {name: out}
                        else:
                            consent[name] = out
            elif target == _NAME:
                for i, out in enumerate(outs):
                    if out is not _EMPTY:
                        customer = customers[i]
                        for k, v in out.items():
                            if k == "gender":
                                guessed[i] = v  # 张先生 → M, unless a gender cell says otherwise
                            else:
                                customer[k] = v
            else:
                for vehicle, out in zip(vehicles, outs):
                    if out is not _EMPTY:
                        vehicle["plate"], vehicle["plate_key"] = out
        tail = self._row_tail
        return [(rows[i][0], *tail(cells_of[i], customers[i], vehicles[i], errors[i], guessed[i]))
                for i in range(n)]

    def _row_tail(self, cells: dict, customer: dict, vehicle: dict, errors: list, guessed: Any,
                  pre: dict | None = None, i: int = 0) -> tuple[dict, dict, list]:
        """What :meth:`clean` does after the fields: the phones (cleaned together), the card
        dates, the gender guessed from the name, the reversed VIN."""
        get = cells.get
        accepted = pre.get("mobile") if pre is not None else None
        if accepted is not None and accepted[i] is not None:
            m = accepted[i]  # the only phone of the row, an 11-digit mobile as stored
            customer["mobile"] = m
            customer["phones"] = [(m, "mobile", m[-4:])]
        elif self.phone_cols:
            given = []
            for idx, field in self.phone_cols:
                value = get(idx)
                if value is not None and not _empty(value):
                    given.append((field, value))
            if given:
                if len(given) == 1 and type(given[0][1]) is str and len(given[0][1]) == 11 \
                        and _MOBILE.fullmatch(given[0][1]):
                    m = given[0][1]
                    customer["mobile"] = m
                    customer["phones"] = [(m, "mobile", m[-4:])]
                else:
                    try:
                        customer.update(self.phone_memo(tuple(given)) if len(given) > 1
                                        else self._phones_single(given[0]))
                    except FieldError as exc:
                        errors.append((exc.field if exc.field in PHONE_FIELDS else given[0][0],
                                       "; ".join(str(v) for _, v in given), exc.reason))
        if self.card_dates and customer.get("card_expires") and customer.get("card_issued") \
                and customer["card_expires"] < customer["card_issued"]:
            from ..archive.validate import clean_card

            problems = clean_card({"issued_on": customer["card_issued"], "expires_on": customer["card_expires"]},
                                  partial=True)[1]
            errors.append(("card_expires", get("card_expires"),
                           problems[0].reason if problems else "before the issue date"))
        if guessed is not None and customer.get("gender") is None:
            customer["gender"] = guessed
        if "vin" in vehicle:
            vehicle["vin_rev"] = vehicle["vin"][::-1]
        return customer, vehicle, errors

    def _name_keys(self, value: str) -> dict:
        out = self.names.get(value)
        if out is None:
            from ..archive.validate import name_keys

            out = name_keys(value)
            out["name"] = value
            if len(self.names) < 4 * CACHE_LIMIT:
                self.names[value] = out
        return out

    def clean(self, cells: dict, pre: dict | None = None, i: int = 0) -> tuple[dict, dict, list[tuple[str, Any, str]]]:
        """``(customer, vehicle, errors)`` from ``{field: raw cell}``; errors are
        ``(importer field, raw value, reason)``.  ``pre``: the batch's cells already
        accepted in stored form (``{field: [value or None]}``) and ``i`` this row's place."""
        customer: dict = {}
        vehicle: dict = {}
        errors: list = []
        guessed = None
        get = cells.get
        self.rows += 1
        for step in self.plan:
            idx, target, name, errname, fn, cache, _hits = step
            value = get(idx)
            if value is None:
                continue
            accepted = pre.get(idx) if pre is not None else None
            if accepted is not None and accepted[i] is not None:
                out = accepted[i]
                if target == _NAME:
                    out = self._name_keys(out)
                elif target == _PLATE:
                    out = (out, out[1:])
            elif cache is not None and type(value) is str:
                out = cache.get(value, _MISS)
                if out is not _MISS:
                    step[6] += 1
                else:
                    if _empty(value):
                        out = _EMPTY
                    else:
                        try:
                            out = fn(value)
                        except FieldError as exc:
                            errors.append((errname, value, exc.reason))
                            continue
                    if len(cache) < CACHE_LIMIT:
                        cache[value] = out
                        if len(cache) == _PROBE and step[6] < _PROBE // 4:
                            step[5] = None  # values do not repeat: no cache for this field
                if out is _EMPTY:
                    continue
            else:
                if _empty(value):
                    continue
                try:
                    out = fn(value)
                except FieldError as exc:
                    errors.append((errname, value, exc.reason))
                    continue
            if target == _TO_CUSTOMER:
                customer[name] = out
            elif target == _TO_VEHICLE:
                vehicle[name] = out
            elif target == _CONSENT:
                consent = customer.get("consent")
                if consent is None:
                    customer["consent"] = {name: out}
                else:
                    consent[name] = out
            elif target == _NAME:
                for k, v in out.items():
                    if k == "gender":
                        guessed = v  # 张先生 → M, unless a gender cell says otherwise
                    else:
                        customer[k] = v
            else:
                vehicle["plate"], vehicle["plate_key"] = out
        return self._row_tail(cells, customer, vehicle, errors, guessed, pre, i)

    def _phones_single(self, given: tuple) -> dict:
        return self._phones((given,))


class VisitRowCleaner:
    """The mapped cells of a repair-order row → a clean visit (shared ``clean_visit``)."""

    def __init__(self, fields):
        order = sorted(fields, key=lambda f: f == "vin")  # a VIN column beats a plate column
        self.plan = [(f, VISIT_FIELDS[f]) for f in order if f in VISIT_FIELDS]

    def clean(self, cells: dict) -> tuple[dict, list[tuple[str, Any, str]]]:
        raw: dict = {}
        for idx, field in self.plan:
            value = cells.get(idx)
            if value is None or _empty(value):
                continue
            if field == "plate":
                field = "vin"
            raw[field] = value
        clean, problems = clean_visit(raw)
        errors = [(p.field, p.value, p.reason) for p in problems]
        return clean, errors


__all__ = ["CustomerRowCleaner", "VisitRowCleaner", "FieldError", "NOT_STORED", "CUSTOMER_FIELDS", "CONSENT_FIELDS",
           "VEHICLE_FIELDS", "VISIT_FIELDS"]
