"""``crm sync``: the manufacturer's dealer portal (thin: the work is in the modules)."""

from __future__ import annotations

import json
from typing import Annotated, List, Optional

import typer

from crm.api import Format, FormatOption, current, emit, json_default, new_app
from crm.errors import BadInput, CrmError, NeedsAttention

app = new_app("The manufacturer's dealer portal: sync, outbox, conflicts, leads.")

@app.command("run")
def run_cmd(
    stream: Annotated[Optional[List[str]], typer.Option("--stream", "-s", help="Only this stream (repeatable)")] = None,
    full: Annotated[bool, typer.Option("--full", help="Read the streams from the beginning (idempotent)")] = False,
    no_send: Annotated[bool, typer.Option("--no-send", help="Pull only; leave the outbox for later")] = False,
    verbose: Annotated[int, typer.Option("--verbose", "-v", count=True,
                                         help="-v: a one-line summary; -vv: every page and request")] = 0,
    format: FormatOption = "table",
) -> None:
    """Pull every stream, then send the outbox. Cron-safe: one run at a time (exit 75 if
    another runs), quiet on success, exit 3 when conflicts or parked answers wait."""
    from .lock import sync_lock
    from .sync import line, needs_attention, run

    app_ = current()
    verbose = max(verbose, app_.verbose)  # `crm -v sync run` = `crm sync run -v` (the root reads both)
    trace = app_.echo_err if verbose >= 2 else None
    with sync_lock(app_.db_path):
        try:
            summary = run(app_, streams=stream or None, full=full, send=not no_send, trace=trace)
        except CrmError as exc:
            summary = getattr(exc, "summary", None)
            if summary is None:
                raise
            if format == Format.json:
                typer.echo(json.dumps(summary, ensure_ascii=False, default=json_default))
            raise CrmError(line(summary), exit_code=exc.exit_code) from None
    if format == Format.json:
        typer.echo(json.dumps(summary, ensure_ascii=False, default=json_default))
    elif verbose:
        typer.echo(line(summary))
    if needs_attention(summary):
        raise NeedsAttention(line(summary) if not verbose and format != Format.json else
                             "items wait for a person (see the summary)")


@app.command("status")
def status_cmd(format: FormatOption = "table") -> None:
    """Per stream: bookmark, last run, counts, quarantine; then the outbox and conflicts."""
    from . import conflicts, outbox
    from .sync import status_rows

    app_ = current()
    rows = status_rows(app_)
    counts = outbox.counts(app_.store)
    extra = {"outbox_queued": counts["queued"], "outbox_parked": counts["parked"], "outbox_sent": counts["sent"],
             "conflicts_open": conflicts.open_count(app_.store)}
    if format == Format.json:
        typer.echo(json.dumps({"streams": rows, **extra}, ensure_ascii=False, indent=2, default=json_default))
        return
    emit(rows, format)
    if format == Format.table:
        typer.echo(f"outbox: {counts['queued']} queued, {counts['parked']} parked, {counts['sent']} sent; "
                   f"conflicts: {extra['conflicts_open']} open")


@app.command("outbox")
def outbox_cmd(
    send: Annotated[bool, typer.Option("--send", help="Send the queued answers now (no pull)")] = False,
    status: Annotated[Optional[str], typer.Option("--status", help="queued, parked, sent or cancelled "
                                                  "(default: queued and parked)")] = None,
    verbose: Annotated[int, typer.Option("--verbose", "-v", count=True)] = 0,
    format: FormatOption = "table",
) -> None:
    """List the answers waiting for the portal (and parked ones with their reason), or send them."""
    from . import outbox

    app_ = current()
    verbose = max(verbose, app_.verbose)
    if status and status not in ("queued", "parked", "sent", "cancelled"):
        raise BadInput(f"--status {status!r}: use queued, parked, sent or cancelled")
    if send:
        from .lock import sync_lock
        from .sync import line, needs_attention, run

        with sync_lock(app_.db_path):
            try:
                summary = run(app_, pull=False, trace=app_.echo_err if verbose >= 2 else None)
            except CrmError as exc:
                if getattr(exc, "summary", None) is None:
                    raise
                raise CrmError(line(exc.summary), exit_code=exc.exit_code) from None
        if verbose or format == Format.json:
            typer.echo(json.dumps(summary, ensure_ascii=False, default=json_default)
                       if format == Format.json else line(summary))
        if needs_attention(summary):
            raise NeedsAttention(line(summary))
        return
    emit(outbox.list_items(app_.store, status=status), format, empty_message="(the outbox is empty)")


@app.command("retry")
def retry_cmd(
    item: Annotated[Optional[int], typer.Argument(help="Outbox item id")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every parked item")] = False,
) -> None:
    """Put a parked answer (or all of them) back in the queue; the next run sends it."""
    from . import outbox

    if (item is None) == (not all_):
        raise BadInput("give an outbox item id or --all (not both)")
    app_ = current()
    with app_.transaction() as tx:
        n = outbox.requeue(tx, None if all_ else item)
    app_.info(f"{n} item(s) queued again")


@app.command("cancel")
def cancel_cmd(item: Annotated[int, typer.Argument(help="Outbox item id")]) -> None:
    """Never send this queued or parked answer (audit-logged)."""
    from . import outbox

    app_ = current()
    app_.require("portal.cancel")
    with app_.transaction() as tx:
        outbox.cancel(tx, item)
    app_.info(f"outbox item {item} cancelled")


@app.command("conflicts")
def conflicts_cmd(
    all_: Annotated[bool, typer.Option("--all", help="Resolved ones too")] = False,
    format: FormatOption = "table",
) -> None:
    """Fields changed both here and on the portal: both values, waiting for a person."""
    from . import conflicts

    app_ = current()
    rows = conflicts.list_conflicts(app_.store, all_=all_)
    if not app_.may_see_personal_data:
        from crm.api import mask_row

        for row in rows:
            if row["field"] in ("mobile",):
                for key in ("local", "portal", "base"):
                    row[key] = mask_row({"mobile": row[key]}).get("mobile") if row[key] else row[key]
    emit(rows, format, columns=["id", "entity", "entity_id", "field", "local", "portal", "base", "record_id",
                                "status", "created_at"], empty_message="(no conflicts)")


@app.command("resolve")
def resolve_cmd(
    conflict: Annotated[int, typer.Argument(help="Conflict id (crm sync conflicts)")],
    take: Annotated[str, typer.Option("--take", help="portal, local, or the value to keep")],
) -> None:
    """Settle a conflict: keep the portal's value, the local one, or a value you type."""
    from . import conflicts

    app_ = current()
    app_.require("portal.resolve")
    if not take.strip():
        raise BadInput("--take needs portal, local or a value")
    with app_.transaction() as tx:
        done = conflicts.resolve(tx, conflict, take.strip())
    app_.info(f"conflict {done['id']} resolved ({done['resolution']}: {done['entity']} {done['entity_id']} "
              f"{done['field']})")


@app.command("quarantine")
def quarantine_cmd(
    all_: Annotated[bool, typer.Option("--all", help="Resolved ones too")] = False,
    format: FormatOption = "table",
) -> None:
    """Portal records that could not be applied, with the reason (a newer valid version clears them)."""
    app_ = current()
    sql = "SELECT id, stream, record_id, version, reason, seen_at, resolved_at FROM portal_quarantine"
    rows = app_.store.query(sql + ("" if all_ else " WHERE resolved_at IS NULL") + " ORDER BY id")
    emit(rows, format, empty_message="(nothing quarantined)")


@app.command("leads")
def leads_cmd(
    due_soon: Annotated[bool, typer.Option("--due-soon", help="Only leads not yet contacted whose first-contact "
                                           "deadline is past or within --within hours")] = False,
    within: Annotated[float, typer.Option("--within", help="Hours ahead for --due-soon")] = 2.0,
    open_: Annotated[bool, typer.Option("--open", help="Only leads not yet contacted")] = False,
    format: FormatOption = "table",
) -> None:
    """Leads dispatched by the OEM, with the first-contact deadline (contact_due, China time)."""
    from .leads import list_leads

    app_ = current()
    rows = list_leads(app_, due_soon_hours=within if due_soon else None, open_only=open_)
    rows = [app_.mask(r) for r in rows]
    emit(rows, format, columns=["id", "state", "contact_due", "name", "phone", "city", "model_interest", "via",
                                "last_outcome", "customer_id"], empty_message="(no leads)")


@app.command("followup")
def followup_cmd(
    lead: Annotated[str, typer.Argument(help="Portal lead id (LEAD-…)")],
    outcome: Annotated[str, typer.Option("--outcome", help="reached, no_answer, invalid_number, not_interested, "
                                         "appointment, purchased")],
    note: Annotated[Optional[str], typer.Option("--note")] = None,
    next_contact_on: Annotated[Optional[str], typer.Option("--next-contact-on", help="YYYY-MM-DD")] = None,
    at: Annotated[Optional[str], typer.Option("--at", help="When you called (default now)")] = None,
) -> None:
    """Record a contact with a lead; the follow-up is queued for the portal (sent by the next run)."""
    from .leads import followup

    app_ = current()
    app_.require("portal.lead")
    contacted_at = app_.timestamp()
    if at:
        import datetime as dt

        try:
            moment = dt.datetime.fromisoformat(at)
        except ValueError:
            raise BadInput(f"--at {at!r} is not a date-time (YYYY-MM-DDTHH:MM)") from None
        contacted_at = (moment if moment.tzinfo else moment.replace(tzinfo=app_.tz)).isoformat(timespec="seconds")
    with app_.transaction() as tx:
        item = followup(tx, lead, outcome=outcome, note=note, next_contact_on=next_contact_on,
                        contacted_at=contacted_at)
    app_.info(f"follow-up of {lead} recorded; outbox item {item} queued")
