"""Who is acting (``--as STAFF`` / ``CRM_USER``), their role, and what they may see."""

from __future__ import annotations

import dataclasses
import getpass

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

    @property
    def is_staff(self) -> bool:
        return self.staff_id is not None


def os_actor() -> Actor:
    try:
        login = getpass.getuser()
    except Exception:  # no login name (some containers)
        login = "unknown"
    return Actor(code=f"os:{login}", name=login, role=None)


def resolve_actor(store, name: str | None) -> Actor:
    """Look ``name`` up among the staff; without a name, the OS user with no role."""
    if not name:
        return os_actor()
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
    return Actor(code=row["code"], name=row["name"], role=row["role"], staff_id=row["id"])


def require_role(actor: Actor, roles: tuple[str, ...] | list[str], doing: str) -> None:
    """Refuse (exit 2) unless the actor has one of ``roles``."""
    if actor.role not in roles:
        who = f"{actor.code} ({actor.role})" if actor.role else f"{actor.code} (no staff role; use --as)"
        raise PermissionDenied(f"only {'/'.join(roles)} may {doing}; you are {who}")
