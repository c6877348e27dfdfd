"""crm today: core items, plugin items, the order, the manager's view."""

import sqlite3

from crm import hookimpl

T = "2026-01-01T00:00:00+08:00"


class Agenda:
    __name__ = "agendaprobe"

    def __init__(self):
        self.asked = []

    @hookimpl
    def agenda_items(self, app, agenda):
        self.asked.append(agenda["staff"])
        if agenda["staff"] not in (None, "chenjing"):
            return []
        return [
            {"kind": "callback", "priority": 0, "due": "2026-11-18", "customer_id": 2, "title": "回访 overdue",
             "ref": "callback:9"},
            {"kind": "callback", "priority": 1, "due": "2026-11-20", "customer_id": 1, "title": "回访 due",
             "ref": "callback:10"},
            {"kind": "event_replies", "priority": 2, "due": "2026-11-25T14:00:00+08:00", "customer_id": None,
             "title": "活动回复", "ref": "event:1"},
            {"kind": "birthday", "priority": 3, "due": "2026-11-20", "customer_id": 1, "title": "dup",
             "ref": "birthday:1"},
        ]


def setup(dept):
    conn = sqlite3.connect(dept.db_path)
    with conn:
        conn.execute("INSERT INTO customers (id, name, created_at, updated_at, specialist_id, first_contact_due)"
                     " VALUES (5, '钱七', '2026-11-15T10:00:00+08:00', ?, 4, '2026-11-19')", (T,))
        conn.execute("INSERT INTO membership_cards (customer_id, number, level, issued_on, expires_on, created_at,"
                     " updated_at) VALUES (1, 'M001', '金卡', '2025-12-01', '2026-12-01', ?, ?)", (T, T))
        conn.execute("INSERT INTO appointments (id, customer_id, at, staff, status, created_at, updated_at)"
                     " VALUES (20, 2, '2026-11-21T09:30', 'chenjing', 'booked', ?, ?),"
                     " (21, 1, '2026-11-21T11:00', 'chenjing', 'booked', ?, ?)", (T, T, T, T))
        # appointment 21 was confirmed by phone already
        conn.execute("INSERT INTO interactions (customer_id, at, staff, channel, direction, kind, outcome, ref,"
                     " created_at) VALUES (1, '2026-11-20T09:00:00', 'chenjing', 'phone', 'out', 'call',"
                     " 'confirmed', 'appointment:21', ?)", (T,))
    conn.close()


def test_my_day_in_order(dept):
    setup(dept)
    dept.plugins = [Agenda()]
    items = dept.json("today", "--me", env={"CRM_PLUGINS": "", "CRM_USER": "chenjing"})
    assert [(i["kind"], i["priority"]) for i in items] == [
        ("callback", 0),               # overdue since the 18th
        ("first_contact", 0),          # due yesterday, customer 5 never contacted
        ("appointment_confirm", 1),    # 15:00 today comes before a callback due some time today
        ("callback", 1),
        ("appointment_confirm", 2),    # tomorrow 09:30 (11:00 is confirmed already)
        ("event_replies", 2),
        ("birthday", 3),               # the core's; the plugin's duplicate is dropped
        ("card_renewal", 3),
    ]
    assert items[1]["ref"] == "first_contact:5" and items[1]["overdue"] is True
    assert items[2]["ref"] == "appointment:5" and items[4]["ref"] == "appointment:20"
    assert sum(1 for i in items if i["kind"] == "birthday") == 1
    text = dept("today", "--me", env={"CRM_PLUGINS": "", "CRM_USER": "chenjing"}).stdout
    assert "确认预约" in text and "今天生日" in text and "会员卡续卡" in text


def test_another_specialist_sees_only_theirs(dept):
    setup(dept)
    items = dept.json("today", "--staff", "liuyang", env={"CRM_PLUGINS": ""})
    assert items == []
    assert "Nothing to do" in dept("today", "--staff", "liuyang", env={"CRM_PLUGINS": ""}).stdout


def test_past_booked_appointment_today_asks_for_the_arrival(dept):
    items = dept.json("today", "--staff", "chenjing", env={"CRM_PLUGINS": "", "CRM_NOW": "2026-11-20T16:00:00"})
    assert ("appointment_arrival", "appointment:5") in [(i["kind"], i["ref"]) for i in items]


def test_manager_view(dept):
    setup(dept)
    probe = Agenda()
    dept.plugins = [probe]
    view = dept.json("today", env={"CRM_PLUGINS": "", "CRM_USER": "li"})
    load = {r["staff"]: r for r in view["load"]}
    assert set(load) == {"wangfang", "zhaomin", "chenjing", "liuyang", "sunwei"}
    assert load["chenjing"]["items"] == 8 and load["chenjing"]["overdue"] == 2
    assert load["chenjing"]["capacity"] == 40 and load["chenjing"]["load"] == 20.0
    assert load["liuyang"]["items"] == 0
    assert {i["ref"] for i in view["overdue"]} == {"first_contact:5", "callback:9"}
    assert None in probe.asked and "chenjing" in probe.asked
    text = dept("today", "--all", env={"CRM_PLUGINS": ""}).stdout
    assert "overdue" in text and "chenjing" in text


def test_with_the_real_plugins(dept):
    setup(dept)
    items = dept.json("today", "--me", env={"CRM_USER": "chenjing"})
    assert any(i["kind"] == "appointment_confirm" for i in items)


def test_today_bad_input(dept):
    assert "choose one" in dept("today", "--me", "--all", expect=2).stderr
    assert "ISO date" in dept("today", "--day", "tomorrow", expect=2).stderr
