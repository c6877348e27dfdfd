"""crm action add | list | show | start | done | verify | reject — corrective actions (整改项)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from ..archive import actions
from ..context import current
from ..output import emit, emit_record
from ._common import FormatOption, new_app

app = new_app("""Corrective actions (整改项): a problem found by a callback, a survey or a complaint,
given to a department with an owner, a due date and a status.

\b
  crm action add --from callback:6 --dept workshop --owner sunwei --due 2026-11-30
  crm action add --from complaint:3 --dept sales --owner xiaowang --due 2026-12-05 --problem "交车说明不清"
  crm action list --overdue                 (due date passed, not done)
  crm action start 4 ; crm action done 4 --note "增开快修工位"
  crm action verify 4 --note "回访确认"     (the manager; reject 4 --note ... sends it back)
open → in_progress → done → verified. The owner sees their items on 'crm today'; overdue
ones go to the top of it and to the manager's list of overdue items; the monthly report
lists them (问题整改项).  Raising needs action.raise, verifying action.verify
(docs/privacy.md).
""")
Str = Optional[str]
ActionId = Annotated[int, typer.Argument(metavar="ID", help="The corrective action's id")]


@app.command()
def add(
    dept: Annotated[str, typer.Option("--dept", help="The department that acts: sales, service, workshop, parts, "
                                                     "customer_relations, finance, other (or 销售部, 售后服务部…)")],
    owner: Annotated[str, typer.Option("--owner", help="The staff code of the person who sees it through")],
    due: Annotated[str, typer.Option("--due", help="Due date (YYYY-MM-DD)")],
    from_: Annotated[Str, typer.Option("--from", metavar="KIND:ID",
                                       help="Where the problem was found: callback:ID[:CALL], complaint:ID, survey:ID")] = None,
    problem: Annotated[Str, typer.Option("--problem", help="The problem (default: what the source record says)")] = None,
    customer: Annotated[Optional[int], typer.Option("--customer", help="Customer id (default: the source's)")] = None,
    format: FormatOption = "table",
) -> None:
    """Raise a corrective action; prints its id."""
    crm = current()
    crm.require("action.raise")
    source = actions.parse_ref(from_) if from_ else None
    with crm.transaction() as tx:
        action_id = actions.add_action(tx, dept=dept, owner=owner, due_on=due, problem=problem, source=source,
                                       customer_id=customer)
    if format == "table":
        typer.echo(action_id)
    else:
        emit_record(actions.get_action(crm.store, action_id), format)


@app.command("list")
def list_(
    owner: Annotated[Str, typer.Option("--owner", help="Only this owner's (staff code)")] = None,
    me: Annotated[bool, typer.Option("--me", help="Only mine")] = False,
    status: Annotated[Str, typer.Option("--status", help="open, in_progress, done or verified")] = None,
    dept: Annotated[Str, typer.Option("--dept", help="Only this department's")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only the overdue: due date passed, not done")] = False,
    format: FormatOption = "table",
) -> None:
    """Corrective actions, earliest due first (overdue_days: days past the due date)."""
    from ..errors import BadInput

    crm = current()
    crm.require("action.read")
    if me:
        if owner or not crm.actor.is_staff:
            raise BadInput("--me: say who you are with --as CODE or CRM_USER (and leave out --owner)")
        owner = crm.actor.code
    rows = actions.list_actions(crm.store, crm.today(), owner=owner, status=status, overdue=overdue, dept=dept)
    emit(rows, format, columns=actions.COLUMNS, empty_message="(no corrective actions)")


@app.command()
def show(action_id: ActionId, format: FormatOption = "table") -> None:
    """One corrective action with its whole record."""
    crm = current()
    crm.require("action.read")
    row = actions.get_action(crm.store, action_id)
    row = {**row, "status": f"{row['status']} ({actions.STATUSES[row['status']]})"}
    emit_record({k: v for k, v in row.items() if v is not None or format != "table"}, format)


def _move(action_id: int, step: str, note: str | None) -> None:
    crm = current()
    with crm.transaction() as tx:
        row = actions.move(tx, action_id, step, note)
    crm.info(f"corrective action {action_id}: {row['status']} ({actions.STATUSES[row['status']]})")


@app.command()
def start(action_id: ActionId, note: Annotated[Str, typer.Option("--note", "-m")] = None) -> None:
    """The owner starts on it (open → in_progress)."""
    _move(action_id, "start", note)


@app.command()
def done(action_id: ActionId, note: Annotated[str, typer.Option("--note", "-m", help="What was done")]) -> None:
    """The owner says what was done (→ done; the manager verifies it)."""
    _move(action_id, "done", note)


@app.command()
def verify(action_id: ActionId, note: Annotated[Str, typer.Option("--note", "-m")] = None) -> None:
    """The manager confirms the problem is solved (done → verified; action.verify)."""
    current().require("action.verify")
    _move(action_id, "verify", note)


@app.command()
def reject(action_id: ActionId, note: Annotated[str, typer.Option("--note", "-m", help="Why it is sent back")]) -> None:
    """The manager sends it back to its owner (done → in_progress; action.verify)."""
    current().require("action.verify")
    _move(action_id, "reject", note)
