"""crm appointment book | list | arrive | no-show | cancel | stats"""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from ..archive import appointments
from ..context import current
from ..output import Format, emit
from ._common import FormatOption, new_app

app = new_app("""Appointments (预约): book, arrive, no-show, cancel; slots; repair progress; the success rate.

\b
  crm appointment book --customer 12 --at "2026-11-23 09:30" --place 上门
  crm appointment slots --day 2026-11-23            (capacity per slot: [appointments] capacity)
  crm appointment progress 7 待料 -m "配件周五到"    (接车 维修中 待料 质检 可交车; tells the customer)
A booking in a full slot is refused (exit 2) with the next free slots.""")
Str = Optional[str]


@app.command()
def book(
    customer: Annotated[int, typer.Option(help="Customer id")],
    at: Annotated[str, typer.Option(help="When, e.g. '2026-11-23 09:30'")],
    type: Annotated[str, typer.Option(help="maintenance, repair, warranty, bodypaint, pdi")] = "maintenance",
    vehicle: Annotated[Str, typer.Option(help="Vehicle (id, VIN or plate)")] = None,
    staff: Annotated[Str, typer.Option(help="Advisor / specialist code (default: you)")] = None,
    note: Annotated[Str, typer.Option()] = None,
    source: Annotated[Str, typer.Option(help="phone, wechat, portal, walk-in …")] = None,
    place: Annotated[str, typer.Option(help="in_store (店内) or at_home (上门服务)")] = "in_store",
) -> None:
    """Book an appointment; prints its id.  A full slot is refused (exit 2) with the next free slots."""
    crm = current()
    with crm.transaction() as tx:
        row = appointments.book(tx, customer_id=customer, at=at, vehicle=vehicle, type=type, staff=staff,
                                note=note, source=source, place=place)
    typer.echo(row["id"])


@app.command()
def slots(
    day: Annotated[str, typer.Option("--day", help="The day (YYYY-MM-DD or 'today')")] = "today",
    format: FormatOption = "table",
) -> None:
    """The day's slots: capacity, booked and free places (config [appointments] capacity, hours)."""
    import datetime as dt

    from ..archive import slots as slot_rules
    from ..errors import BadInput

    crm = current()
    try:
        when = crm.today() if day == "today" else dt.date.fromisoformat(day)
    except ValueError:
        raise BadInput(f"--day {day!r} is not a date like 2026-11-23") from None
    emit(slot_rules.day_slots(crm, when), format, columns=["slot", "booked", "capacity", "free"],
         empty_message=f"{when} is not a working day")


@app.command()
def progress(
    appointment_id: Annotated[str, typer.Argument(metavar="ID")],
    state: Annotated[Str, typer.Argument(metavar="[STATE]", help="received (接车), in_repair (维修中), "
                                         "waiting_parts (待料), inspection (质检), ready (可交车)")] = None,
    note: Annotated[Str, typer.Option("--note", "-m")] = None,
    notify: Annotated[Optional[bool], typer.Option("--notify/--no-notify", help="Tell the customer (default: config appointments.notify_progress, on)")] = None,
    format: FormatOption = "table",
) -> None:
    """Record the car's repair progress (维修进度) and tell the customer; without STATE, show its history."""
    from ..archive import progress as prog

    crm = current()
    if state is None:
        row = appointments.get_appointment(crm.store, appointment_id)
        rows = [dict(r, label=prog.STATES[r["state"]]) for r in prog.history(crm.store, row["id"])]
        emit(rows, format, columns=["state", "label", "at", "staff", "note", "message_ref"],
             empty_message=f"appointment {row['id']}: no progress yet (start with 'received')")
        return
    crm.require("appointment.progress")
    with crm.transaction() as tx:
        row = prog.advance(tx, appointment_id, state, note=note, notify=notify)
    if format == Format.table:
        told = "customer told" if row["notified"] else "customer not told (no sender, --no-notify or no consent)"
        typer.echo(f"appointment {row['appointment_id']}: {row['state']} ({row['label']}) at {row['at'][11:16]}; {told}")
    else:
        from ..output import emit_record

        emit_record(row, format)


@app.command()
def confirm(appointment_id: Annotated[str, typer.Argument(metavar="ID")],
            channel: Annotated[str, typer.Option(help="phone, sms, wechat, visit or email")] = "phone",
            note: Annotated[Str, typer.Option()] = None) -> None:
    """The customer confirmed the appointment (the day-before call); it leaves today's agenda."""
    crm = current()
    with crm.transaction() as tx:
        appointments.confirm(tx, appointment_id, channel=channel, note=note)


@app.command()
def arrive(appointment_id: Annotated[str, typer.Argument(metavar="ID")]) -> None:
    """The customer came."""
    crm = current()
    with crm.transaction() as tx:
        appointments.arrive(tx, appointment_id)


@app.command("no-show")
def no_show(appointment_id: Annotated[str, typer.Argument(metavar="ID")],
            note: Annotated[Str, typer.Option()] = None) -> None:
    """The customer did not come."""
    crm = current()
    with crm.transaction() as tx:
        appointments.no_show(tx, appointment_id, note)


@app.command()
def cancel(appointment_id: Annotated[str, typer.Argument(metavar="ID")],
           reason: Annotated[Str, typer.Option()] = None) -> None:
    """Cancel a booked appointment."""
    crm = current()
    with crm.transaction() as tx:
        appointments.cancel(tx, appointment_id, reason)


def _period(crm, since, until, day):
    if day:
        import datetime as dt

        from ..errors import BadInput
        from ..values import Invalid
        from ..values.dates import parse_date

        try:
            start = parse_date(day) if day != "today" else crm.today()
        except Invalid:
            raise BadInput(f"--day {day!r}: use a date like 2026-11-20 (or today)") from None
        return start.isoformat(), (start + dt.timedelta(days=1)).isoformat()
    if since or until:
        return since or "0000", until or "9999"
    return None, None


@app.command("list")
def list_(
    day: Annotated[Str, typer.Option("--day", help="One day (YYYY-MM-DD or 'today')")] = None,
    since: Annotated[Str, typer.Option()] = None,
    until: Annotated[Str, typer.Option()] = None,
    status: Annotated[Str, typer.Option(help="booked, arrived, no_show, cancelled")] = None,
    staff: Annotated[Str, typer.Option()] = None,
    customer: Annotated[Optional[int], typer.Option()] = None,
    format: FormatOption = "table",
) -> None:
    """List appointments (with the success rate of the listed period on a terminal)."""
    crm = current()
    start, end = _period(crm, since, until, day)
    rows = appointments.list_appointments(crm.store, since=start, until=end, status=status, staff=staff,
                                          customer_id=customer)
    emit([crm.mask(r) for r in rows], format, empty_message="no appointments")
    if format == Format.table and rows and not status:
        figures = appointments.stats(crm.store, since=start or "0000", until=end or "9999",
                                     now=crm.now().isoformat(timespec="seconds")[:19])
        if figures:
            f = figures[0]
            rate = f"{f['success_rate']:.0%}" if f["success_rate"] is not None else "-"
            typer.echo(f"\n{f['booked']} booked, {f['arrived']} arrived, {f['no_show']} no-show, "
                       f"{f['cancelled']} cancelled, {f['upcoming']} upcoming; success rate {rate}")


@app.command()
def stats(
    since: Annotated[Str, typer.Option(help="Start date (default: this month)")] = None,
    until: Annotated[Str, typer.Option(help="End date, exclusive")] = None,
    by_staff: Annotated[bool, typer.Option("--by-staff", help="One row per staff member")] = False,
    format: FormatOption = "table",
) -> None:
    """Appointment success rate (预约成功率): arrived / appointments due (not cancelled)."""
    crm = current()
    start, end = appointments.default_period(crm.today())
    emit(appointments.stats(crm.store, since=since or start, until=until or end,
                            now=crm.now().isoformat(timespec="seconds")[:19], by_staff=by_staff), format,
         empty_message="no appointments in the period")
