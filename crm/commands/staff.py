"""crm staff add | list | edit"""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from ..archive import staff as staff_archive
from ..context import current
from ..identity import ROLES
from ..output import emit
from ._common import FormatOption, new_app

app = new_app("Staff of the department and their roles (" + ", ".join(ROLES) + ").")


@app.command()
def add(
    code: Annotated[str, typer.Argument(help="Login handle, e.g. wangfang")],
    name: Annotated[str, typer.Option(help="Full name, e.g. 王芳")],
    role: Annotated[str, typer.Option(help="One of: " + ", ".join(ROLES))],
    level: Annotated[int, typer.Option(help="Seniority 1–5 (weights assignment)")] = 1,
    capacity: Annotated[int, typer.Option(help="Calls a day this person can make")] = 40,
) -> None:
    """Add a staff member."""
    crm = current()
    with crm.transaction() as tx:
        row = staff_archive.add_staff(tx, {"code": code, "name": name, "role": role,
                                           "level": level, "daily_capacity": capacity})
    crm.info(f"Added {row['name']} ({row['code']}, {row['role']})")


@app.command("list")
def list_(
    role: Annotated[Optional[str], typer.Option(help="Only this role")] = None,
    active: Annotated[bool, typer.Option("--active", help="Only active staff")] = False,
    format: FormatOption = "table",
) -> None:
    """List staff members."""
    emit(staff_archive.list_staff(current().store, role=role, active_only=active), format)


@app.command()
def edit(
    code: Annotated[str, typer.Argument(help="Staff code")],
    name: Annotated[Optional[str], typer.Option()] = None,
    role: Annotated[Optional[str], typer.Option()] = None,
    level: Annotated[Optional[int], typer.Option()] = None,
    capacity: Annotated[Optional[int], typer.Option()] = None,
    active: Annotated[Optional[bool], typer.Option("--active/--inactive")] = None,
) -> None:
    """Change a staff member's name, role, level, capacity or active flag."""
    crm = current()
    with crm.transaction() as tx:
        row = staff_archive.edit_staff(tx, code, {"name": name, "role": role, "level": level,
                                                  "daily_capacity": capacity, "active": active})
    crm.info(f"Updated {row['code']}")
