"""crm group load | report | person | rank: the group's warehouse (DuckDB or PostgreSQL, docs/group.md).

Imported by crm/commands/group.py, which owns the ``crm group`` sub-app; these commands join it.
They read no store database: the warehouse is their only data (``--warehouse`` or
``CRM_GROUP_WAREHOUSE``).
"""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..context import current
from ..errors import BadInput
from ..output import emit
from ._common import FormatOption
from .group import app

Warehouse = Annotated[str, typer.Option(
    "--warehouse", "-w", envvar="CRM_GROUP_WAREHOUSE", metavar="FILE|URL", show_envvar=False,
    help="The warehouse: a DuckDB file (group.duckdb) or postgresql://user@host/db (or CRM_GROUP_WAREHOUSE)")]
Month = Annotated[Optional[str], typer.Option("--month", "-m", metavar="YYYY-MM",
                                              help="The month (default: this month, to date)")]
StoreOpt = Annotated[Optional[str], typer.Option("--store", metavar="CODE", help="Only this store (dealer code)")]


class Kind(str, enum.Enum):
    kpi = "kpi"
    monthly = "monthly"


def _open(target: str, *, create: bool = False):
    from ..group.connect import open_warehouse

    return open_warehouse(target, create=create)


def _headers(meta) -> dict[str, str]:
    out = {"store": "门店", "scope": "范围", "month": "月份", "key": "代码", "figure": "指标", "unit": "单位",
           "value": "本期", "previous": "上期", "last_year": "去年同期", "rank": "名次"}
    for k, f in meta.items():
        out[k] = f.zh + ("(%)" if f.unit == "%" else "")
    return out


@app.command()
def load(dirs: Annotated[list[Path], typer.Argument(metavar="DIR...", help="Export directories, or folders of them")],
         warehouse: Warehouse,
         format: FormatOption = "table") -> None:
    """Load the stores' exports (crm group export) into the warehouse: every complete export directory,
    in bookmark order per store, in one transaction. Loading one twice changes nothing; an export that
    leaves a gap after what the warehouse holds of its store is refused (exit 2), unless it is full."""
    from ..group import warehouse as wh_mod

    crm = current()
    exports = wh_mod.find_exports(dirs)
    wh = _open(warehouse, create=True)
    try:
        summary = wh_mod.load(wh, exports, progress=crm.info if crm.verbose else (lambda m: None))
    finally:
        wh.close()
    _private(warehouse)
    rows = [{**e, "loaded": True} for e in summary["loaded"]] + [{**e, "loaded": False} for e in summary["skipped"]]
    emit(rows, format, columns=["store", "since", "bookmark", "full", "rows", "loaded", "why", "dir"],
         empty_message="(no export to load)")
    crm.info(f"{len(summary['loaded'])} export(s) loaded, {summary['rows']} rows; "
             f"{len(summary['skipped'])} already there")


def _private(target: str) -> None:
    """A DuckDB warehouse holds the stores' data: only its owner may read it (0600)."""
    from ..group.connect import is_postgres

    if not is_postgres(target):
        for p in (Path(target), Path(f"{target}.wal")):
            if p.exists():
                p.chmod(0o600)


@app.command()
def report(kind: Annotated[Kind, typer.Argument(help="kpi (one row a store) or monthly (a row a store and figure,"
                                                     " with the previous month and last year)")],
           warehouse: Warehouse, month: Month = None, store: StoreOpt = None,
           format: FormatOption = "table") -> None:
    """The core's report figures per store and for the group (集团合计), from the warehouse, with the
    stores' own definitions (docs/reports.md). Group counts are the stores' sums; group rates are
    computed again from the summed numerators and denominators."""
    from ..group import report as rep

    crm = current()
    wh = _open(warehouse)
    try:
        gf = rep.compute(wh, crm, month, store)
    finally:
        wh.close()
    if kind is Kind.kpi and format == "table":  # a figure a line, a store a column: it fits a terminal
        rows, cols = rep.kpi_table(gf)
        typer.echo(f"集团关键绩效指标 {gf.period.label}" + (" (截至今日)" if gf.period.to_date else ""))
        emit(rows, format, columns=cols, empty_message="(the warehouse holds no store yet)")
        return
    if kind is Kind.kpi:
        rows = rep.kpi_rows(gf)
        cols = ["store", "scope", "month", *gf.keys]
    else:
        rows = rep.monthly_rows(gf)
        cols = (["store", "figure", "value", "previous", "last_year", "unit"] if format == "table"
                else ["store", "scope", "month", "key", "figure", "unit", "value", "previous", "last_year"])
    if format in ("table", "csv"):
        rows = [{**r, "store": r["store"] or rep.GROUP} for r in rows]
    if format == "table":
        typer.echo(f"集团月报 {gf.period.label}" + (" (截至今日)" if gf.period.to_date else ""))
    emit(rows, format, columns=cols, headers=_headers(gf.meta) if format in ("table", "csv") else None,
         empty_message="(the warehouse holds no store yet)")


@app.command()
def rank(kpi: Annotated[str, typer.Argument(metavar="KPI", help="A figure's key, e.g. appointment_success_rate")],
         warehouse: Warehouse, month: Month = None, format: FormatOption = "table") -> None:
    """The stores ranked by one KPI, best first (higher is better, or lower for no-shows and the like)."""
    from ..group import report as rep

    crm = current()
    meta = rep.figure_meta(rep.collect(crm))
    if kpi not in meta:
        raise BadInput(f"KPI {kpi!r}: one of {', '.join(meta)}")
    wh = _open(warehouse)
    try:
        gf = rep.compute(wh, crm, month)
    finally:
        wh.close()
    rows = rep.rank_rows(gf, kpi)
    if format == "table":  # a rate as 40.0%, as in the KPI table
        rows = [{**r, "value": rep.shown(r["value"], gf.meta[kpi]), "unit": rep.unit_zh(r["unit"])} for r in rows]
    emit(rows, format, columns=["rank", "store", "figure", "value", "unit", "month"],
         headers=_headers(gf.meta) if format in ("table", "csv") else None,
         empty_message="(the warehouse holds no store yet)")


@app.command()
def person(phone_hash: Annotated[Optional[str], typer.Argument(metavar="HASH", help="The mobile's keyed hash")] = None,
           phone: Annotated[Optional[str], typer.Option("--phone", metavar="NUMBER",
                                                        help="A mobile number, hashed here with the group key")] = None,
           warehouse: Warehouse = "", format: FormatOption = "table") -> None:
    """One person across the stores (by the keyed hash of the mobile): each store's archive, visits and
    open complaints. --format json adds the visits and complaints themselves."""
    from ..group import report as rep

    crm = current()
    if bool(phone_hash) == bool(phone):
        raise BadInput("give the mobile's HASH or --phone NUMBER (one of them)")
    if phone:
        from ..group.pseudonym import PHONE, Hasher, load_key

        phone_hash = Hasher(load_key(crm.environ, crm.config)).hash(PHONE, phone)
        if not phone_hash:
            raise BadInput(f"--phone {phone!r}: not a phone number")
    elif not all(ch in "0123456789abcdef" for ch in phone_hash.lower()) or len(phone_hash) != 64:
        raise BadInput(f"HASH {phone_hash[:20]!r}: a keyed hash is 64 hex digits (or give --phone NUMBER)")
    wh = _open(warehouse)
    try:
        rows = rep.person(wh, phone_hash.lower())
    finally:
        wh.close()
    cols = ["store", "customer_id", "city", "created_at", "visits", "last_visit", "open_complaints"]
    if format in ("json", "jsonl"):
        cols += ["visit_list", "complaint_list"]
    emit(rows, format, columns=cols, empty_message="(no store knows this person)",
         headers={"store": "门店", "customer_id": "客户编号", "city": "城市", "created_at": "建档时间",
                  "visits": "进厂台次", "last_visit": "最近进厂", "open_complaints": "未结投诉"}
         if format in ("table", "csv") else None)
