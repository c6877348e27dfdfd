"""Helpers for the callbacks tests (set up the archive through the CLI, read the tables)."""

from __future__ import annotations

import json
import sqlite3

VINS = ["WBA8E3105JA1234%02d" % i for i in range(10, 99)]


def write_sql(crm, sql: str, params=()) -> None:
    """Change the test database directly (things the archive CLI cannot set yet)."""
    conn = sqlite3.connect(crm.db_path)
    try:
        conn.execute(sql, params)
        conn.commit()
    finally:
        conn.close()


def customer(crm, name="张三", mobile="13812345678", **extra) -> int:
    cid = int(crm("customer", "add", "--name", name, "--mobile", mobile).stdout.strip())
    for key, value in extra.items():
        write_sql(crm, f"UPDATE customers SET {key} = ? WHERE id = ?", (value, cid))
    return cid


def vehicle(crm, cid: int, n: int = 10, delivered: str | None = None, **extra) -> str:
    vin = VINS[n]
    args = ["vehicle", "add", "--vin", vin, "--customer", cid, "--plate", f"京A1{n:04d}", "--model", "530Li"]
    if delivered:
        args += ["--delivered", delivered]
    crm(*args)
    for key, value in extra.items():
        write_sql(crm, f"UPDATE vehicles SET {key} = ? WHERE vin = ?", (value, vin))
    return vin


def visit(crm, vin: str, ro: str, date_out: str, advisor="sunwei", vtype="maintenance", date_in=None) -> None:
    crm("visit", "add", "--ro", ro, "--vin", vin, "--in", date_in or date_out, "--out", date_out,
        "--type", vtype, "--advisor", advisor)


def member(crm, cid: int, expires="2027-12-31", number=None) -> None:
    write_sql(crm, "INSERT INTO membership_cards (customer_id, number, level, issued_on, expires_on, status,"
                   " created_at, updated_at) VALUES (?, ?, 'gold', '2024-01-01', ?, 'active', 'x', 'x')",
              (cid, number or f"M{cid:05d}", expires))


def plan(crm, as_of: str, *extra, env=None) -> dict:
    return json.loads(crm("callbacks", "plan", "--as-of", as_of, *extra, "--format", "json", env=env).stdout)


def explain(crm, as_of: str, *extra, env=None) -> list[dict]:
    return json.loads(crm("callbacks", "plan", "--as-of", as_of, "--explain", *extra, "--format", "json",
                          env=env).stdout)


def tasks(crm) -> list[dict]:
    conn = sqlite3.connect(crm.db_path)
    conn.row_factory = sqlite3.Row
    try:
        rows = [dict(r) for r in conn.execute("SELECT * FROM callback_tasks ORDER BY id")]
    finally:
        conn.close()
    for row in rows:
        row["reasons"] = json.loads(row["reasons"])
    return rows
