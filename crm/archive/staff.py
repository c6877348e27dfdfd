"""Staff of the department: who they are, their role, level and daily capacity."""

from __future__ import annotations

import re

from ..errors import BadInput, NotFound
from ..identity import ROLES

CODE = re.compile(r"^[a-z][a-z0-9_.-]{1,31}$")


def validate_staff(fields: dict, *, partial: bool = False) -> dict:
    out = {}
    if "code" in fields or not partial:
        code = (fields.get("code") or "").strip().lower()
        if not CODE.match(code):
            raise BadInput(f"staff code {fields.get('code')!r}: use 2–32 letters, digits, . _ - (e.g. wangfang)")
        out["code"] = code
    if "name" in fields or not partial:
        name = " ".join((fields.get("name") or "").split())
        if not name:
            raise BadInput("staff name is required (--name)")
        out["name"] = name
    if "role" in fields or not partial:
        role = (fields.get("role") or "").strip().lower()
        if role not in ROLES:
            raise BadInput(f"role {fields.get('role')!r} is not one of {', '.join(ROLES)}")
        out["role"] = role
    for key, low, high in (("level", 1, 5), ("daily_capacity", 0, 1000)):
        if fields.get(key) is not None:
            value = fields[key]
            if not isinstance(value, int) or not low <= value <= high:
                raise BadInput(f"{key.replace('_', ' ')} {value!r} must be a whole number from {low} to {high}")
            out[key] = value
    if fields.get("active") is not None:
        out["active"] = 1 if fields["active"] else 0
    return out


def add_staff(tx, fields: dict) -> dict:
    row = validate_staff(fields)
    if tx.conn.execute("SELECT 1 FROM staff WHERE code = ?", (row["code"],)).fetchone():
        raise BadInput(f"staff code '{row['code']}' already exists")
    row.setdefault("level", 1)
    row.setdefault("daily_capacity", 40)
    row.setdefault("active", 1)
    row["created_at"] = row["updated_at"] = tx.now
    cols = ", ".join(row)
    cursor = tx.conn.execute(f"INSERT INTO staff ({cols}) VALUES ({', '.join('?' * len(row))})", tuple(row.values()))
    row["id"] = cursor.lastrowid
    tx.audit("create", "staff", [row["id"]])
    return row


def get_staff(store, code: str) -> dict:
    row = store.query_one("SELECT * FROM staff WHERE code = ?", (code,))
    if row is None:
        raise NotFound(f"no staff member with code '{code}'; see 'crm staff list'")
    return row


def edit_staff(tx, code: str, fields: dict) -> dict:
    current = get_staff(tx.store, code)
    changes = validate_staff({k: v for k, v in fields.items() if v is not None}, partial=True)
    changes.pop("code", None)
    if not changes:
        raise BadInput("nothing to change: give at least one option")
    changes["updated_at"] = tx.now
    sets = ", ".join(f"{k} = ?" for k in changes)
    tx.conn.execute(f"UPDATE staff SET {sets} WHERE id = ?", (*changes.values(), current["id"]))
    tx.audit("update", "staff", [current["id"]], detail={"fields": sorted(changes)})
    return {**current, **changes}


def list_staff(store, *, role: str | None = None, active_only: bool = False) -> list[dict]:
    sql = "SELECT id, code, name, role, level, daily_capacity, active FROM staff"
    where, params = [], []
    if role:
        where.append("role = ?")
        params.append(role)
    if active_only:
        where.append("active = 1")
    if where:
        sql += " WHERE " + " AND ".join(where)
    return store.query(sql + " ORDER BY role, code", tuple(params))
