"""Helpers for the campaigns tests: a fake services plugin and a small archive."""

from __future__ import annotations

import sqlite3

import pytest

from crm import hookimpl

VINS = ["WBA8E3105JA123456", "WBA8E3105JA123457", "WBA8E3105JA123458", "WBA8E3105JA123459"]


class FakeServices:
    """An in-process plugin that records what the campaigns plugin asks of other plugins."""

    __name__ = "fake_services"

    def __init__(self, *, complaints: bool = True):
        self.messages: list[dict] = []
        self.callbacks: list[dict] = []
        self.portal: list[dict] = []
        self.complaints: list[dict] = []
        self.handle_complaints = complaints

    @hookimpl
    def send_message(self, tx, message):
        self.messages.append(message)
        return f"fake-sms-{len(self.messages)}"

    @hookimpl
    def schedule_callback(self, tx, request):
        self.callbacks.append(request)
        return len(self.callbacks)

    @hookimpl
    def send_to_portal(self, tx, item):
        self.portal.append(item)
        return f"portal-{len(self.portal)}"

    @hookimpl
    def open_complaint(self, tx, request):
        if not self.handle_complaints:
            return None
        self.complaints.append(request)
        return len(self.complaints)


def write_sql(crm, sql: str, params=()) -> None:
    conn = sqlite3.connect(crm.db_path)
    try:
        conn.execute(sql, params)
        conn.commit()
    finally:
        conn.close()


def add_customer(crm, name, mobile=None, city=None, tags=(), **fields) -> int:
    args = ["customer", "add", "--name", name]
    if mobile:
        args += ["--mobile", mobile]
    if city:
        args += ["--city", city]
    for tag in tags:
        args += ["--tag", tag]
    cid = int(crm(*args).stdout.strip())
    for key, value in fields.items():
        write_sql(crm, f"UPDATE customers SET {key} = ? WHERE id = ?", (value, cid))
    return cid


def set_consent(crm, customer_id: int, channel: str, granted: bool) -> None:
    write_sql(crm, "UPDATE customer_consents SET granted = ? WHERE customer_id = ? AND channel = ?",
              (1 if granted else 0, customer_id, channel))


@pytest.fixture
def fake():
    return FakeServices()


@pytest.fixture
def world(crm, fake, monkeypatch):
    """Only the campaigns plugin plus the fake services; a manager, an advisor, four customers with cars.

    Commands act as the manager (CRM_USER=li) unless a test names someone else.
    """
    crm("staff", "add", "li", "--name", "李经理", "--role", "manager")
    monkeypatch.setenv("CRM_USER", "li")
    crm("--as", "li", "staff", "add", "sunwei", "--name", "孙伟", "--role", "advisor")
    crm.write_config('[plugins]\nenabled = ["campaigns"]\n')
    crm.plugins = [fake]
    crm.fake = fake
    crm.ids = {
        "zhang": add_customer(crm, "张三", "13812345678", "北京", ["VIP"], gender="M", birthday="1980-11-20"),
        "li": add_customer(crm, "李四", "13912345678", "上海", gender="F"),
        "wang": add_customer(crm, "王五", "13712345678", "北京", ["fleet"]),
        "zhao": add_customer(crm, "赵六", "13612345678", "北京"),
    }
    cars = [("zhang", "X5 xDrive40Li", "2024-05-01"), ("li", "325Li", "2022-03-15"),
            ("wang", "X5 xDrive30Li", "2021-08-01"), ("zhao", "530Li", "2019-01-10")]
    for vin, (who, model, delivered) in zip(VINS, cars):
        crm("vehicle", "add", "--vin", vin, "--customer", crm.ids[who], "--model", model, "--delivered", delivered)
    return crm
