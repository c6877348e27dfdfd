"""Helpers for the complaints tests: a small department, a customer with a car, recorder plugins."""

from __future__ import annotations

import json
import sqlite3

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


def clone_db(src, dst) -> None:
    """Copy a template database (sqlite backup: WAL-safe)."""
    source, target = sqlite3.connect(src), sqlite3.connect(dst)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def _template_env(folder) -> dict:
    from conftest import make_empty_db

    if not (folder / "crm.db").exists():
        make_empty_db(folder / "crm.db")
    (folder / "config.toml").touch()
    return {"CRM_DB": str(folder / "crm.db"), "CRM_CONFIG": str(folder / "config.toml"),
            "CRM_PLUGINS": "complaints", "CRM_NOW": "2026-11-20T10:00:00", "CRM_USER": None,
            "CRM__IDENTITY__ANONYMOUS": "write"}  # a single-person dealer (tests/conftest.py)


@pytest.fixture(scope="session")
def dept_template(tmp_path_factory):
    """Built once per worker: the department, 张三 (customer 1) and his BMW."""
    from conftest import Crm

    folder = tmp_path_factory.mktemp("complaints-template")
    crm = Crm(folder)
    env = _template_env(folder)
    for code, name, role in [("li", "李经理", "manager"), ("wangfang", "王芳", "callback"),
                             ("zhaomin", "赵敏", "satisfaction"), ("chenjing", "陈静", "appointment"),
                             ("liuyang", "刘洋", "archive"), ("sunwei", "孙伟", "advisor"), ("it", "运维", "it")]:
        crm(*(("--as", "li") if code != "li" else ()), "staff", "add", code, "--name", name, "--role", role, env=env)
    crm("customer", "add", "--name", "张三", "--mobile", "13812345678", env=env)
    crm("vehicle", "add", "--vin", VIN, "--customer", "1", "--plate", "京A12345", "--model", "320Li", env=env)
    return folder / "crm.db"


@pytest.fixture
def dept(crm, dept_template):
    clone_db(dept_template, crm.db_path)
    return crm


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
    step(crm, tid, "advance", "implement", "--actions", "返修完成", "--penalty", "技师扣绩效", "--penalty-dept", "车间主管通报",
         user=user, now="2026-11-20T14:00:00")
    step(crm, tid, "advance", "summarize", "--root-cause", "作业不规范", "--lessons", "加强终检",
         user=user, now="2026-11-20T15:00:00")


def snapshot(crm) -> list:
    out = []
    for table in ("complaints_tickets", "complaints_events", "audit_log", "interactions"):
        out.append(crm.sql(f"SELECT * FROM {table} ORDER BY 1"))
    return out


STATES = ["registered", "accepted", "investigating", "proposed", "approved", "implemented", "summarized"]
PATH = [("advance", "accept"), ("advance", "investigate", "--dept", "workshop"),
        ("advance", "propose", "--solution", "返修"), ("approve",), ("advance", "implement", "--actions", "已修"),
        ("advance", "summarize", "--root-cause", "x", "--lessons", "y")]


@pytest.fixture(scope="session")
def states_template(tmp_path_factory, dept_template):
    """Built once per worker: ticket N+1 sits in STATES[N]."""
    from conftest import Crm

    folder = tmp_path_factory.mktemp("complaints-states")
    clone_db(dept_template, folder / "crm.db")
    crm = Crm(folder)
    base = _template_env(folder)
    for index, _state in enumerate(STATES):
        tid = crm.json("complaints", "open", "--customer", "1", "--channel", "phone", "--category", "repair_quality",
                       "--description", "异响", env=dict(base, CRM_USER="zhaomin"))["id"]
        for args in PATH[:index]:
            crm("complaints", args[0], str(tid), *args[1:],
                env=dict(base, CRM_USER="li" if args[0] == "approve" else "zhaomin"))
    return folder / "crm.db"


@pytest.fixture
def at_state(crm, states_template):
    """``at_state("proposed")`` → the id of a ticket in that state, in this test's database."""
    clone_db(states_template, crm.db_path)
    return lambda state: STATES.index(state) + 1
