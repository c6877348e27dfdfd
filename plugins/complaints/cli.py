"""`crm complaints ...`: thin typer commands over service, views, escalation and reports."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from crm.api import FormatOption, current, emit, emit_record, new_app
from crm.errors import BadInput, NotFound

app = new_app("""Complaint tickets (投诉): the six-step closed loop.

\b
registered → accept|invalid → investigate → propose → approve (manager) → implement
→ confirm (customer) → summarize → close → follow-up (still unhappy → reopened).
  crm complaints open --customer 12 --channel phone --category repair_quality --description "..."
  crm complaints advance 3                 (the natural next step; e.g. accept)
  crm complaints advance 3 investigate --dept workshop --person 张师傅 --findings "..."
  crm complaints show 3 --explain          (timeline, deadlines and why)
""")

ID = Annotated[str, typer.Argument(metavar="ID", help="The complaint's id")]
Note = Annotated[Optional[str], typer.Option("--note", "-m", help="A note for the timeline")]
At = Annotated[Optional[str], typer.Option("--at", help="When it happened (default now), e.g. '2026-11-20 09:30'")]


def _done(tid: int, event: dict, fmt: str = "table") -> None:
    from . import views

    if fmt != "table":
        emit_record({"id": tid, "step": event["action"], "state": event["to_state"], "at": event["at"]}, fmt)
        return
    typer.echo(f"complaint {tid}: {event['action']} → {event['to_state']}"
               + (f" ({views.describe_data(event['action'], event['data'])})" if event["data"] else ""))


def _step(ticket_id: str, action: str, fields: dict, note=None, at=None) -> None:
    from . import service

    crm = current()
    with crm.transaction() as tx:
        event = service.transition(tx, ticket_id, action, fields, note=note, at=at)
    _done(event["ticket_id"], event)


# ------------------------------------------------------------------------- open
def _find_customer(tx, customer, phone, vin, plate, name) -> tuple[int | None, int | None, str | None, str | None]:
    """(customer_id, vehicle_id, vin, plate) from whichever the user gave."""
    from crm.api import add_customer, get_customer, normalize_mobile

    st = tx.store
    vehicle = None
    if vin:
        vehicle = st.query_one("SELECT id, vin, plate, customer_id FROM vehicles WHERE vin = ?", (vin.strip().upper(),))
        if vehicle is None:
            raise NotFound(f"no vehicle with VIN {vin} (add it: crm vehicle add)")
    elif plate:
        key = plate.replace(" ", "").upper()
        vehicle = st.query_one("SELECT id, vin, plate, customer_id FROM vehicles WHERE replace(upper(plate), ' ', '') = ?",
                               (key,))
        if vehicle is None:
            raise NotFound(f"no vehicle with plate {plate}")
    customer_id = None
    if customer is not None:
        customer_id = get_customer(st, customer)["id"]
    elif phone:
        mobile = normalize_mobile(phone)
        customer_id = st.scalar("SELECT customer_id FROM customer_phones WHERE phone = ? ORDER BY customer_id LIMIT 1",
                                (mobile,))
        if customer_id is None:
            if not name:
                raise NotFound(f"no customer with phone {phone}; add --name to register the complainant as a new customer")
            customer_id = add_customer(tx, {"name": name, "mobile": mobile, "source": "complaint"})["id"]
    elif vehicle is not None:
        customer_id = vehicle["customer_id"]
    elif name:
        customer_id = add_customer(tx, {"name": name, "source": "complaint"})["id"]
    else:
        raise BadInput("who is complaining? give --customer ID, --phone, --vin, --plate or --name")
    if vehicle is None and customer_id is not None:
        cars = st.query("SELECT id, vin, plate FROM vehicles WHERE customer_id = ?", (customer_id,))
        if len(cars) == 1:
            vehicle = cars[0]
    if vehicle is not None:
        return customer_id, vehicle["id"], vehicle["vin"], vehicle["plate"]
    return customer_id, None, None, None


@app.command("open")
def open_(
    description: Annotated[str, typer.Option("--description", "-d", help="What happened, in the customer's words")],
    channel: Annotated[str, typer.Option(help="walk_in, phone, hotline_400, app, regulator_12315, social_media, callback, other")],
    category: Annotated[str, typer.Option(help="repair_quality, service_attitude, sales_promise, parts_delay, pricing, product_quality, waiting_time, other")],
    severity: Annotated[str, typer.Option(help="normal, urgent or critical")] = "normal",
    customer: Annotated[Optional[int], typer.Option(help="The customer's id")] = None,
    phone: Annotated[Optional[str], typer.Option(help="Find the customer by phone (with --name: create if new)")] = None,
    vin: Annotated[Optional[str], typer.Option(help="The vehicle (and its owner) by VIN")] = None,
    plate: Annotated[Optional[str], typer.Option(help="The vehicle (and its owner) by plate")] = None,
    name: Annotated[Optional[str], typer.Option(help="The complainant's name (if not the customer on file)")] = None,
    promised: Annotated[Optional[str], typer.Option(help="Resolution time told to the customer (default: the resolve deadline)")] = None,
    handler: Annotated[Optional[str], typer.Option(help="Staff code handling it (default: you)")] = None,
    at: At = None,
    note: Note = None,
    format: FormatOption = "table",
) -> None:
    """Register a complaint (受理, step 1): who, when, channel, what, vehicle, category, severity."""
    from . import service, store, timings, views
    from .settings import load

    crm = current()
    with crm.transaction() as tx:
        customer_id, vehicle_id, vin_, plate_ = _find_customer(tx, customer, phone, vin, plate, name)
        if handler and not tx.store.scalar("SELECT 1 FROM staff WHERE code = ? AND active = 1", (handler,)):
            raise NotFound(f"no active staff member {handler!r}")
        tid = service.open_ticket(tx, {
            "customer_id": customer_id, "vehicle_id": vehicle_id, "vin": vin_, "plate": plate_,
            "complainant": name, "channel": channel, "category": category, "severity": severity,
            "description": description, "received_at": at, "promised_at": promised, "handler": handler,
            "note": note,
        })
        ticket = store.get_ticket(tx.store, tid)
        t = timings.compute(store.events_of(tx.store, tid), load(crm), crm.now(), crm.tz, crm.calendar)
    row = {"id": tid, "state": "registered", "respond_due": views._short(t["respond_due"]),
           "resolve_due": views._short(t["resolve_due"]), "promised_at": ticket["promised_at"],
           "repeat_of": ticket["repeat_of"], "customer_id": customer_id}
    if format != "table":
        emit_record(row, format)
        return
    typer.echo(f"complaint {tid} registered: respond by {row['respond_due']}, resolve by {row['resolve_due']}"
               + (f"; REPEAT complaint (previous #{ticket['repeat_of']})" if ticket["repeat_of"] else ""))


# ------------------------------------------------------------------------- read
@app.command("show")
def show(
    ticket_id: ID,
    explain: Annotated[bool, typer.Option("--explain", help="Explain every deadline and duration")] = False,
    format: FormatOption = "table",
) -> None:
    """The ticket and its full timeline (every step with actor, time, note and details)."""
    from . import store, timings, views
    from .settings import load

    crm = current()
    ticket = store.get_ticket(crm.store, ticket_id)
    events = store.events_of(crm.store, ticket["id"])
    t = timings.compute(events, load(crm), crm.now(), crm.tz, crm.calendar)
    record = views.ticket_record(crm, ticket, t)
    line = views.timeline(events)
    if format != "table":
        payload = {"ticket": record, "timings": t, "timeline": [dict(r, data=e["data"]) for r, e in zip(line, events)]}
        if format == "jsonl":
            emit([payload], format)
        elif format == "csv":
            emit(line, format)
        else:
            emit_record(payload, format)
        return
    emit_record({k: v for k, v in record.items() if v not in (None, "")})
    typer.echo("\nTimeline")
    typer.echo(views.timeline_text(line))
    if explain:
        typer.echo("\nTimings")
        for text in t["explain"]:
            typer.echo(f"  {text}")


@app.command("list")
def list_(
    state: Annotated[Optional[list[str]], typer.Option(help="Only these states (repeatable)")] = None,
    severity: Annotated[Optional[str], typer.Option()] = None,
    channel: Annotated[Optional[str], typer.Option()] = None,
    category: Annotated[Optional[str], typer.Option()] = None,
    dept: Annotated[Optional[str], typer.Option(help="Responsible department")] = None,
    customer: Annotated[Optional[int], typer.Option(help="The customer's id")] = None,
    handler: Annotated[Optional[str], typer.Option(help="Staff code handling the ticket ('me' = you)")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only tickets past a deadline")] = False,
    all_: Annotated[bool, typer.Option("--all", "-a", help="Include closed and invalid tickets")] = False,
    format: FormatOption = "table",
) -> None:
    """List tickets (open ones unless --all or --state), most urgent first."""
    from . import views

    crm = current()
    if handler == "me":
        handler = crm.actor.code
    rows = views.rows_for_list(crm, overdue_only=overdue, states=state, include_done=all_, severity=severity,
                               channel=channel, category=category, dept=dept, customer=customer, handler=handler)
    emit(rows, format, columns=views.LIST_COLUMNS, empty_message="(no complaints)")


@app.command("overdue")
def overdue(format: FormatOption = "table") -> None:
    """Open tickets past their respond or resolve deadline, the most overdue first."""
    from . import views

    emit(views.rows_for_list(current(), overdue_only=True), format, columns=views.LIST_COLUMNS,
         empty_message="(nothing overdue)")


# ------------------------------------------------------------------------- steps
STEP_HELP = """Move a ticket to its next step (default: the natural next one).

\b
STEP and its options:
  accept       valid complaint (step 2)            [--promised]
  invalid      invalid: closed                      --reason --reply
  investigate  step 3                               --dept [--person] [--findings]
  propose      step 4                               --solution [--compensation]
  approve      manager only                         [--note]
  decline      manager: back to investigating       --note
  implement    step 5                               --actions [--penalty] [--feedback]
                                                    [--confirmed-by --confirmed-via --confirmed-at]
  confirm      the customer's confirmation          --via [--by] [--confirmed-at] [--feedback]
  summarize    step 6                               --root-cause --lessons [--category]
  close        needs the customer's confirmation    [--note]
"""


@app.command("advance", help=STEP_HELP)
def advance(
    ticket_id: ID,
    step: Annotated[Optional[str], typer.Argument(help="accept, invalid, investigate, propose, approve, decline, implement, confirm, summarize, close")] = None,
    reason: Annotated[Optional[str], typer.Option(help="invalid: why the complaint does not stand")] = None,
    reply: Annotated[Optional[str], typer.Option(help="invalid: the polite reply given to the customer")] = None,
    promised: Annotated[Optional[str], typer.Option(help="accept: resolution time told to the customer")] = None,
    dept: Annotated[Optional[str], typer.Option(help="investigate: responsible department")] = None,
    person: Annotated[Optional[str], typer.Option(help="investigate: responsible person")] = None,
    findings: Annotated[Optional[str], typer.Option(help="investigate: what the investigation found")] = None,
    solution: Annotated[Optional[str], typer.Option(help="propose: the proposed solution")] = None,
    compensation: Annotated[Optional[str], typer.Option(help="propose: compensation offered")] = None,
    actions: Annotated[Optional[str], typer.Option(help="implement: actions taken")] = None,
    penalty: Annotated[Optional[str], typer.Option(help="implement: penalty for the responsible party")] = None,
    feedback: Annotated[Optional[str], typer.Option(help="implement/confirm: the customer's feedback")] = None,
    confirmed_by: Annotated[Optional[str], typer.Option(help="implement: who confirmed")] = None,
    confirmed_via: Annotated[Optional[str], typer.Option(help="implement: phone, signature, wechat, sms, in_person, email")] = None,
    confirmed_at: Annotated[Optional[str], typer.Option(help="implement/confirm: when the customer confirmed")] = None,
    by: Annotated[Optional[str], typer.Option(help="confirm: who confirmed (default: the complainant)")] = None,
    via: Annotated[Optional[str], typer.Option(help="confirm: phone, signature, wechat, sms, in_person, email")] = None,
    root_cause: Annotated[Optional[str], typer.Option(help="summarize: the root cause")] = None,
    category: Annotated[Optional[str], typer.Option(help="summarize: the final category")] = None,
    lessons: Annotated[Optional[str], typer.Option(help="summarize: lessons and improvements")] = None,
    note: Note = None,
    at: At = None,
) -> None:
    from . import machine, store

    crm = current()
    if step is None:
        ticket = store.get_ticket(crm.store, ticket_id)
        step = machine.NEXT_STEP.get(ticket["state"])
        if step is None:
            raise BadInput(f"complaint {ticket['id']} is {ticket['state']}: no next step (reopen it to continue)")
    step = step.replace("-", "_")
    if step not in ("accept", "invalid", "investigate", "propose", "approve", "decline", "implement", "confirm",
                    "summarize", "close"):
        hint = {"follow_up": "use 'crm complaints follow-up'", "reopen": "use 'crm complaints reopen'",
                "pause": "use 'crm complaints pause'", "resume": "use 'crm complaints resume'"}.get(step)
        raise BadInput(f"unknown step {step!r}" + (f": {hint}" if hint else
                       "; steps: accept, invalid, investigate, propose, approve, decline, implement, confirm, summarize, close"))
    fields = {k: v for k, v in dict(
        reason=reason, reply=reply, promised_at=promised, dept=dept, person=person, findings=findings,
        solution=solution, compensation=compensation, actions=actions, penalty=penalty, feedback=feedback,
        confirmed_by=confirmed_by, confirmed_via=confirmed_via, confirmed_at=confirmed_at, by=by, via=via,
        root_cause=root_cause, category=category, lessons=lessons).items() if v is not None}
    _step(ticket_id, step, fields, note, at)


@app.command("approve")
def approve(ticket_id: ID, note: Note = None, at: At = None) -> None:
    """Approve the proposed solution (manager only; 主管领导批示)."""
    _step(ticket_id, "approve", {}, note, at)


@app.command("decline")
def decline(ticket_id: ID, note: Annotated[str, typer.Option("--note", "-m", help="Why, and what to change")],
            at: At = None) -> None:
    """Send the proposed solution back to investigating (manager only)."""
    _step(ticket_id, "decline", {}, note, at)


@app.command("close")
def close(
    ticket_id: ID,
    invalid: Annotated[bool, typer.Option("--invalid", help="Close as invalid (from registered): needs --reason and --reply")] = False,
    reason: Annotated[Optional[str], typer.Option(help="--invalid: why the complaint does not stand")] = None,
    reply: Annotated[Optional[str], typer.Option(help="--invalid: the polite reply given to the customer")] = None,
    note: Note = None,
    at: At = None,
) -> None:
    """Close a summarized ticket (needs the customer's confirmation), or close it as invalid."""
    if invalid:
        _step(ticket_id, "invalid", {"reason": reason, "reply": reply}, note, at)
    else:
        if reason or reply:
            raise BadInput("--reason and --reply go with --invalid")
        _step(ticket_id, "close", {}, note, at)


@app.command("reopen")
def reopen(ticket_id: ID,
           note: Annotated[str, typer.Option("--note", "--reason", "-m", help="Why it is reopened")],
           at: At = None) -> None:
    """Reopen a closed or invalid ticket (the customer is still unhappy)."""
    _step(ticket_id, "reopen", {}, note, at)


@app.command("follow-up")
def follow_up(
    ticket_id: ID,
    result: Annotated[str, typer.Option(help="satisfied, neutral, unsatisfied (reopens the ticket) or unreachable")],
    note: Note = None,
    at: At = None,
) -> None:
    """Record the follow-up call after closing; still unhappy → the ticket is reopened."""
    from . import service, vocab

    crm = current()
    with crm.transaction() as tx:
        event = service.transition(tx, ticket_id, "follow_up", {"result": result}, note=note, at=at)
        _done(event["ticket_id"], event)
        if vocab.code(result, vocab.FOLLOWUP_RESULTS, "result") == "unsatisfied":
            again = service.transition(tx, ticket_id, "reopen", {}, note="结案回访仍不满意 (still unhappy at the follow-up)",
                                       at=at)
            _done(again["ticket_id"], again)


@app.command("pause")
def pause(ticket_id: ID,
          reason: Annotated[str, typer.Option(help="customer, parts, manufacturer or other")],
          note: Note = None, at: At = None) -> None:
    """Stop the dealer's clock while waiting on the customer or parts (never the manufacturer's)."""
    _step(ticket_id, "pause", {"reason": reason}, note, at)


@app.command("resume")
def resume(ticket_id: ID, note: Note = None, at: At = None) -> None:
    """Restart the dealer's clock."""
    _step(ticket_id, "resume", {}, note, at)


@app.command("assign")
def assign(ticket_id: ID, to: Annotated[str, typer.Option("--to", help="Staff code, or 'me'")], note: Note = None) -> None:
    """Give the ticket to a handler."""
    _step(ticket_id, "assign", {"to": to}, note)


@app.command("note")
def note_(ticket_id: ID, text: Annotated[str, typer.Argument(metavar="TEXT")], at: At = None) -> None:
    """Add a note to the timeline (no state change)."""
    _step(ticket_id, "note", {}, text, at)


# ------------------------------------------------------------------------- cron
@app.command("escalate")
def escalate(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would be escalated; change nothing")] = False,
    format: Annotated[Optional[str], typer.Option("--format", "-f", help="table, json, jsonl or csv (default: quiet)")] = None,
) -> None:
    """Escalate overdue tickets up the ladder (cron; idempotent; quiet on success)."""
    from . import escalation

    crm = current()
    if dry_run:
        rows = escalation.plan(crm)
    else:
        with crm.transaction() as tx:
            rows = escalation.run(tx)
    if format:
        emit(rows, format, columns=["id", "from_level", "level", "to", "overdue", "overdue_hours", "due", "handler"],
             empty_message="(nothing to escalate)")
    elif dry_run or crm.verbose:
        emit(rows, "table", columns=["id", "from_level", "level", "to", "overdue", "overdue_hours", "due", "handler"],
             empty_message="(nothing to escalate)")


# ------------------------------------------------------------------------- stats
@app.command("stats")
def stats(
    period: Annotated[str, typer.Option(help="2026-11, 2026-Q4, 2026 or 2026-11-01..2026-11-15")],
    by: Annotated[str, typer.Option(help="category, dept, channel or severity")] = "category",
    out: Annotated[Optional[str], typer.Option("--out", "-o", help="Also write the 顾客投诉分类统计表 as XLSX")] = None,
    format: FormatOption = "table",
) -> None:
    """The classification statistics (顾客投诉分类统计表) of the complaints received in a period."""
    from . import reports

    crm = current()
    start, end, label = reports.parse_period(period)
    pairs = reports.period_pairs(crm, start, end)
    rows, total = reports.stats(crm, start, end, by, pairs)
    if out:
        from . import xlsx

        with crm.transaction() as tx:
            path = xlsx.write(out, rows=rows, total=total, by=by, period_label=label,
                              dealer=crm.config.get("dealer_name") or crm.config.dealer_code,
                              made_by=crm.actor.name, made_at=tx.now[:16].replace("T", " "), pairs=pairs)
            tx.audit("export", "complaint_stats", [k["id"] for k, _ in pairs],
                     detail={"period": period, "by": by, "file": path.name})
        crm.info(f"wrote {path}")
    shown = rows + [total] if rows else []
    if format == "table":
        emit(reports.for_table(shown), format, columns=reports.STAT_COLUMNS[1:], headers=reports.HEADERS,
             empty_message=f"(no complaints received in {label})")
    else:
        emit(shown, format, columns=reports.STAT_COLUMNS)
