"""crm event create | update | show | list | invite | rsvp | remind | checkin | invitees | report | ics"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from crm.api import FormatOption, current, emit, emit_record, new_app
from crm.errors import BadInput, NotFound

from . import events

app = new_app("Events (活动): create, invite a segment, replies, waitlist, reminders, check-in, results.")


def _flush(crm) -> None:
    from .outbox import flush_quietly

    flush_quietly(crm)


@app.command()
def create(
    title: Annotated[str, typer.Option(help="e.g. 春季植树活动")],
    start: Annotated[str, typer.Option(help="Start, YYYY-MM-DD HH:MM (dealer's time zone)")],
    place: Annotated[str, typer.Option(help="Where, e.g. 展厅 or an address")],
    end: Annotated[Optional[str], typer.Option(help="End, YYYY-MM-DD HH:MM (default start + 3 h)")] = None,
    capacity: Annotated[Optional[int], typer.Option(help="Seats; further accepts go to the waitlist")] = None,
    kind: Annotated[str, typer.Option(help="launch, clinic, activity, ... (free text)")] = "event",
    description: Annotated[Optional[str], typer.Option()] = None,
    template: Annotated[Optional[str], typer.Option(help="Invitation template name or .j2 path")] = None,
) -> None:
    """Create an event and print its id."""
    crm = current()
    crm.require("event.create")
    with crm.transaction() as tx:
        event = events.create_event(tx, title=title, start=start, end=end, place=place, capacity=capacity,
                                    kind=kind, description=description, template=template)
    typer.echo(event["id"])


@app.command()
def update(
    event_id: Annotated[int, typer.Argument(metavar="ID")],
    title: Annotated[Optional[str], typer.Option()] = None,
    start: Annotated[Optional[str], typer.Option()] = None,
    end: Annotated[Optional[str], typer.Option()] = None,
    place: Annotated[Optional[str], typer.Option()] = None,
    capacity: Annotated[Optional[int], typer.Option(help="More seats promote the waitlist")] = None,
    template: Annotated[Optional[str], typer.Option()] = None,
    cancel: Annotated[bool, typer.Option("--cancel", help="Cancel the event")] = False,
) -> None:
    """Change an event (more capacity moves waitlisted customers up)."""
    crm = current()
    crm.require("event.create")
    with crm.transaction() as tx:
        event = events.get_event(tx.store, event_id)
        events.update_event(tx, event, {"title": title, "start": start, "end": end, "place": place,
                                        "capacity": capacity, "template": template, "cancel": cancel})
    _flush(crm)


@app.command()
def show(event_id: Annotated[int, typer.Argument(metavar="ID")], format: FormatOption = "table") -> None:
    """An event with its reply counts."""
    crm = current()
    event = events.get_event(crm.store, event_id)
    summary = events.report(crm, event)
    record = {**{k: event[k] for k in ("id", "title", "kind", "starts_at", "ends_at", "place", "capacity",
                                       "status", "description", "template", "oem_ref", "created_by")},
              **{k: summary[k] for k in ("invited", "pending", "accepted", "waitlisted", "maybe", "declined",
                                         "attended", "walk_ins", "no_shows")}}
    emit_record(record, format)


@app.command("list")
def list_(
    upcoming: Annotated[bool, typer.Option("--upcoming", help="Only events not over yet")] = False,
    past: Annotated[bool, typer.Option("--past", help="Only events that are over")] = False,
    all_: Annotated[bool, typer.Option("--all", help="Include cancelled events")] = False,
    format: FormatOption = "table",
) -> None:
    """Events in date order with invited/accepted/waitlisted/attended counts."""
    crm = current()
    now = crm.now().isoformat(timespec="minutes")
    rows = events.list_events(crm.store, upcoming_from=now if upcoming else None, past_before=now if past else None,
                              include_cancelled=all_)
    emit(rows, format, empty_message="(no events)")


@app.command()
def invite(
    event_id: Annotated[int, typer.Argument(metavar="ID")],
    segment: Annotated[str, typer.Option(help="Saved segment to invite")],
    channel: Annotated[str, typer.Option(help="sms, wechat, email, or phone (call tasks)")] = "sms",
    template: Annotated[Optional[str], typer.Option(help="Template name or .j2 path (default event_invite)")] = None,
    limit: Annotated[Optional[int], typer.Option(min=1, help="Invite at most this many new customers")] = None,
) -> None:
    """Invite a segment (safe to repeat from cron: nobody is invited twice).

    Customers the contact policy does not allow on the channel for marketing (no consent,
    do-not-contact, no address: docs/privacy.md) are left out, each reason counted; phone
    invitations become call tasks; messages outside quiet hours are held.
    """
    crm = current()
    crm.require("event.invite")
    with crm.transaction() as tx:
        from .messages import release_due

        release_due(tx)
        counts = events.invite(tx, events.get_event(tx.store, event_id), segment, channel, template, limit)
    _flush(crm)
    left_out = counts.pop("left_out")
    if counts["invited"] or not crm.quiet:
        crm.info(", ".join(f"{k} {v}" for k, v in counts.items() if v))
    for why, n in sorted(left_out.items()):  # the contact policy's reasons (docs/privacy.md)
        crm.info(f"left out {n}: {why}")


@app.command()
def rsvp(
    event_id: Annotated[int, typer.Argument(metavar="ID")],
    customer: Annotated[int, typer.Argument(metavar="CUSTOMER", help="Customer id")],
    reply: Annotated[str, typer.Argument(help="accepted, declined, maybe or pending")],
    note: Annotated[Optional[str], typer.Option()] = None,
) -> None:
    """Record a reply. Beyond capacity an accept goes to the waitlist; a decline frees a seat
    for the first waitlisted customer."""
    crm = current()
    with crm.transaction() as tx:
        result = events.rsvp(tx, events.get_event(tx.store, event_id), customer, reply, note)
    _flush(crm)
    typer.echo(result["reply"])
    for promoted in result["promoted"]:
        crm.info(f"customer {promoted} moved up from the waitlist")


@app.command()
def remind(
    event_id: Annotated[Optional[int], typer.Argument(metavar="[ID]", help="Default: every event starting "
                                                                           "within remind_days_before days")] = None,
) -> None:
    """Remind accepted/maybe invitees once (cron: without ID, for events starting soon)."""
    crm = current()
    crm.require("event.invite")
    from .common import settings
    from .messages import release_due

    with crm.transaction() as tx:
        release_due(tx)
        if event_id is not None:
            todo = [events.get_event(tx.store, event_id)]
            events._require_open(todo[0], tx.app.today(), "send reminders")
        else:
            todo = events.due_for_reminders(tx.store, tx.app.today(), int(settings(crm)["remind_days_before"]))
        total = sum(events.remind(tx, event)["reminded"] for event in todo)
    _flush(crm)
    if total:
        crm.info(f"reminded {total}")


@app.command()
def checkin(
    event_id: Annotated[int, typer.Argument(metavar="ID")],
    customer: Annotated[Optional[int], typer.Argument(metavar="[CUSTOMER]", help="Customer id")] = None,
    mobile: Annotated[Optional[str], typer.Option(help="Find the guest by mobile number instead")] = None,
    walk_in: Annotated[bool, typer.Option("--walk-in", help="Check in a guest who was not invited")] = False,
) -> None:
    """Check a guest in at the door."""
    crm = current()
    if customer is None:
        if not mobile:
            raise BadInput("give the customer id or --mobile")
        from crm.api import normalize_mobile

        found = crm.store.query("SELECT DISTINCT customer_id FROM customer_phones WHERE phone = ?",
                                (normalize_mobile(mobile),))
        if len(found) != 1:
            raise NotFound(f"{'no' if not found else 'more than one'} customer with mobile {mobile}")
        customer = found[0]["customer_id"]
    with crm.transaction() as tx:
        result = events.checkin(tx, events.get_event(tx.store, event_id), customer, walk_in)
    typer.echo(result)


@app.command()
def invitees(
    event_id: Annotated[int, typer.Argument(metavar="ID")],
    reply: Annotated[Optional[list[str]], typer.Option(
        "--reply", help="Only these replies (repeatable): accepted, waitlisted, maybe, pending, declined, "
                        "walk_in, attended, no_show")] = None,
    sort: Annotated[str, typer.Option(help="reply, name, replied_at, invited_at or customer")] = "reply",
    save_segment: Annotated[Optional[str], typer.Option(help="Save this reply group as a segment")] = None,
    format: FormatOption = "table",
) -> None:
    """Invitees, filtered and sorted by reply; --save-segment keeps the group for the next campaign."""
    crm = current()
    event = events.get_event(crm.store, event_id)
    from .segments import REPLIES

    for r in reply or []:
        if r not in REPLIES:
            raise BadInput(f"reply {r!r} is not one of {', '.join(REPLIES)}")
    rows = events.invitees(crm.store, event, reply, sort, now_iso=crm.now().isoformat(timespec="minutes"))
    if save_segment:
        from .segments import save_segment as save

        with crm.transaction() as tx:
            save(tx, save_segment, {"event": event["id"], "reply": reply or list(events.REPLY_ORDER)},
                 description=f"event {event['id']} {event['title']}: {', '.join(reply or ['all'])}", replace=True)
        crm.info(f"segment {save_segment} saved")
    emit([crm.mask(r) for r in rows], format, empty_message="(no invitees)",
         columns=("customer_id", "name", "mobile", "channel", "reply", "waitlist_position", "replied_at",
                  "reminded_at", "checked_in_at", "attended", "no_show", "note"))


@app.command()
def report(event_id: Annotated[int, typer.Argument(metavar="ID")], format: FormatOption = "table") -> None:
    """Results: invited, replies, attended, no-shows, and later visits/purchases of the guests."""
    crm = current()
    result = events.report(crm, events.get_event(crm.store, event_id))
    emit_record(result, format)


@app.command()
def ics(
    event_ids: Annotated[Optional[list[int]], typer.Argument(metavar="[ID]...", help="Default: upcoming events")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Write to this .ics file (else stdout)")] = None,
) -> None:
    """Export events as iCalendar (RFC 5545) for the staff's calendars."""
    crm = current()
    from .ics import calendar

    if event_ids:
        chosen = [events.get_event(crm.store, i) for i in event_ids]
    else:
        chosen = crm.store.query("SELECT * FROM campaigns_events WHERE ends_at >= ? ORDER BY starts_at",
                                 (crm.now().isoformat(timespec="minutes"),))
    known = {r["id"]: r for r in events.list_events(crm.store, include_cancelled=True)}
    counts = {e["id"]: known[e["id"]] for e in chosen}
    if out is not None:
        from crm.api import check_target

        check_target(out, (".ics",))  # before any work: never the database, a device or a folder
    text = calendar(chosen, now=crm.now(), domain=(crm.config.dealer_code or "crm").lower() + ".crm.local",
                    counts=counts)
    if out is None:
        typer.echo(text, nl=False)
        return
    from .common import write_private

    write_private(out, text.encode("utf-8"), (".ics",))
    crm.info(f"{out}: {len(chosen)} event(s)")
