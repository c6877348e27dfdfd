"""Issue 17, appointments and the workshop: slots with capacity (a full slot refused with the next free
ones), the place (店内/上门), repair progress with times told to the customer and on the agenda."""

from crm import hookimpl


class Sender:
    """Stands in for an SMS/WeChat sender plugin (the send_message service)."""

    def __init__(self):
        self.sent = []

    @hookimpl
    def send_message(self, tx, message):
        self.sent.append(message)
        return f"sms:{len(self.sent)}"


def _setup(crm, config=""):
    if config:
        crm.write_config(config)
    # the first manager is added in first-time setup; from then on the manager adds staff
    crm("staff", "add", "li", "--name", "李经理", "--role", "manager")
    for code, name, role in [("chenjing", "陈静", "appointment"), ("zhouli", "周丽", "appointment"),
                             ("sunwei", "孙伟", "advisor"), ("wuqiang", "吴强", "advisor")]:
        crm("--as", "li", "staff", "add", code, "--name", name, "--role", role)
    for i, name in enumerate(["张三", "李四", "王五"]):
        crm("customer", "add", "--name", name, "--mobile", f"1381234567{i}")
    crm("vehicle", "add", "--vin", "WBA8E3105JA123456", "--customer", "1", "--plate", "京A12345", "--model", "320Li")


def _book(crm, customer, at, *extra, expect=0, user="chenjing"):
    return crm("appointment", "book", "--customer", customer, "--at", at, *extra, env={"CRM_USER": user},
               expect=expect)


def test_a_full_slot_is_refused_with_the_next_free_slots(crm):
    _setup(crm, "[appointments]\ncapacity = 2\n")
    _book(crm, "1", "2026-11-23 09:30")
    _book(crm, "2", "2026-11-23 09:40")
    before = crm.sql("SELECT * FROM appointments")
    r = _book(crm, "3", "2026-11-23 09:45", expect=2)
    assert r.stderr.strip() == ("crm: error: the slot 2026-11-23 09:30 is full (2 of 2 booked); next free slots:"
                                " 2026-11-23 10:00 (2 free), 2026-11-23 10:30 (2 free), 2026-11-23 11:00 (2 free)")
    assert crm.sql("SELECT * FROM appointments") == before
    # a cancelled booking frees its place
    crm("appointment", "cancel", "1")
    _book(crm, "3", "2026-11-23 09:45")
    slots = {s["slot"]: s for s in crm.json("appointment", "slots", "--day", "2026-11-23")}
    assert slots["09:30"] == {"slot": "09:30", "booked": 2, "capacity": 2, "free": 0}
    assert slots["08:30"]["free"] == 2 and "12:00" not in slots and "13:30" in slots


def test_capacity_by_advisors_and_the_next_free_slot_skips_the_weekend(crm):
    _setup(crm, '[appointments]\ncapacity = "advisors"\nhours = ["09:00-10:00"]\n')
    for customer, at in [("1", "2026-11-20 09:00"), ("2", "2026-11-20 09:10"), ("1", "2026-11-20 09:30"),
                         ("2", "2026-11-20 09:35")]:
        _book(crm, customer, at)
    r = _book(crm, "3", "2026-11-20 09:31", expect=2)
    assert "(2 of 2 booked)" in r.stderr and "next free slots: 2026-11-23 09:00 (2 free)" in r.stderr
    crm.write_config("[appointments]\ncapacity = 0\n")
    assert "appointments.capacity" in _book(crm, "3", "2026-11-24 09:00", expect=2).stderr


def test_without_capacity_in_the_config_slots_are_unlimited(crm):
    _setup(crm)
    for customer in ("1", "2", "3", "1", "2"):
        _book(crm, customer, "2026-11-23 09:30")
    assert crm.sql("SELECT count(*) FROM appointments") == [(5,)]


def test_the_place_is_recorded(crm):
    _setup(crm)
    _book(crm, "1", "2026-11-23 09:30", "--place", "上门")
    _book(crm, "2", "2026-11-23 10:30")
    assert crm.sql("SELECT customer_id, place FROM appointments ORDER BY id") == [(1, "at_home"), (2, "in_store")]
    assert "--place" in _book(crm, "3", "2026-11-23 11:30", "--place", "moon", expect=2).stderr
    rows = crm.json("appointment", "list")
    assert [r["place"] for r in rows] == ["at_home", "in_store"]


def test_repair_progress_with_times_told_to_the_customer(crm):
    _setup(crm)
    sender = Sender()
    crm.plugins = [sender]
    _book(crm, "1", "2026-11-20 09:00", "--vehicle", "京A12345")
    assert "received first" in crm("appointment", "progress", "1", "维修中", env={"CRM_USER": "sunwei"},
                                   expect=2).stderr
    crm("appointment", "progress", "1", "接车", env={"CRM_USER": "sunwei", "CRM_NOW": "2026-11-20T09:05:00"})
    crm("appointment", "progress", "1", "维修中", env={"CRM_USER": "sunwei", "CRM_NOW": "2026-11-20T09:30:00"})
    crm("appointment", "progress", "1", "待料", "-m", "配件明天到", env={"CRM_USER": "sunwei",
                                                                  "CRM_NOW": "2026-11-20T10:00:00"})
    crm("appointment", "progress", "1", "in_repair", "--no-notify",
        env={"CRM_USER": "sunwei", "CRM_NOW": "2026-11-21T09:00:00"})
    assert "already in_repair" in crm("appointment", "progress", "1", "维修中", env={"CRM_USER": "sunwei"},
                                      expect=2).stderr
    crm("appointment", "progress", "1", "质检", env={"CRM_USER": "sunwei", "CRM_NOW": "2026-11-21T15:00:00"})
    crm("appointment", "progress", "1", "可交车", env={"CRM_USER": "sunwei", "CRM_NOW": "2026-11-21T16:00:00"})
    history = crm.json("appointment", "progress", "1")
    assert [(h["label"], h["at"], h["message_ref"]) for h in history] == [
        ("接车", "2026-11-20T09:05:00", "sms:1"), ("维修中", "2026-11-20T09:30:00", "sms:2"),
        ("待料", "2026-11-20T10:00:00", "sms:3"), ("维修中", "2026-11-21T09:00:00", None),
        ("质检", "2026-11-21T15:00:00", "sms:4"), ("可交车", "2026-11-21T16:00:00", "sms:5")]
    assert sender.sent[2]["text"] == "您好,您的爱车京A12345正在等待配件,到货后我们会立即继续维修并通知您。"
    assert sender.sent[0]["customer_id"] == 1 and sender.sent[0]["ref"] == "appointment:1"
    assert crm.sql("SELECT status, progress FROM appointments") == [("arrived", "ready")]  # 接车 = arrival
    assert "only in_repair" in crm("appointment", "progress", "1", "质检", env={"CRM_USER": "sunwei"},
                                   expect=2).stderr
    crm("--as", "li", "staff", "add", "wangfang", "--name", "王芳", "--role", "callback")
    assert "permission appointment.progress: wangfang (callback)" in crm(
        "appointment", "progress", "1", "维修中", env={"CRM_USER": "wangfang"}, expect=2).stderr


def test_progress_shows_on_the_appointment_specialists_agenda(crm):
    _setup(crm)
    _book(crm, "1", "2026-11-20 09:00", "--vehicle", "京A12345")
    _book(crm, "2", "2026-11-20 09:00", user="zhouli")
    crm("appointment", "progress", "1", "接车", env={"CRM_USER": "sunwei", "CRM_NOW": "2026-11-20T09:05:00"})
    crm("appointment", "progress", "1", "待料", env={"CRM_USER": "sunwei", "CRM_NOW": "2026-11-20T09:40:00"})
    mine = crm("today", "--me", "--format", "csv", env={"CRM_USER": "chenjing"}).stdout
    assert "维修进度: 张三 京A12345 待料 (11-20 09:40)" in mine
    assert "维修进度" not in crm("today", "--me", "--format", "csv", env={"CRM_USER": "zhouli"}).stdout


def test_progress_is_a_core_migration(crm):
    _setup(crm)
    names = [r[0] for r in crm.sql("SELECT name FROM _crm_migrations WHERE owner = 'core' ORDER BY rowid")]
    assert names.index("m008_sales_orders") + 1 == names.index("m009_appointment_place_and_progress")


def test_progress_notices_follow_the_contact_policy(crm):
    _setup(crm)
    sender = Sender()
    crm.plugins = [sender]
    crm.execute("UPDATE customers SET do_not_contact = 1 WHERE id = 1")
    _book(crm, "1", "2026-11-20 09:00")
    out = crm("appointment", "progress", "1", "接车", env={"CRM_USER": "sunwei"}).stdout
    assert "customer not told" in out and sender.sent == []
