"""crm login CODE | crm logout"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from ..context import current
from ..errors import BadInput, PermissionDenied

MAX_HOURS = 12.0
LOCKOUT_AFTER = 5  # wrong PINs within LOCKOUT_WINDOW lock the login
LOCKOUT_WINDOW = dt.timedelta(minutes=15)
SERVICE_MAX_HOURS = 24 * 366.0


def login(
    code: Annotated[str, typer.Argument(help="Your staff code")],
    hours: Annotated[float, typer.Option(help="Session length in hours (at most 12; 'it' staff up to a year, "
                                              "for cron with CRM_SESSION_FILE)")] = 0,
) -> None:
    """Log in with your PIN: later commands act as you until the session expires."""
    from ..archive.staff import get_staff
    from ..login import check_pin, check_session_target, expiry, new_token, token_hash, write_session

    crm = current()
    store = crm.store
    row = get_staff(store, code.strip().lower())
    if not row["active"]:
        raise PermissionDenied(f"staff member '{row['code']}' is not active")
    if not row.get("pin_hash"):
        raise PermissionDenied(f"'{row['code']}' has no PIN yet: the manager or IT sets one with "
                               f"'crm staff pin {row['code']}'")
    default = float(crm.config.get("identity.session_hours", 8))
    hours = hours or default
    limit = SERVICE_MAX_HOURS if crm.permissions.allows(row["role"], "long-session") else MAX_HOURS
    if not 0 < hours <= limit:
        raise BadInput(f"--hours {hours:g}: a {row['role']} session lasts at most {limit:g} hours")
    since = (crm.now() - LOCKOUT_WINDOW).isoformat(timespec="seconds")
    failures = store.scalar("SELECT count(*) FROM audit_log WHERE action = 'login-failed' AND entity = 'staff'"
                            " AND record_ids = ? AND at >= ?", (f"[{row['id']}]", since))
    if failures >= LOCKOUT_AFTER:
        raise PermissionDenied(f"'{row['code']}': {failures} wrong PINs in the last 15 minutes; wait, or ask the "
                               "manager or IT to set a new PIN")
    check_session_target(crm.session_file)  # a bad CRM_SESSION_FILE: refused before anything is recorded
    pin = typer.prompt(f"PIN for {row['code']}", hide_input=True, err=True)
    if not check_pin(pin, row["pin_hash"]):
        from ..identity import os_actor

        crm.__dict__["actor"] = os_actor()
        with crm.transaction() as tx:
            tx.audit("login-failed", "staff", [row["id"]])
        raise PermissionDenied(f"wrong PIN for '{row['code']}'")
    token = new_token()
    now = crm.now()
    until = expiry(now, hours)
    crm.__dict__["actor"] = _as(row)
    with crm.transaction() as tx:
        tx.conn.execute("DELETE FROM staff_sessions WHERE expires_at <= ?", (now.isoformat(timespec="seconds"),))
        tx.conn.execute("INSERT INTO staff_sessions (token_hash, staff_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
                        (token_hash(token), row["id"], tx.now, until))
        tx.audit("login", "staff", [row["id"]], detail={"until": until})
    write_session(crm.session_file, token, row["code"], until)
    crm.info(f"Logged in as {row['code']} ({row['role']}) until {until}")


def logout() -> None:
    """End your session (the session file and its record are removed)."""
    from ..login import read_session, token_hash

    crm = current()
    session = read_session(crm.session_file)
    if session:
        with crm.transaction() as tx:
            tx.conn.execute("DELETE FROM staff_sessions WHERE token_hash = ?", (token_hash(session["token"]),))
            tx.audit("logout", "staff")
        crm.session_file.unlink(missing_ok=True)
    crm.info("Logged out")


def _command(fn):
    from ._common import new_app

    one = new_app(fn.__doc__)
    one.command()(fn)
    return typer.main.get_command(one)


login_command = _command(login)
logout_command = _command(logout)


def _as(row):
    from ..identity import Actor

    return Actor(code=row["code"], name=row["name"], role=row["role"], staff_id=row["id"])
