"""crm worklog add | plan | done | submit | show — the specialist's own written work (issue 16).

What the specialist writes next to the figures crm generates: the daily log's notes
(每日工作日志), the weekly plan's goals (每周工作计划, submitted to the manager and compared
with what was done) and the month's problems and next month's plan (月度工作总结). The
forms (``crm report form daily-log|weekly-plan|monthly-summary``) print them.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Optional

import typer

from ..context import current
from ..errors import BadInput
from ..output import emit
from ._common import FormatOption, new_app

app = new_app("Your written work: daily notes, the weekly plan, the month's problems (工作日志/周计划).")
Str = Optional[str]
COLUMNS = ["id", "staff", "day", "kind", "text", "target", "done", "submitted_at"]


def _me(crm) -> str:
    if not crm.actor.is_staff:
        raise BadInput("worklog: say who you are with --as CODE or CRM_USER")
    return crm.actor.code


def _day(crm, text: str | None) -> dt.date:
    from ..reports import periods

    return periods.parse(text, "daily", crm.today()).start if text else crm.today()


def _week(crm, text: str | None) -> dt.date:
    from ..reports import periods

    return periods.parse(text or "this", "weekly", crm.today()).start


@app.command()
def add(
    text: Annotated[str, typer.Argument(help="What you did, noticed or plan")],
    date: Annotated[Str, typer.Option("--date", help="The day (default today)")] = None,
    kind: Annotated[str, typer.Option(help="note (daily log), problem (a problem of the month and how it was "
                                           "resolved), plan (next month's plan)")] = "note",
) -> None:
    """Write an entry of your work log; prints its id."""
    crm = current()
    if kind == "goal":
        raise BadInput("a goal of the week: use 'crm worklog plan'")
    from ..reports import notes

    with crm.transaction() as tx:
        typer.echo(notes.add(tx, staff=_me(crm), day=_day(crm, date), kind=kind, text=text))


@app.command()
def plan(
    goal: Annotated[str, typer.Argument(help="A goal of the week (本周工作目标)")],
    week: Annotated[Str, typer.Option(help="The week: this (default), next, 2026-W48")] = None,
    target: Annotated[Str, typer.Option(help="What counts as done, e.g. '120 calls'")] = None,
) -> None:
    """Add a goal to your weekly work plan (每周工作计划); prints its id."""
    crm = current()
    from ..reports import notes

    with crm.transaction() as tx:
        typer.echo(notes.add(tx, staff=_me(crm), day=_week(crm, week), kind="goal", text=goal, target=target))


@app.command()
def done(
    entry: Annotated[int, typer.Argument(help="The entry (a goal) id")],
    result: Annotated[str, typer.Option("--result", help="What was done, e.g. '118 calls'")],
) -> None:
    """Say what was done of a goal (compared with its target in the weekly plan)."""
    crm = current()
    from ..reports import notes

    with crm.transaction() as tx:
        notes.mark_done(tx, entry, result, _me(crm))


@app.command()
def submit(week: Annotated[Str, typer.Option(help="The week: this (default), next, 2026-W48")] = None) -> None:
    """Submit the week's plan to the manager."""
    crm = current()
    from ..reports import notes

    with crm.transaction() as tx:
        n = notes.submit(tx, _me(crm), _week(crm, week))
    crm.info(f"{n} goal(s) submitted")


@app.command()
def show(
    period: Annotated[Str, typer.Option(help="today (default), 2026-11-20, 2026-W48, 2026-11")] = None,
    me: Annotated[bool, typer.Option("--me", help="Only mine")] = False,
    staff: Annotated[Str, typer.Option(help="Only this staff member's")] = None,
    kind: Annotated[Str, typer.Option(help="note, goal, problem or plan")] = None,
    format: FormatOption = "table",
) -> None:
    """The written entries of a period (goals of the weeks in it included)."""
    from ..reports import notes, periods

    crm = current()
    if me and staff:
        raise BadInput("--me and --staff: choose one")
    if me:
        staff = _me(crm)
    p = periods.parse(period or "today", "daily", crm.today())
    lo = p.start - dt.timedelta(days=p.start.weekday())  # a goal is kept on its week's Monday
    rows = [r for r in notes.entries(crm, lo, p.end, staff=staff, kind=kind)
            if r["kind"] == "goal" or r["day"] >= p.start.isoformat()]
    emit(rows, format, columns=COLUMNS)
