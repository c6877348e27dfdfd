"""crm today: the day's to-do list (今日待办), or the manager's view of everyone's load."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Optional

import typer

from ..context import current
from ..errors import BadInput
from ..output import Format, emit, json_default
from ._common import FormatOption, new_app

COLUMNS = ["n", "priority", "due", "kind", "title", "customer_id", "ref"]
LOAD_COLUMNS = ["staff", "name", "role", "items", "overdue", "capacity", "load"]

_app = new_app("What to do today.")


@_app.command()
def today(
    me: Annotated[bool, typer.Option("--me", help="Only my items (--as / CRM_USER)")] = False,
    staff: Annotated[Optional[str], typer.Option("--staff", metavar="CODE", help="Only this staff member's items")] = None,
    all_: Annotated[bool, typer.Option("--all", help="The manager's view: everyone's load and what is overdue")] = False,
    day: Annotated[Optional[str], typer.Option("--day", metavar="DATE", help="Another day (ISO date)")] = None,
    format: FormatOption = "table",
) -> None:
    """What to do today, most urgent first: overdue and due callbacks, complaint deadlines,
    appointments to confirm, first contacts and leads near their deadline, birthdays and card
    renewals, event replies to chase.  A manager (or --all) sees each specialist's load."""
    import datetime as dt

    from ..reports import agenda

    crm = current()
    if sum(map(bool, (me, staff, all_))) > 1:
        raise BadInput("--me, --staff and --all: choose one")
    now = crm.now()
    the_day = now.date()
    if day:
        from ..values import Invalid
        from ..values.dates import parse_date

        try:
            the_day = parse_date(day)
        except Invalid:
            raise BadInput(f"--day {day!r}: use an ISO date like 2026-11-20") from None
    if me:
        if not crm.actor.is_staff:
            raise BadInput("--me: say who you are with --as CODE or CRM_USER")
        staff = crm.actor.code
    if staff and not crm.store.scalar("SELECT 1 FROM staff WHERE code = ?", (staff,)):
        raise BadInput(f"--staff {staff}: no such staff member (see 'crm staff list')")
    manager = all_ or (not staff and crm.permissions.allows(crm.actor.role, "agenda.department"))
    fmt = Format(format)
    if manager:
        view = agenda.manager_view(crm, the_day, now)
        view["overdue"] = [crm.mask(i) for i in view["overdue"]]
        if fmt is Format.json:
            sys.stdout.write(json.dumps(view, ensure_ascii=False, default=json_default, indent=2) + "\n")
            return
        if fmt is not Format.table:
            emit(view["load"], fmt, columns=LOAD_COLUMNS)
            return
        sys.stdout.write(f"{the_day}: {view['items']} items in the department, {len(view['overdue'])} overdue\n\n")
        emit(view["load"], fmt, columns=LOAD_COLUMNS, empty_message="(no specialists)")
        sys.stdout.write("\nOverdue\n")
        emit(view["overdue"], fmt, columns=COLUMNS, empty_message="(nothing overdue)")
        return
    items = [crm.mask(i) for i in agenda.gather(crm, the_day, staff, now)]
    emit(items, fmt, columns=COLUMNS + (["overdue", "source"] if fmt is not Format.table else []),
         empty_message=f"Nothing to do on {the_day}.")


command = typer.main.get_command(_app)
