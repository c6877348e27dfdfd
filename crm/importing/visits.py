"""``crm visit import``: repair orders (工单) from the workshop system's export.

Rows are cleaned by the shared ``clean_visit``; the vehicle (VIN, or plate when the file
has no VIN column) must be in the archive; a known RO number is updated without blanking
anything; a visit that is (or becomes) closed fires ``on_visit_closed`` once.
"""

from __future__ import annotations

import time

from . import adapters
from .report import Report, Summary, footer_note
from .rowclean import VisitRowCleaner
from .source import Table

BATCH = 2000
SQL_CHUNK = 900
KNOWN_FIELDS = {"ro_number", "vin", "plate", "date_in", "date_out", "visit_type", "advisor", "mileage", "amount",
                "items"}
VISIT_COLUMNS = ("ro_number", "vehicle_id", "customer_id", "date_in", "date_out", "type", "advisor", "mileage",
                 "amount", "items", "status")
UPDATE_FIELDS = ("date_in", "date_out", "type", "advisor", "mileage", "amount", "items")


class _Abort(Exception):
    pass


def _in(conn, sql: str, keys: list) -> list:
    out = []
    for i in range(0, len(keys), SQL_CHUNK):
        part = keys[i:i + SQL_CHUNK]
        out.extend(conn.execute(sql.format(",".join("?" * len(part))), part).fetchall())
    return out


class VisitImport:
    def __init__(self, app, table: Table, *, dry_run: bool = False, skip_invalid: bool = False):
        self.app, self.table, self.dry_run, self.skip_invalid = app, table, dry_run, skip_invalid
        self.report = Report()
        self.summary = Summary(file=str(table.path), kind=table.kind, sheet=table.sheet, encoding=table.encoding,
                               header_row=table.header_row, dry_run=dry_run,
                               ignored_columns=[h for h in table.ignored if h])
        self.cleaner = VisitRowCleaner(table.fields)
        self.header = dict(table.fields)
        if "plate" in self.header and "vin" not in self.header:
            self.header["vin"] = self.header["plate"]
        self.seen: set[str] = set()
        self.closed: list[str] = []
        self.ids: list[int] = []

    def run(self) -> tuple[Summary, Report]:
        started = time.perf_counter()
        try:
            with self.app.transaction() as tx:
                self.tx, self.conn = tx, tx.conn
                self.hooks = adapters.HookPlan(self.app, dry_run=self.dry_run)
                self.fire_closed = not self.dry_run and adapters._impls(self.app, "on_visit_closed")
                from .pipeline import cleaned_batches, use_worker

                estimate = self.table.extra.get("rows_estimate") or 0
                batches = cleaned_batches(self.table.rows, self.cleaner.clean, worker=use_worker(estimate),
                                          size=BATCH)
                for cleaned in self.app.progress(batches, total=max(1, estimate // BATCH), label="importing"):
                    batch: list = []
                    for rownum, clean, errors in cleaned:
                        self.summary.rows_read += 1
                        if errors:
                            for fieldname, value, reason in errors:
                                self._reject(rownum, fieldname, value, reason)
                            continue
                        batch.append((rownum, clean))
                    if batch:
                        self._flush(batch)
                if (self.report.rejected and not self.skip_invalid) or self.dry_run:
                    raise _Abort()
                if self.fire_closed:
                    for ro in self.closed:
                        row = self.conn.execute(
                            "SELECT v.*, ve.vin FROM visits v LEFT JOIN vehicles ve ON ve.id = v.vehicle_id"
                            " WHERE v.ro_number = ?", (ro,))
                        names = [d[0] for d in row.description]
                        tx.fire("on_visit_closed", visit=dict(zip(names, row.fetchone())))
                s = self.summary
                tx.audit("import", "visit", self.ids[:1000], count=s.inserted + s.updated,
                         detail={"format": self.table.kind, "rows": s.rows_read, "inserted": s.inserted,
                                 "updated": s.updated, "unchanged": s.unchanged, "duplicates": s.duplicates,
                                 "rejected": self.report.rejected, "closed": len(self.closed)})
                self.summary.written = True
        except _Abort:
            self.summary.written = False
        self.summary.rejected = self.report.rejected
        self.summary.skipped = footer_note(self.table.footer_rows)
        self.summary.seconds = round(time.perf_counter() - started, 3)
        return self.summary, self.report

    def _reject(self, rownum: int, fieldname: str, value, reason: str) -> None:
        # The work goes on after a bad row, inside the transaction that is rolled back at the
        # end, so that the report names every problem of the file at once: a person fixes the
        # file one time, not once per error found.
        self.report.reject(rownum, self.header.get(fieldname, fieldname), fieldname, value, reason)

    def _flush(self, batch: list) -> None:
        conn = self.conn
        keys = list({c["vin"] for _, c in batch})
        vins = [k for k in keys if len(k) == 17]
        plates = [k for k in keys if len(k) != 17 and not k.isdigit()]
        ids = [int(k) for k in keys if k.isdigit()]
        vehicles: dict[str, tuple[int, int | None]] = {}
        for vin, vid, cid in _in(conn, "SELECT vin, id, customer_id FROM vehicles WHERE vin IN ({})", vins):
            vehicles[vin] = (vid, cid)
        for plate, vid, cid in _in(conn, "SELECT plate, id, customer_id FROM vehicles WHERE plate IN ({})"
                                         " ORDER BY id DESC", plates):
            vehicles[plate] = (vid, cid)
        for vid, cid in _in(conn, "SELECT id, customer_id FROM vehicles WHERE id IN ({})", ids):
            vehicles[str(vid)] = (vid, cid)
        ros = list({c["ro_number"] for _, c in batch})
        existing: dict[str, dict] = {}
        cur = None
        for i in range(0, len(ros), SQL_CHUNK):
            part = ros[i:i + SQL_CHUNK]
            cur = conn.execute(f"SELECT * FROM visits WHERE ro_number IN ({','.join('?' * len(part))})", part)
            names = [d[0] for d in cur.description]
            for row in cur:
                existing[row[names.index("ro_number")]] = dict(zip(names, row))
        inserts = []
        for rownum, c in batch:
            hit = vehicles.get(c["vin"])
            if hit is None:
                self._reject(rownum, "vin", c["vin"], "no vehicle with this VIN/plate in the archive "
                                                      "(import the customer sheet first)")
                continue
            ro = c["ro_number"]
            if ro in self.seen:
                self.summary.duplicates += 1
                continue
            self.seen.add(ro)
            old = existing.get(ro)
            if old is None:
                row = {"ro_number": ro, "vehicle_id": hit[0], "customer_id": hit[1], "date_in": c["date_in"],
                       "date_out": c.get("date_out"), "type": c.get("type") or "maintenance",
                       "advisor": c.get("advisor"), "mileage": c.get("mileage"), "amount": c.get("amount"),
                       "items": c.get("items"), "status": "closed" if c.get("date_out") else "open"}
                inserts.append(row)
                self.summary.inserted += 1
                self.report.change(rownum, "insert", "visit", ro)
                if row["status"] == "closed":
                    self.closed.append(ro)
                continue
            changes = {f: c[f] for f in UPDATE_FIELDS if c.get(f) is not None and c[f] != old.get(f)}
            if c.get("date_out") and old["status"] != "closed":
                changes["status"] = "closed"
            if not changes:
                self.summary.unchanged += 1
                continue
            self.summary.updated += 1
            self.report.change(rownum, "update", "visit", ro, sorted(changes))
            self.ids.append(old["id"])
            if changes.get("status") == "closed":
                self.closed.append(ro)
            changes["updated_at"] = self.tx.now
            conn.execute(f"UPDATE visits SET {', '.join(f'{k} = ?' for k in changes)} WHERE id = ?",
                         (*changes.values(), old["id"]))
        if inserts:
            now = self.tx.now
            cols = VISIT_COLUMNS + ("created_at", "updated_at")
            first = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM visits").fetchone()[0]
            conn.executemany(f"INSERT INTO visits (id, {', '.join(cols)}) VALUES (?, {', '.join('?' * len(cols))})",
                             [(first + i, *[r[k] for k in VISIT_COLUMNS], now, now) for i, r in enumerate(inserts)])
            self.ids.extend(range(first, first + len(inserts)))


def import_visits(app, table: Table, **options) -> tuple[Summary, Report]:
    return VisitImport(app, table, **options).run()
