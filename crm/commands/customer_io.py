"""crm customer import | export, crm visit import (attached to their groups by customer.py/visit.py)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from ..context import current
from ..errors import BadInput, NeedsAttention
from ..output import Format
from ._common import FormatOption

SHOWN = 30  # rejects / changes listed on the terminal; the rest are in --report

FileArg = Annotated[str, typer.Argument(metavar="FILE", help="CSV (UTF-8, BOM, GB18030/GBK), XLSX or XLS")]
SheetOpt = Annotated[Optional[str], typer.Option("--sheet", help="Sheet name or number (default: the first)")]
MapOpt = Annotated[Optional[list[str]], typer.Option(
    "--map", help="HEADER=field for a column the aliases do not know, e.g. --map 客户来源=source; "
                  "HEADER=- ignores a column (repeatable)")]
EncodingOpt = Annotated[Optional[str], typer.Option("--encoding", help="Text encoding of a CSV (default: sniffed)")]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Show what would change; write nothing")]
SkipOpt = Annotated[bool, typer.Option("--skip-invalid", help="Import the valid rows, report the rest (exit 3)")]
ReportOpt = Annotated[Optional[str], typer.Option("--report", metavar="FILE.csv",
                                                  help="Save the reject report (row, column, value, reason)")]


def _show(summary, report, fmt: Format) -> None:
    from ..output import emit, emit_record

    data = summary.as_dict()
    data["ignored_columns"] = ", ".join(data["ignored_columns"])
    if fmt == Format.json:
        import json

        typer.echo(json.dumps({"summary": summary.as_dict(), "rejects": report.rows(),
                               "changes": report.changes if summary.dry_run else []},
                              ensure_ascii=False, indent=2, default=str))
        return
    if fmt in (Format.jsonl, Format.csv):
        emit(report.rows(), fmt, columns=["row", "column", "field", "value", "reason"])
        current().info(" ".join(f"{k}={data[k]}" for k in ("rows_read", "inserted", "updated", "unchanged",
                                                             "duplicates", "rejected")))
        return
    emit_record({k: v for k, v in data.items() if v not in (None, "", [])})
    if summary.dry_run and report.changes:
        typer.echo("\nWould change (dry run, nothing written)")
        emit(report.changes[:SHOWN], Format.table)
        if len(report.changes) > SHOWN:
            typer.echo(f"  … and more ({summary.inserted} inserts, {summary.updated} updates in all)")
    if report.rejects:
        typer.echo("\nRejected rows")
        emit([r.as_dict() for r in report.rejects[:SHOWN]], Format.table, columns=["row", "column", "value", "reason"])
        if report.problems > SHOWN:
            typer.echo(f"  … {report.problems - SHOWN} more problems (save them all with --report FILE.csv)")


def _check_report(report_path: Optional[str]) -> None:
    """Refuse a bad --report path before anything is read or imported."""
    if report_path:
        from ..importing.writers import FORMATS
        from ..io.writers import check_target

        check_target(report_path, tuple(f".{f}" for f in FORMATS))


def _finish(summary, report, report_path: Optional[str], skip_invalid: bool, what: str) -> None:
    # the report was written by the import itself, before its commit (Report.save)
    if not report.rejected:
        return
    saved = f"; report in {report_path}" if report_path else ""
    if skip_invalid:
        raise NeedsAttention(f"{report.rejected} rows rejected, the valid rows "
                             f"{'would be' if summary.dry_run else 'were'} imported{saved}")
    raise BadInput(f"{report.rejected} invalid rows: nothing was imported{saved}"
                   f" (fix the file, or import the valid {what} with --skip-invalid)")


def import_customers(
    file: FileArg,
    sheet: SheetOpt = None,
    map: MapOpt = None,
    encoding: EncodingOpt = None,
    dry_run: DryRunOpt = False,
    skip_invalid: SkipOpt = False,
    report: ReportOpt = None,
    format: FormatOption = "table",
) -> None:
    """Import a dealer's customer sheet (customers, and their cars when the row has them).

    Headers may be Chinese or English (姓名/客户姓名/车主, 手机/联系电话, 车牌号, VIN/车架号,
    购车日期 …) and need not be in the first row.  Rows are matched to the archive by VIN,
    then mobile, then name + plate; known values are never blanked out.  All or nothing
    unless --skip-invalid; importing the same file twice changes nothing.
    """
    from ..importing.customers import KNOWN_FIELDS, import_customers as run
    from ..importing.source import open_table, parse_mapping

    crm = current()
    _check_report(report)
    crm.require("customer.import")
    table = open_table(file, known_fields=KNOWN_FIELDS, required_any=("name", "mobile", "vin"),
                       sheet=sheet, encoding=encoding, mapping=parse_mapping(map))
    summary, rep = run(crm, table, dry_run=dry_run, skip_invalid=skip_invalid, report_path=report)
    _show(summary, rep, Format(format))
    _finish(summary, rep, report, skip_invalid, "customers")


def import_visits(
    file: FileArg,
    sheet: SheetOpt = None,
    map: MapOpt = None,
    encoding: EncodingOpt = None,
    dry_run: DryRunOpt = False,
    skip_invalid: SkipOpt = False,
    report: ReportOpt = None,
    format: FormatOption = "table",
) -> None:
    """Import repair orders (工单): RO number, VIN or plate, dates in/out, type, advisor, mileage, amount.

    The vehicle must be in the archive (import the customer sheet first).  A known RO
    number is updated (never blanked); a visit with a date out is closed and fires
    on_visit_closed once.
    """
    from ..importing.source import open_table, parse_mapping
    from ..importing.visits import KNOWN_FIELDS, import_visits as run

    crm = current()
    _check_report(report)
    table = open_table(file, known_fields=KNOWN_FIELDS, required_any=("ro_number",),
                       sheet=sheet, encoding=encoding, mapping=parse_mapping(map))
    summary, rep = run(crm, table, dry_run=dry_run, skip_invalid=skip_invalid, report_path=report)
    _show(summary, rep, Format(format))
    _finish(summary, rep, report, skip_invalid, "visits")


def export_customers(
    file: Annotated[str, typer.Argument(metavar="FILE", help="FILE.csv, FILE.xlsx or FILE.json")],
    chinese_headers: Annotated[bool, typer.Option("--chinese-headers", help="姓名, 手机, 车牌号 … as headers")] = False,
    city: Annotated[Optional[str], typer.Option(help="Only customers in this city")] = None,
    specialist: Annotated[Optional[str], typer.Option(help="Staff code of the responsible specialist")] = None,
    tag: Annotated[Optional[str], typer.Option(help="Only customers with this tag")] = None,
    model: Annotated[Optional[str], typer.Option(help="Only owners of this model")] = None,
    classification: Annotated[Optional[str], typer.Option(help="VIP, A, B or C")] = None,
    masked: Annotated[Optional[bool], typer.Option(
        "--masked/--unmasked",
        help="Mask phones, e-mail, WeChat, address (default: masked, unless you are the manager or hold "
             "an approved 'crm export request customer' for these filters; --unmasked needs one of those)")] = None,
    limit: Annotated[Optional[int], typer.Option(min=1, help="At most this many customers")] = None,
) -> None:
    """Export customers (one row per car; customers without a car get one row) to CSV, XLSX or JSON.

    The file is written 0600 and atomically, spreadsheet formulas are neutralised, and the
    export is audit-logged.  The file can be imported again with 'crm customer import'.
    """
    from ..importing.export import export_customers as run

    crm = current()
    count, path, fmt, was_masked = run(crm, file, chinese_headers=chinese_headers, masked=masked, limit=limit,
                                       filters={"city": city, "specialist": specialist, "tag": tag, "model": model,
                                                "classification": classification})
    crm.info(f"exported {count} rows to {path} ({fmt}{', masked' if was_masked else ''})")
