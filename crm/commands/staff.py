"""crm staff add | list | edit"""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from ..archive import staff as staff_archive
from ..context import current
from ..errors import BadInput
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
    crm.require("staff.add")
    crm.require_role_grant(role.strip().lower())
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
    crm.require("staff.edit")
    if active is False:
        crm.require("staff.deactivate")
    target = staff_archive.get_staff(crm.store, code)
    crm.require_role_grant(target["role"])
    if role:
        crm.require_role_grant(role.strip().lower())
    with crm.transaction() as tx:
        row = staff_archive.edit_staff(tx, code, {"name": name, "role": role, "level": level,
                                                  "daily_capacity": capacity, "active": active})
    crm.info(f"Updated {row['code']}")


@app.command()
def pin(
    code: Annotated[str, typer.Argument(help="Staff code (your own, or anyone's for the manager/IT)")],
    clear: Annotated[bool, typer.Option("--clear", help="Remove the PIN (the person cannot log in until a new one)")] = False,
) -> None:
    """Set a staff member's PIN (asked twice, never shown); ends their open sessions.

    The first PIN set turns login on for everyone: from then on --as/CRM_USER name
    nobody without a session (see docs/privacy.md).
    """
    from ..login import hash_pin

    crm = current()
    target = staff_archive.get_staff(crm.store, code)
    if crm.actor.staff_id != target["id"]:
        crm.require("staff.pin")
        crm.require_role_grant(target["role"])
    digest = None
    if not clear:
        first = typer.prompt(f"New PIN for {target['code']}", hide_input=True, err=True)
        again = typer.prompt("Again", hide_input=True, err=True)
        if first != again:
            raise BadInput("the two PINs differ; nothing changed")
        digest = hash_pin(first)
    with crm.transaction() as tx:
        tx.conn.execute("UPDATE staff SET pin_hash = ?, updated_at = ? WHERE id = ?", (digest, tx.now, target["id"]))
        tx.conn.execute("DELETE FROM staff_sessions WHERE staff_id = ?", (target["id"],))
        tx.audit("pin-cleared" if clear else "pin-set", "staff", [target["id"]])
    crm.info(f"{'Cleared' if clear else 'Set'} the PIN of {target['code']}")
