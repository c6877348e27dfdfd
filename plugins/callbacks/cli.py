"""``crm callbacks ...``: thin typer commands over the plugin's modules."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from crm.api import Format, FormatOption, current, emit, emit_record, new_app
from crm.errors import BadInput

app = new_app("Callbacks (回访): plan the calls, work the queue, record results, hand in records and reports.")


def _day(value: str | None, what: str) -> dt.date | None:
    if value is None:
        return None
    from crm.api import Invalid, parse_date

    try:
        return parse_date(value)
    except Invalid:
        raise BadInput(f"{what} {value!r} is not a date like 2026-11-20") from None


@app.command()
def plan(
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="Plan as on this day (default today)")] = None,
    explain: Annotated[bool, typer.Option("--explain", help="Show per customer which rule made or skipped a task and why")] = False,
    full: Annotated[bool, typer.Option("--full", help="Ignore the watermarks: look back over the whole lookback period")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Work it out, change nothing")] = False,
    format: FormatOption = "table",
) -> None:
    """Create today's callback tasks from the rules (run daily by cron; idempotent, incremental)."""
    from .planner import run_plan

    crm = current()
    day = _day(as_of, "--as-of") or crm.today()
    stats, notes = run_plan(crm, day, full=full, dry_run=dry_run, explain=explain)
    _warn_unknown_holidays(crm, day, record=not dry_run)
    if explain:
        from crm.api import QuietHours

        if format == Format.table:
            windows = ", ".join(f"{a:%H:%M}–{b:%H:%M}" for a, b in QuietHours.from_config(crm.config).windows())
            typer.echo(f"plan as of {day.isoformat()}{' (dry run)' if dry_run else ''}; calls are offered only "
                       f"{windows} (quiet hours outside)")
        emit(notes, format, columns=["customer_id", "customer", "rule", "decision", "task_id", "why"],
             empty_message="nothing new to consider (watermarks are up to date; --full looks back again)")
        return
    if format != Format.table:
        emit_record(stats, format)
    elif sys.stderr.isatty() or dry_run:
        crm.info(", ".join(f"{k} {v}" for k, v in stats.items()))


#: how far ahead the daily plan checks that the holidays are known (weeks of notice before
#: a year that chinesecalendar and the config do not cover: its call days would be guesses)
CALENDAR_LOOKAHEAD_DAYS = 45


def _warn_unknown_holidays(crm, day, *, record: bool) -> None:
    """Warn about unknown holidays once a day (cron runs the plan often; one warning is enough)."""
    import datetime as dt

    from .store import read_state, write_state

    message = crm.calendar.warning(day, day + dt.timedelta(days=CALENDAR_LOOKAHEAD_DAYS))
    if not message:
        return
    today = crm.today().isoformat()
    if read_state(crm.store.conn).get("calendar_warned_on") == today:
        return
    crm.warn(message)
    if record:
        with crm.transaction() as tx:
            write_state(tx.conn, {"calendar_warned_on": today}, tx.now)


@app.command()
def due(
    me: Annotated[bool, typer.Option("--me", help="Only my calls")] = False,
    staff: Annotated[Optional[str], typer.Option(help="Only this specialist's calls")] = None,
    date: Annotated[Optional[str], typer.Option("--date", help="The day (default today)")] = None,
    limit: Annotated[Optional[int], typer.Option(min=1, help="At most this many")] = None,
    format: FormatOption = "table",
) -> None:
    """The calls to make: overdue first, then members, then by due date."""
    from .queue import COLUMNS, due_rows, quiet_now

    crm = current()
    day = _day(date, "--date") or crm.today()
    if me:
        if not crm.actor.is_staff:
            raise BadInput("--me needs to know who you are: use --as CODE or CRM_USER")
        staff = crm.actor.code
    now = None
    if day == crm.today():
        quiet, opens = quiet_now(crm)
        if quiet:
            crm.echo_err(f"quiet hours (休息时间): no calls now; the next calling window opens "
                         f"{opens:%Y-%m-%d %H:%M}")
            emit([], format, columns=COLUMNS)
            return
        now = crm.now()
    rows = [crm.mask(r) for r in due_rows(crm, day, staff=staff, now=now, limit=limit)]
    emit(rows, format, columns=COLUMNS if format == Format.table else None, empty_message="(no calls due)")


@app.command()
def show(task_id: Annotated[str, typer.Argument(metavar="ID")], format: FormatOption = "table") -> None:
    """One callback task with its calls."""
    from .reports import task_page

    crm = current()
    page = task_page(crm, task_id)
    if format in (Format.json, Format.jsonl):
        emit_record(page, format)
        return
    emit_record({k: v for k, v in page.items() if k != "calls"}, format)
    if format == Format.table:
        typer.echo("\nCalls")
        emit(page["calls"], format, empty_message="  (none)")


@app.command()
def record(
    task_id: Annotated[str, typer.Argument(metavar="ID", help="Callback task id (from 'crm callbacks due')")],
    result: Annotated[Optional[str], typer.Option(help="satisfied, neutral, dissatisfied, unreachable, or call_back "
                                                      "(the customer asked to be called back at --at)")] = None,
    score: Annotated[Optional[int], typer.Option(help="Satisfaction 0–10")] = None,
    aspect: Annotated[Optional[list[str]], typer.Option(help="What the customer was unhappy with (repeatable): "
                                                         "reception, repair_quality, waiting_time, price, "
                                                         "cleanliness, explanation, parts, appointment, other")] = None,
    note: Annotated[Optional[str], typer.Option(help="What the customer said")] = None,
    suggestion: Annotated[Optional[str], typer.Option(help="The customer's suggestion")] = None,
    at: Annotated[Optional[str], typer.Option("--at", help="When the call started (default now): the real time, "
                                                           "when recorded later; with --result call_back: when "
                                                           "to call back")] = None,
    length: Annotated[Optional[str], typer.Option("--length", help="How long the call took: 270 (seconds), 4:30, "
                                                                   "4m30s")] = None,
    book: Annotated[Optional[str], typer.Option(help="Book an appointment at this date and time")] = None,
    book_type: Annotated[str, typer.Option(help="Type of the booked visit")] = "maintenance",
    interactive: Annotated[bool, typer.Option("--interactive", "-i", help="Guided call script (default at a terminal when --result is missing)")] = False,
    format: FormatOption = "table",
) -> None:
    """Record the result of a call (options for scripts, a guided script for a person)."""
    from .recording import record_command

    out = record_command(current(), task_id, result=result, score=score, aspects=aspect or [], note=note,
                         suggestion=suggestion, at=at, length=length, book=book, book_type=book_type,
                         interactive=interactive or (result is None and sys.stdin.isatty()))
    emit_record(out, format)
    if out.get("result") == "dissatisfied" and out.get("call_id"):
        # 整改项: who acts and by when is the manager's call, so crm proposes, not decides (docs/callbacks.md)
        current().info(f"整改: crm action add --from callback:{out.get('task_id', task_id)}:{out['call_id']}"
                       " --dept DEPT --owner CODE --due YYYY-MM-DD")


@app.command("export-queue")
def export_queue(
    file: Annotated[Path, typer.Argument(help="The .xlsx to write")],
    me: Annotated[bool, typer.Option("--me", help="Only my calls")] = False,
    staff: Annotated[Optional[str], typer.Option(help="Only this specialist's calls")] = None,
    date: Annotated[Optional[str], typer.Option("--date", help="The day (default today)")] = None,
) -> None:
    """Write the queue to an XLSX for calling offline; fill it in and import-results it."""
    from .xlsx import export_queue as run

    crm = current()
    if me:
        if not crm.actor.is_staff:
            raise BadInput("--me needs to know who you are: use --as CODE or CRM_USER")
        staff = crm.actor.code
    count = run(crm, file, day=_day(date, "--date") or crm.today(), staff=staff)
    crm.info(f"{count} calls written to {file}")


@app.command("import-results")
def import_results(
    file: Annotated[Path, typer.Argument(help="A filled-in sheet from export-queue")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check every row, change nothing")] = False,
    skip_invalid: Annotated[bool, typer.Option("--skip-invalid", help="Import the good rows even if some are bad (exit 3)")] = False,
    format: FormatOption = "table",
) -> None:
    """Import call results from a filled-in queue sheet: all or nothing, every bad row reported."""
    from .xlsx import import_results as run

    run(current(), file, dry_run=dry_run, skip_invalid=skip_invalid, format=format)


@app.command()
def sheet(
    period: Annotated[str, typer.Option(help="2026-11, 2026, 2026-11-01..2026-11-15 or a day")],
    out: Annotated[Path, typer.Option("--out", help="FILE.xlsx or FILE.csv")],
    staff: Annotated[Optional[str], typer.Option(help="Only this specialist's calls")] = None,
) -> None:
    """The callback record sheet (回访记录表): one row a call, Chinese headers."""
    from .reports import write_sheet

    crm = current()
    count = write_sheet(crm, period, out, staff=staff)
    crm.info(f"{count} calls written to {out}")


@app.command()
def summary(
    period: Annotated[str, typer.Option(help="2026-11, 2026, 2026-11-01..2026-11-15 or a day")],
    format: FormatOption = "table",
) -> None:
    """The callback summary report (回访总结报告) for a period."""
    from .reports import summary as build

    crm = current()
    sections = build(crm, period)
    if format in (Format.json, Format.jsonl):
        emit_record({s["key"]: {"title": s["title"], "figures": s.get("figures", []), "rows": s["rows"]}
                     for s in sections}, format)
        return
    for i, section in enumerate(sections):
        typer.echo(("\n" if i else "") + section["title"])
        if section.get("figures"):
            emit([{"指标": f["name"], "数值": f["value"], "单位": f.get("unit") or ""} for f in section["figures"]],
                 format)
        if section["rows"]:
            emit(section["rows"], format, columns=section.get("columns"))
        elif not section.get("figures"):
            typer.echo("  (none)")


@app.command("rules")
def rules_(format: FormatOption = "table") -> None:
    """The callback rules in force (built-in and from plugins), with their settings."""
    from .rules import load_rules
    from .settings import load

    crm = current()
    rows = [{"name": r.name, "title": r.title, "enabled": r.enabled, "window_days": r.window_days,
             "expire_days": r.expire_days, "source": r.source,
             "options": {k: v for k, v in r.options.items() if k not in ("enabled", "window_days", "expire_days")}}
            for r in load_rules(crm, load(crm.config))]
    emit(rows, format)
