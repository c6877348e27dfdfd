"""``crm customer import``: a dealer's customer sheet (often with the car on the same row)
→ customers, vehicles and ownership, in ONE transaction.

Per batch of rows:

1. each row is cleaned by the shared validation (:mod:`crm.importing.rowclean`);
2. the batch's keys are looked up in the archive with a few ``IN (...)`` queries on the
   indexed columns (VIN, then each phone, then name + plate) — rows written by earlier
   batches of the same file are found the same way, so memory does not grow with the file;
3. a row matching nothing becomes a new customer (ids handed out in order, plain
   ``executemany`` INSERTs), a row matching a customer is compared field by field and only
   non-empty, different values are written (never blank out a known value).

All-or-nothing: after the first invalid row (without ``--skip-invalid``) nothing more is
written and the transaction is rolled back at the end; ``--dry-run`` does the whole work
and rolls back.  A kill -9 at any point leaves the database as it was (one ``BEGIN
IMMEDIATE`` … ``COMMIT``).
"""

from __future__ import annotations

import time
from typing import Any

from ..archive import bulk
from ..archive.customers import apply_update
from . import columnar
from .hooks import HookPlan
from .pipeline import cleaned_batches, use_worker
from .report import Report, Summary, footer_note
from .rowclean import CONSENT_FIELDS, NOT_STORED, CustomerRowCleaner
from .source import Table

BATCH = 2000
#: record ids an import's audit row lists (the rest are the range in its detail)
AUDIT_IDS = 1000
SQL_CHUNK = 900
KNOWN_FIELDS = set(
    "name mobile mobile2 phone2 classification gender birthday city address source notes email wechat tags card_number member_level "
    "vin plate model model_year colour mileage delivery_date insurance_expiry inspection_due "
    "ref do_not_contact specialist preferred_channel best_time card_issued card_expires".split()
) | set(NOT_STORED) | set(CONSENT_FIELDS)
#: fields compared on an update (tags separately)
UPDATE_FIELDS = ("name", "gender", "birthday", "mobile", "mobile2", "landline", "wechat", "email", "city",
                 "address", "source", "notes", "ref", "preferred_channel", "best_time", "specialist_id",
                 "classification")
VEHICLE_UPDATE = ("plate", "plate_key", "model", "model_year", "colour", "delivery_date", "mileage",
                  "insurance_expires", "inspection_due")


class _Abort(Exception):
    """Roll the transaction back (dry run, or invalid rows without --skip-invalid)."""


def _chunks(items: list, size: int = SQL_CHUNK):
    for i in range(0, len(items), size):
        yield items[i:i + size]


class CustomerImport:
    def __init__(self, app, table: Table, *, dry_run: bool = False, skip_invalid: bool = False,
                 report_path: str | None = None):
        self.app = app
        self.table = table
        self.dry_run = dry_run
        self.skip_invalid = skip_invalid
        self.report = Report(report_path)
        self.summary = Summary(file=str(table.path), kind=table.kind, sheet=table.sheet, encoding=table.encoding,
                               header_row=table.header_row, dry_run=dry_run,
                               ignored_columns=[h for h in table.ignored if h] +
                               [h for f, h in table.fields.items() if f in NOT_STORED])
        self.cleaner = None  # made in run(): the 专员 column needs the staff list
        self.header = dict(table.fields)
        self.touched = bytearray()  # existing customer ids already matched by an earlier row
        self.field_changes: dict[str, int] = {}
        self.changed_ids: list[int] = []
        self.vehicle_changed_ids: list[int] = []
        self.card_ids: list[int] = []

    # ------------------------------------------------------------------ public
    def run(self) -> tuple[Summary, Report]:
        started = time.perf_counter()
        app = self.app
        try:
            with app.transaction() as tx:
                self.tx = tx
                self.conn = tx.conn
                self.now = tx.now
                self.hooks = HookPlan(app, dry_run=self.dry_run)
                self.first_id = self.next_id = (self.conn.execute(
                    "SELECT coalesce(max(id), 0) FROM customers").fetchone()[0]) + 1
                self.first_vid = self.next_vid = (self.conn.execute(
                    "SELECT coalesce(max(id), 0) FROM vehicles").fetchone()[0]) + 1
                self._touch_size(self.first_id)
                staff = (self.conn.execute("SELECT id, code, name FROM staff WHERE active = 1").fetchall()
                         if "specialist" in self.table.fields else None)
                estimate = self.table.extra.get("rows_estimate") or 0
                self.worker = use_worker(estimate)
                self.columnar = columnar.wanted(estimate, self.worker)
                if self.columnar and self.worker and not columnar.fork_safe():
                    self.worker = False  # polars already loaded here: its threads do not survive a fork
                self.cleaner = CustomerRowCleaner(self.table.fields, staff, columnar=self.columnar)
                with bulk.bulk_load(tx, rows_expected=self.table.extra.get("rows_estimate") or 0,
                                    table_size=self.first_id - 1, enabled=not self.dry_run):
                    self._stream()
                self.report.save()  # before the commit: a report that cannot be written rolls back
                if self.report.rejected and not self.skip_invalid:
                    raise _Abort()
                if self.dry_run:
                    raise _Abort()
                self.hooks.fire_created(tx, self.first_id, self.next_id, self.first_vid, self.next_vid)
                self._audit(tx)
                self.summary.written = True
        except _Abort:
            self.summary.written = False
        self.summary.rejected = self.report.rejected
        self.summary.skipped = footer_note(self.table.footer_rows)
        self.summary.seconds = round(time.perf_counter() - started, 3)
        return self.summary, self.report

    # ------------------------------------------------------------------ reading
    def _stream(self) -> None:

        summary = self.summary
        report = self.report
        header = self.header
        estimate = self.table.extra.get("rows_estimate") or 0
        batches = cleaned_batches(self.table.rows, self.cleaner.clean, worker=self.worker, size=BATCH,
                                  clean_batch=None if columnar.row_by_row() else self.cleaner.clean_batch)
        for cleaned in self.app.progress(batches, total=max(1, estimate // BATCH), label="importing"):
            batch: list = []
            for rownum, customer, vehicle, errors in cleaned:
                summary.rows_read += 1
                if errors:
                    for fieldname, value, reason in errors:
                        report.reject(rownum, header.get(fieldname, fieldname), fieldname, value, reason)
                    continue
                batch.append((rownum, customer, vehicle))
            if batch:
                self._flush(batch)

    def _touch_size(self, upto: int) -> None:
        if len(self.touched) < upto + 1:
            self.touched.extend(b"\0" * (upto + 1 - len(self.touched) + 1024))

    # ------------------------------------------------------------------ one batch
    def _lookup(self, batch: list) -> tuple[dict, dict, dict]:
        conn = self.conn
        vins = list({v["vin"] for _, _, v in batch if v.get("vin")})
        phones = list({p[0] for _, c, _ in batch for p in c.get("phones") or ()})
        plates = list({v["plate"] for _, c, v in batch if v.get("plate") and not v.get("vin")
                       and not c.get("phones")})
        by_vin: dict[str, tuple] = {}
        for part in _chunks(vins):
            for row in conn.execute(f"SELECT vin, id, customer_id FROM vehicles WHERE vin IN "
                                    f"({','.join('?' * len(part))})", part):
                by_vin[row[0]] = (row[1], row[2])
        by_phone: dict[str, int] = {}
        for part in _chunks(phones):
            for phone, cid in conn.execute(
                    f"SELECT p.phone, min(p.customer_id) FROM customer_phones p JOIN customers c ON c.id = p.customer_id"
                    f" WHERE p.phone IN ({','.join('?' * len(part))}) AND c.forgotten_at IS NULL GROUP BY p.phone",
                    part):
                by_phone[phone] = cid
        by_plate: dict[tuple, int] = {}
        for part in _chunks(plates):
            for plate, name, cid in conn.execute(
                    f"SELECT v.plate, c.name, c.id FROM vehicles v JOIN customers c ON c.id = v.customer_id"
                    f" WHERE v.plate IN ({','.join('?' * len(part))}) AND c.forgotten_at IS NULL", part):
                by_plate.setdefault((plate, name), cid)
        refs = list({c["ref"] for _, c, _ in batch if c.get("ref")})
        by_ref = self.by_ref = {}
        for part in _chunks(refs):
            for ref, cid in conn.execute(
                    f"SELECT ref, id FROM customers WHERE ref IN ({','.join('?' * len(part))})", part):
                by_ref[ref] = cid
        return by_vin, by_phone, by_plate

    def _flush(self, batch: list) -> None:
        by_vin, by_phone, by_plate = self._lookup(batch)
        report, summary = self.report, self.summary
        new_rows: dict[int, dict] = {}
        new_vehicles: dict[str, dict] = {}
        wanted: dict[int, dict] = {}  # existing (or earlier-batch) customer id -> values to write
        first_row: dict[int, int] = {}  # customer id -> first row of this batch that matched it
        vehicle_wanted: dict[int, dict] = {}
        for rownum, customer, vehicle in batch:
            vin = vehicle.get("vin")
            cid = None
            vehicle_hit = None
            if vin:
                if vin in new_vehicles:
                    cid = new_vehicles[vin]["customer_id"]
                elif vin in by_vin:
                    vehicle_hit = by_vin[vin]
                    cid = vehicle_hit[1]
            if cid is None:
                for phone, _kind, _tail in customer.get("phones") or ():
                    cid = by_phone.get(phone)
                    if cid is not None:
                        break
            if cid is None and vehicle.get("plate") and customer.get("name"):
                cid = by_plate.get((vehicle["plate"], customer["name"]))
            ref = customer.get("ref")
            if ref is not None:
                owner = self.by_ref.get(ref)
                if owner is not None and owner != cid:
                    report.reject(rownum, self.header.get("ref", "ref"), "ref", ref,
                                  f"customer ref already used by customer {owner}")
                    self._invalid()
                    continue
            if cid is None:
                if not customer.get("name"):
                    report.reject(rownum, self.header.get("name", "name"), "name", None,
                                  "required for a new customer (no existing customer matches the row)")
                    self._invalid()
                    continue
                if not vin and not customer.get("phones"):
                    if vehicle.get("plate"):
                        report.reject(rownum, self.header.get("plate", "plate"), "plate", vehicle["plate"],
                                      "no customer with this name and plate; a new customer needs a mobile or VIN")
                    else:
                        report.reject(rownum, self.header.get("mobile", "mobile"), "mobile", None,
                                      "a mobile, VIN or plate is needed to tell customers apart")
                    self._invalid()
                    continue
                cid = self.next_id
                self.next_id += 1
                if ref is not None:
                    self.by_ref[ref] = cid
                row = dict(customer)
                row["_row"] = rownum
                new_rows[cid] = row
                summary.inserted += 1
                report.change(rownum, "insert", "customer", cid)
            elif cid in new_rows:
                _merge(new_rows[cid], customer)
                summary.duplicates += 1
                report.change(rownum, "duplicate", "customer", cid)
            else:
                self._touch_size(cid)
                if cid >= self.first_id or self.touched[cid]:
                    summary.duplicates += 1
                    report.change(rownum, "duplicate", "customer", cid)
                else:
                    self.touched[cid] = 1
                    first_row.setdefault(cid, rownum)
                _merge(wanted.setdefault(cid, {}), customer)
                if ref is not None:
                    self.by_ref.setdefault(ref, cid)
            # remember the row's keys for the rest of the batch
            for phone, _kind, _tail in customer.get("phones") or ():
                by_phone.setdefault(phone, cid)
            name = customer.get("name") or (new_rows[cid].get("name") if cid in new_rows else None)
            if vehicle.get("plate") and name:
                by_plate.setdefault((vehicle["plate"], name), cid)
            if vin:
                if vin in new_vehicles:
                    _merge(new_vehicles[vin], vehicle)
                elif vehicle_hit is not None:
                    vw = vehicle_wanted.setdefault(vehicle_hit[0], {"_owner": vehicle_hit[1]})
                    _merge(vw, vehicle)
                    if vehicle_hit[1] is None:
                        vw["_new_owner"] = cid
                else:
                    new_vehicles[vin] = {**vehicle, "customer_id": cid, "id": self.next_vid, "_row": rownum}
                    self.next_vid += 1
                    summary.vehicles_inserted += 1
        self._insert_customers(new_rows)
        self._update_customers(wanted, first_row)
        self._insert_vehicles(new_vehicles)
        self._update_vehicles(vehicle_wanted)

    def _invalid(self) -> None:
        """A row failed while being matched. The work goes on inside the transaction, which is
        rolled back at the end without --skip-invalid, so the report names every problem of
        the file at once (rows that fail only when matched against the archive included)."""

    # ------------------------------------------------------------------ writing
    def _insert_customers(self, new_rows: dict[int, dict]) -> None:
        if not new_rows:
            return
        bulk.insert_customers(self.tx, list(new_rows.items()))
        cards = [(cid, row["card_number"], row.get("member_level"), row.get("card_issued"), row.get("card_expires"))
                 for cid, row in new_rows.items() if row.get("card_number")]
        self.card_ids.extend(bulk.issue_cards(self.tx, cards))

    def _update_customers(self, wanted: dict[int, dict], first_row: dict[int, int]) -> None:
        if not wanted:
            return
        ids = list(wanted)
        current: dict[int, dict] = {}
        for part in _chunks(ids):
            cur = self.conn.execute(f"SELECT * FROM customers WHERE id IN ({','.join('?' * len(part))})", part)
            names = [d[0] for d in cur.description]
            for row in cur:
                current[row[0]] = dict(zip(names, row))
        tags: dict[int, set] = {}
        tagged = [cid for cid, w in wanted.items() if w.get("tags")]
        for part in _chunks(tagged):
            for cid, tag in self.conn.execute(
                    f"SELECT customer_id, tag FROM customer_tags WHERE customer_id IN ({','.join('?' * len(part))})",
                    part):
                tags.setdefault(cid, set()).add(tag)
        consents: dict[int, dict] = {}
        asked = [cid for cid, w in wanted.items() if w.get("consent")]
        for part in _chunks(asked):
            for cid, channel, granted in self.conn.execute(
                    f"SELECT customer_id, channel, granted FROM customer_consents WHERE customer_id IN"
                    f" ({','.join('?' * len(part))})", part):
                consents.setdefault(cid, {})[channel] = bool(granted)
        summary = self.summary
        for cid, want in wanted.items():
            cur = current.get(cid)
            if cur is None:
                continue
            changes = {}
            for f in UPDATE_FIELDS:
                v = want.get(f)
                if v is not None and v != cur.get(f):
                    changes[f] = (cur.get(f), v)
            # an import restricts, never lifts: 免打扰=是 sets the flag, 否 keeps a set one;
            # 允许…=否 withdraws a consent, 是 does not re-grant a withdrawn one
            dnc = want.get("do_not_contact")
            if dnc is not None:
                if dnc and not cur.get("do_not_contact"):
                    changes["do_not_contact"] = (cur.get("do_not_contact"), 1)
                elif not dnc and cur.get("do_not_contact"):
                    summary.kept_stricter += 1
            consent_changes = {}
            for ch, granted in (want.get("consent") or {}).items():
                old = consents.get(cid, {}).get(ch)
                if granted is False and old is not False:
                    consent_changes[ch] = False
                elif granted is True and old is False:
                    summary.kept_stricter += 1
            for ch in consent_changes:
                changes[f"consent.{ch}"] = (consents.get(cid, {}).get(ch), False)
            new_tags = [t for t in want.get("tags") or () if t not in tags.get(cid, ())]
            if cid in first_row:
                if changes or new_tags:
                    summary.updated += 1
                    self.report.change(first_row[cid], "update", "customer", cid, sorted(changes) +
                                       (["tags"] if new_tags else []))
                else:
                    summary.unchanged += 1
            if not changes and not new_tags:
                continue
            for f in changes:
                self.field_changes[f] = self.field_changes.get(f, 0) + 1
            if new_tags:
                self.field_changes["tags"] = self.field_changes.get("tags", 0) + 1
            self.changed_ids.append(cid)
            clean = {f: new for f, (_old, new) in changes.items() if not f.startswith("consent.")}
            if consent_changes:
                clean["consent"] = consent_changes
            if "name" in clean:
                clean.update({k: want.get(k) for k in ("name_rev", "name_pinyin", "name_initials")})
            if new_tags:
                clean["tags"] = new_tags
            if not self.dry_run:
                apply_update(self.tx, cur, clean, keep_known=True, source="import")

    def _insert_vehicles(self, new_vehicles: dict[str, dict]) -> None:
        if not new_vehicles:
            return
        bulk.insert_vehicles(self.tx, new_vehicles.values())
        for v in new_vehicles.values():
            self.report.change(v["_row"], "insert", "vehicle", v["id"])

    def _update_vehicles(self, wanted: dict[int, dict]) -> None:
        if not wanted:
            return
        current: dict[int, dict] = {}
        ids = list(wanted)
        for part in _chunks(ids):
            cur = self.conn.execute(f"SELECT * FROM vehicles WHERE id IN ({','.join('?' * len(part))})", part)
            names = [d[0] for d in cur.description]
            for row in cur:
                current[row[0]] = dict(zip(names, row))
        for vid, want in wanted.items():
            cur = current.get(vid)
            if cur is None:
                continue
            changes = {f: (cur.get(f), want[f]) for f in VEHICLE_UPDATE
                       if want.get(f) is not None and want[f] != cur.get(f)}
            owner = want.get("_new_owner")
            if not changes and owner is None:
                continue
            self.summary.vehicles_updated += 1
            self.vehicle_changed_ids.append(vid)
            bulk.update_vehicles(self.tx, [(vid, {f: new for f, (_o, new) in changes.items()}, owner)])
            if owner is not None:
                self.hooks.vehicle_owner_set(self.tx, vid, owner)

    # ------------------------------------------------------------------ audit
    def _audit(self, tx) -> None:
        s = self.summary
        created = list(range(self.first_id, min(self.next_id, self.first_id + AUDIT_IDS)))
        detail = {"format": self.table.kind, "rows": s.rows_read, "inserted": s.inserted, "updated": s.updated,
                  "unchanged": s.unchanged, "duplicates": s.duplicates, "rejected": self.report.rejected,
                  "fields_changed": self.field_changes}
        if created:
            detail["created_ids"] = [self.first_id, self.next_id - 1]
        if self.card_ids:  # the cards issued to new customers: named here, not one audit row each
            detail["cards_issued"] = len(self.card_ids)
            detail["card_ids"] = [self.card_ids[0], self.card_ids[-1]]
        tx.audit("import", "customer", (created + self.changed_ids[:AUDIT_IDS])[:AUDIT_IDS],
                 count=s.inserted + s.updated, detail=detail)
        if s.vehicles_inserted or s.vehicles_updated:
            vcreated = list(range(self.first_vid, min(self.next_vid, self.first_vid + AUDIT_IDS)))
            tx.audit("import", "vehicle", (vcreated + self.vehicle_changed_ids[:AUDIT_IDS])[:AUDIT_IDS],
                     count=s.vehicles_inserted + s.vehicles_updated,
                     detail={"inserted": s.vehicles_inserted, "updated": s.vehicles_updated})


def _merge(into: dict, values: dict) -> None:
    """Later non-empty values win; empty ones never blank out; tags accumulate."""
    for k, v in values.items():
        if v is None:
            continue
        if k == "tags":
            old = into.get("tags") or []
            into["tags"] = old + [t for t in v if t not in old]
        elif k == "consent":  # rows of one customer: the strictest answer per channel
            merged = dict(into.get("consent") or {})
            for ch, granted in v.items():
                merged[ch] = (merged[ch] and granted) if ch in merged else granted
            into["consent"] = merged
        elif k == "do_not_contact":
            into[k] = bool(into.get(k)) or v
        elif k == "phones":
            continue
        else:
            into[k] = v


def import_customers(app, table: Table, **options: Any) -> tuple[Summary, Report]:
    return CustomerImport(app, table, **options).run()
