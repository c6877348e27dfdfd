"""Helpers for the complaints tests: a small department, a customer with a car, recorder plugins."""

from __future__ import annotations

import json

import pytest

from crm import hookimpl

VIN = "WBA8E3105JA123456"


class Recorder:
    """An in-process stand-in for the portal and callbacks plugins: records what it is asked."""

    @hookimpl
    def send_to_portal(self, tx, item):
        tx.conn.execute("CREATE TABLE IF NOT EXISTS test_outbox (id INTEGER PRIMARY KEY, kind TEXT, ref TEXT,"
                        " payload TEXT)")
        cursor = tx.conn.execute("INSERT INTO test_outbox (kind, ref, payload) VALUES (?, ?, ?)",
                                 (item["kind"], item["ref"], json.dumps(item["payload"], ensure_ascii=False)))
        return cursor.lastrowid

    @hookimpl
    def schedule_callback(self, tx, request):
        tx.conn.execute("CREATE TABLE IF NOT EXISTS test_callbacks (id INTEGER PRIMARY KEY, customer_id INTEGER,"
                        " due_on TEXT, ref TEXT, rule TEXT)")
        cursor = tx.conn.execute("INSERT INTO test_callbacks (customer_id, due_on, ref, rule) VALUES (?, ?, ?, ?)",
                                 (request["customer_id"], request["due_on"], request["ref"], request["rule"]))
        return cursor.lastrowid


@pytest.fixture(autouse=True)
def only_complaints(monkeypatch):
    """Every other plugin disabled: the service calls must be clean no-ops or the recorder."""
    monkeypatch.setenv("CRM_PLUGINS", "complaints")


@pytest.fixture
def dept(staffed):
    staffed("customer", "add", "--name", "张三", "--mobile", "13812345678")
    staffed("vehicle", "add", "--vin", VIN, "--customer", "1", "--plate", "京A12345", "--model", "320Li")
    return staffed


def as_(user: str, now: str | None = None) -> dict:
    env = {"CRM_USER": user}
    if now:
        env["CRM_NOW"] = now
    return env


def open_ticket(crm, *extra, user="zhaomin", now=None, customer="1", **kw) -> int:
    args = ["complaints", "open", "--customer", customer, "--channel", kw.get("channel", "phone"),
            "--category", kw.get("category", "repair_quality"), "--severity", kw.get("severity", "normal"),
            "--description", kw.get("description", "保养后发动机异响"), *extra]
    return crm.json(*args, env=as_(user, now))["id"]


def step(crm, tid, *args, user="zhaomin", now=None, expect=0):
    return crm("complaints", *args[:1], str(tid), *args[1:], env=as_(user, now), expect=expect)


def run_to_summarized(crm, tid, user="zhaomin"):
    step(crm, tid, "advance", "accept", user=user, now="2026-11-20T10:30:00")
    step(crm, tid, "advance", "investigate", "--dept", "workshop", "--person", "张师傅", "--findings", "螺丝未紧固",
         user=user, now="2026-11-20T11:00:00")
    step(crm, tid, "advance", "propose", "--solution", "免费返修", user=user, now="2026-11-20T11:10:00")
    step(crm, tid, "approve", "-m", "同意", user="li", now="2026-11-20T11:20:00")
    step(crm, tid, "advance", "implement", "--actions", "返修完成", "--penalty", "技师扣绩效",
         user=user, now="2026-11-20T14:00:00")
    step(crm, tid, "advance", "summarize", "--root-cause", "作业不规范", "--lessons", "加强终检",
         user=user, now="2026-11-20T15:00:00")


def snapshot(crm) -> list:
    out = []
    for table in ("complaints_tickets", "complaints_events", "audit_log", "interactions"):
        out.append(crm.sql(f"SELECT * FROM {table} ORDER BY 1"))
    return out
