"""crm report kpi | daily | weekly | monthly"""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from ..context import current
from ..errors import BadInput
from ._common import FormatOption, new_app

app = new_app(
    "Reports and KPIs (日报/周报/月报/考核): the department and each specialist, any period, "
    "with the previous period and the same period last year.")

Period = Annotated[Optional[str], typer.Option(
    "--period", "-p", metavar="PERIOD",
    help="2026-11-20 | 2026-W47 | 2026-11 | 2026-Q4 | 2026 | 2026-11-01..2026-11-15 | this | last "
         "(default: the current day/week/month, to date)")]
Staff = Annotated[Optional[str], typer.Option("--staff", metavar="CODE", help="Only this staff member")]
Me = Annotated[bool, typer.Option("--me", help="Only me (--as / CRM_USER)")]
Out = Annotated[Optional[str], typer.Option("--out", "-o", metavar="FILE",
                                            help="Write FILE.xlsx (one sheet a section) or FILE.html")]
Details = Annotated[Optional[str], typer.Option(
    "--details", metavar="FIGURE", help="List the records behind a figure (its key, e.g. appointment_success_rate)")]
Limit = Annotated[int, typer.Option("--limit", help="At most this many records with --details (0: all)")]
Lang = Annotated[Optional[str], typer.Option(
    "--lang", metavar="LANG", help="zh_CN (中文) or en; default: the config's locale (zh_CN)")]


def check_lang(lang: str | None) -> str | None:
    if lang is not None and lang.replace("-", "_").lower() not in ("zh", "zh_cn", "en", "en_us", "en_gb"):
        raise BadInput(f"--lang {lang!r}: use zh_CN or en")
    return lang


def whose(crm, staff: str | None, me: bool) -> str | None:
    """The staff code of ``--staff CODE`` or ``--me`` (one of them at most), checked; None: everyone."""
    if staff and me:
        raise BadInput("--staff and --me: choose one")
    if me:
        if not crm.actor.is_staff:
            raise BadInput("--me: say who you are with --as CODE or CRM_USER")
        staff = crm.actor.code
    if staff and not crm.store.scalar("SELECT 1 FROM staff WHERE code = ?", (staff,)):
        raise BadInput(f"--staff {staff}: no such staff member (see 'crm staff list')")
    return staff


def _run(kind: str, period, staff, me, format, out, details, limit, lang=None) -> None:
    from ..reports import build, render

    crm = current()
    staff = whose(crm, staff, me)
    if out and details:
        raise BadInput("--out and --details: choose one")
    report = build.build(crm, kind, period, staff, check_lang(lang))
    if details:
        from ..reports import details as det

        figure = det.find(report, details)
        rows, cols = det.records(crm, report, figure, limit or None)
        render.write_details(rows, cols, figure, format, sys.stdout)
        return
    if out:
        from ..reports import files

        path = files.export(crm, report, out)
        crm.info(f"Wrote {path}")
        return
    render.write(report, format, sys.stdout, crm)


@app.command()
def kpi(period: Period = None, staff: Staff = None, me: Me = False, format: FormatOption = "table",
        out: Out = None, details: Details = None, limit: Limit = 1000, lang: Lang = None) -> None:
    """The KPI scorecard (考核): satisfaction, appointment success, callbacks, archive, complaints, leads."""
    _run("kpi", period, staff, me, format, out, details, limit, lang)


@app.command()
def daily(period: Period = None, staff: Staff = None, me: Me = False, format: FormatOption = "table",
          out: Out = None, details: Details = None, limit: Limit = 1000, lang: Lang = None) -> None:
    """The daily report (日报); with --me, the log of my own work today."""
    _run("daily", period, staff, me, format, out, details, limit, lang)


@app.command()
def weekly(period: Period = None, staff: Staff = None, me: Me = False, format: FormatOption = "table",
           out: Out = None, details: Details = None, limit: Limit = 1000, lang: Lang = None) -> None:
    """The weekly report (周报), ISO weeks Monday to Sunday."""
    _run("weekly", period, staff, me, format, out, details, limit, lang)


@app.command()
def monthly(period: Period = None, staff: Staff = None, me: Me = False, format: FormatOption = "table",
            out: Out = None, details: Details = None, limit: Limit = 1000, lang: Lang = None) -> None:
    """The monthly report (月报) a manager hands in."""
    _run("monthly", period, staff, me, format, out, details, limit, lang)


@app.command()
def form(name: Annotated[str, typer.Argument(metavar="NAME", help="The form: its name or Chinese title (see 'crm report forms')")],
         period: Period = None, staff: Staff = None, me: Me = False, format: FormatOption = "table",
         out: Out = None, lang: Lang = None) -> None:
    """One of the department's forms in its own layout (回访记录表, 回访总结报告, 顾客投诉登记表,
    顾客投诉分类统计表, 每日工作日志, 每周工作计划, 月度工作总结); --out FILE.xlsx or FILE.html."""
    from ..reports import files, forms, render

    crm = current()
    staff = whose(crm, staff, me)
    report = forms.build(crm, name, period, staff, check_lang(lang))
    if out:
        path = files.export(crm, report, out)
        crm.info(f"Wrote {path}")
        return
    render.write(report, format, sys.stdout, crm)


@app.command("forms")
def forms_(format: FormatOption = "table") -> None:
    """List the forms 'crm report form' writes (name, Chinese and English title, default period)."""
    from ..output import emit
    from ..reports import forms

    emit(forms.forms_list(current()), format, columns=["name", "title", "title_en", "period"], out=sys.stdout)


@app.command()
def sales(period: Period = None,
          by: Annotated[str, typer.Option("--by", help="consultant (销售顾问), model (车型) or month (月份)")] = "consultant",
          format: FormatOption = "table") -> None:
    """The sales report (编制销售报表): orders signed in the period by consultant, model or month,
    with amounts, deposits, deliveries, cancellations and slipped deliveries; a 合计 row."""
    from ..archive import orders
    from ..output import emit
    from ..reports import periods

    crm = current()
    crm.require("report.sales")
    p = periods.parse(period, "monthly", crm.today())
    rows = orders.sales_report(crm.store, p.start, p.end, by, crm.today())
    if format == "table":
        typer.echo(f"销售报表 {p.label} (按{orders.SALES_BY[by]})")
        headers = dict(orders.SALES_HEADERS, label=orders.SALES_BY[by])
        emit(rows, format, columns=orders.SALES_COLUMNS[1:], headers=headers, empty_message="(no orders signed)")
    else:
        emit(rows, format, columns=orders.SALES_COLUMNS)
