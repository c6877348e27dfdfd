"""Who is acting (``--as STAFF`` / ``CRM_USER``), their role, and what they may see."""

from __future__ import annotations

import dataclasses
import getpass
from typing import Callable

from .errors import NotFound, PermissionDenied

ROLES = ("manager", "satisfaction", "appointment", "callback", "archive", "advisor", "it", "sales")

ROLE_TITLES = {
    "manager": "客户关系部经理",
    "satisfaction": "满意度专员",
    "appointment": "预约专员",
    "callback": "回访专员",
    "archive": "档案专员",
    "advisor": "服务顾问",
    "it": "IT",
}


@dataclasses.dataclass(frozen=True)
class Actor:
    """The person (or job) running the command."""

    code: str  # staff code, or "os:<login>" when nobody was named
    name: str
    role: str | None
    staff_id: int | None = None
    principal: str | None = None  # who logged in, when acting for ``code`` (``--as``)

    @property
    def is_staff(self) -> bool:
        return self.staff_id is not None


def os_actor() -> Actor:
    try:
        login = getpass.getuser()
    except Exception:  # no login name (some containers)
        login = "unknown"
    return Actor(code=f"os:{login}", name=login, role=None)


def _staff(store, name: str) -> dict:
    row = store.query_one(
        "SELECT id, code, name, role, active FROM staff WHERE code = ?", (name,)
    ) or store.query_one(
        "SELECT id, code, name, role, active FROM staff WHERE name = ? AND "
        "(SELECT count(*) FROM staff WHERE name = ?) = 1",
        (name, name),
    )
    if row is None:
        raise NotFound(f"unknown staff member '{name}' (from --as or CRM_USER); see 'crm staff list'")
    if not row["active"]:
        raise PermissionDenied(f"staff member '{row['code']}' is not active")
    return row


def _actor(row: dict, principal: str | None = None) -> Actor:
    return Actor(code=row["code"], name=row["name"], role=row["role"], staff_id=row["id"], principal=principal)


def pins_in_use(store) -> bool:
    """Once any staff member has a PIN, names are no longer taken on trust."""
    return bool(store.scalar("SELECT 1 FROM staff WHERE pin_hash IS NOT NULL LIMIT 1"))


def session_staff(store, session: dict | None, now: str) -> dict | None:
    """The staff member of a valid, unexpired session (see crm/login.py), else None."""
    if not session:
        return None
    from .login import token_hash

    row = store.query_one(
        "SELECT s.id, s.code, s.name, s.role, s.active FROM staff_sessions t JOIN staff s ON s.id = t.staff_id"
        " WHERE t.token_hash = ? AND t.expires_at > ?", (token_hash(session["token"]), now))
    if row is None or not row["active"]:
        return None
    return row


def resolve_actor(store, name: str | None, *, session: dict | Callable[[], dict | None] | None = None,
                  now: str = "", may_act_for_others=None) -> Actor:
    """Who is acting.

    Without PINs in the database (an older or new database before the manager sets the
    first PIN) ``name`` is taken as given, as before. Once PINs are in use the actor is
    whoever holds a valid login session; naming someone else (``--as``) needs the
    ``act-for-others`` permission and is recorded as "principal acting as code".
    ``session`` may be a function that reads it: it is called only once PINs are in use
    (so a command on a database without PINs never locates nor reads a session file).
    """
    if not pins_in_use(store):
        return _actor(_staff(store, name)) if name else os_actor()
    if callable(session):
        session = session()
    logged_in = session_staff(store, session, now)
    if logged_in is None:
        if name:
            row = _staff(store, name)
            raise PermissionDenied(f"'{row['code']}' is not logged in: run 'crm login {row['code']}' "
                                   "(names are not taken on trust once PINs are set)")
        return os_actor()
    principal = _actor(logged_in)
    if not name or name in (logged_in["code"], logged_in["name"]):
        return principal
    row = _staff(store, name)
    if row["id"] == logged_in["id"]:
        return principal
    if may_act_for_others is None or not may_act_for_others(principal):
        raise PermissionDenied(f"permission act-for-others: {principal.code} ({principal.role}) may not act "
                               f"for another staff member (--as {row['code']})")
    return _actor(row, principal=principal.code)


def require_role(actor: Actor, roles: tuple[str, ...] | list[str], doing: str) -> None:
    """Refuse (exit 2) unless the actor has one of ``roles``."""
    if actor.role not in roles:
        who = f"{actor.code} ({actor.role})" if actor.role else f"{actor.code} (no staff role; use --as)"
        raise PermissionDenied(f"only {'/'.join(roles)} may {doing}; you are {who}")
