"""A small department with hand-counted appointments, customers, visits and contacts.

Staff ids (from the ``staffed`` fixture): li 1, wangfang 2, zhaomin 3, chenjing 4, liuyang 5,
sunwei 6, it 7.  CRM_NOW is 2026-11-20T10:00 (a Friday).
"""

import sqlite3

T = "2026-01-01T00:00:00+08:00"

CUSTOMERS = [
    # id, name, mobile, gender, birthday, city, created_at, specialist_id
    (1, "张三", "13812345678", "M", "1980-11-20", None, "2026-11-03T09:00:00+08:00", 4),
    (2, "李四", None, None, None, None, "2026-11-10T09:00:00+08:00", 4),
    (3, "王五", "13900001111", None, None, "上海", "2026-10-15T09:00:00+08:00", 5),
    (4, "赵六", None, None, None, "苏州", "2025-11-05T09:00:00+08:00", None),
]

APPOINTMENTS = [
    # id, customer, at, staff, status
    (1, 1, "2026-11-05T09:00", "chenjing", "arrived"),
    (2, 2, "2026-11-06T09:00", "chenjing", "no_show"),
    (3, 1, "2026-11-10T09:00", "chenjing", "booked"),      # passed, never recorded: a failure
    (4, 2, "2026-11-12T09:00", "chenjing", "cancelled"),
    (5, 1, "2026-11-20T15:00", "chenjing", "booked"),      # later today: not counted yet
    (6, 3, "2026-11-08T09:00", "wangfang", "arrived"),
    (7, 3, "2026-10-05T09:00", "chenjing", "arrived"),
    (8, 3, "2026-10-06T09:00", "chenjing", "arrived"),
    (9, 3, "2026-10-07T09:00", "chenjing", "no_show"),
    (10, 3, "2026-10-25T09:00", "chenjing", "no_show"),    # after Oct 20: outside the "to date" comparison
    (11, 4, "2025-11-03T09:00", "chenjing", "arrived"),
]

VISITS = [
    (1, "RO1", 1, "2026-11-02", "maintenance"),
    (2, "RO2", 2, "2026-11-15", "repair"),
    (3, "RO3", 3, "2026-10-10", "maintenance"),
]

INTERACTIONS = [
    # customer, at, staff, channel, direction, outcome
    (1, "2026-11-20T09:30:00", "wangfang", "phone", "out", "reached"),
    (2, "2026-11-19T15:00:00", "wangfang", "phone", "out", "no_answer"),
    (1, "2026-11-18T11:00:00", "chenjing", "sms", "out", None),
    (2, "2026-11-18T12:00:00", "wangfang", "phone", "in", None),
    (3, "2026-10-03T10:00:00", "wangfang", "phone", "out", "reached"),
]


def load(crm) -> None:
    crm("staff", "list")  # make sure the database exists and is migrated
    conn = sqlite3.connect(crm.db_path)
    with conn:
        for cid, name, mobile, gender, birthday, city, created, spec in CUSTOMERS:
            conn.execute("INSERT INTO customers (id, name, mobile, gender, birthday, city, created_at, updated_at,"
                         " specialist_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         (cid, name, mobile, gender, birthday, city, created, created, spec))
        conn.execute("INSERT INTO vehicles (id, vin, vin_rev, plate, customer_id, created_at, updated_at)"
                     " VALUES (1, 'WBA8E3105JA123456', '654321AJ5013E8ABW', '沪A12345', 3, ?, ?)", (T, T))
        for aid, cid, at, staff, status in APPOINTMENTS:
            conn.execute("INSERT INTO appointments (id, customer_id, at, staff, status, created_at, updated_at)"
                         " VALUES (?, ?, ?, ?, ?, ?, ?)", (aid, cid, at, staff, status, T, T))
        for vid, ro, cid, day, typ in VISITS:
            conn.execute("INSERT INTO visits (id, ro_number, customer_id, date_in, type, created_at, updated_at)"
                         " VALUES (?, ?, ?, ?, ?, ?, ?)", (vid, ro, cid, day, typ, T, T))
        for cid, at, staff, channel, direction, outcome in INTERACTIONS:
            conn.execute("INSERT INTO interactions (customer_id, at, staff, channel, direction, kind, outcome,"
                         " created_at) VALUES (?, ?, ?, ?, ?, 'call', ?, ?)",
                         (cid, at, staff, channel, direction, outcome, T))
    conn.close()


def figures(report: dict) -> dict:
    return {f["key"]: f for f in report["figures"]}


import pytest  # noqa: E402


@pytest.fixture
def dept(staffed):
    """The ``staffed`` department with the data above."""
    load(staffed)
    return staffed


@pytest.fixture
def full(dept):
    """``dept`` plus a month of callbacks (three members' visits, three calls) and three
    complaints, so every report and form has something in each section."""
    from callbacks_helpers import customer, member, plan, vehicle, visit
    from complaints_helpers import open_ticket, step

    for i in range(3):
        cid = customer(dept, f"客户{i}", f"1381234567{i}")
        member(dept, cid)
        visit(dept, vehicle(dept, cid, 10 + i), f"ROX{i}", "2026-11-17")
    plan(dept, "2026-11-18")
    rec = lambda tid, *a: dept("--as", "wangfang", "callbacks", "record", tid, *a)  # noqa: E731
    rec(1, "--result", "satisfied", "--score", "9")
    rec(2, "--result", "dissatisfied", "--score", "3", "--aspect", "price", "--note", "价格偏高")
    rec(3, "--result", "unreachable")
    a = open_ticket(dept, now="2026-11-18T10:00:00")
    step(dept, a, "close", "--invalid", "--reason", "价格已公示", "--reply", "已耐心解释", now="2026-11-18T11:00:00")
    open_ticket(dept, category="pricing", channel="hotline_400", now="2026-11-19T10:00:00")
    open_ticket(dept, category="service_attitude", severity="urgent", now="2026-11-19T15:00:00")
    return dept
