"""Vehicles (VIN check digit, plates, transfer), visits, log, cards, appointments."""

import pytest

VIN = "WBA8E3105JA123456"
CN_VIN = "LBVNU79004SK12345"


def add(crm, *args):
    return int(crm("customer", "add", *args).stdout.strip())


@pytest.mark.parametrize("option,value", [
    ("--vin", "LBVNU79014SK12345"),  # Chinese VIN with a wrong check digit
    ("--vin", "WBA8E3105JA12345"),   # 16 characters
    ("--vin", "WBA8E3105JA12345!"),
    ("--plate", "美A12345"), ("--plate", "京A1234"), ("--plate", "京AD1234X"),
    ("--year", "1800"), ("--delivered", "2025-13-01"), ("--mileage", "-5"),
    ("--insurance-expires", "someday"),
])
def test_invalid_vehicle_values(staffed, option, value):
    args = {"--vin": VIN}
    args[option] = value
    flat = [x for kv in args.items() for x in kv]
    result = staffed("vehicle", "add", *flat, expect=2)
    assert "Traceback" not in result.stderr
    assert staffed.sql("SELECT count(*) FROM vehicles") == [(0,)]


def test_vehicle_add_show_edit_transfer(staffed):
    from crm import hookimpl

    events = []

    class Spy:
        @hookimpl
        def on_vehicle_transferred(self, tx, vehicle, old_owner_id, new_owner_id):
            events.append((old_owner_id, new_owner_id))

    staffed.plugins.append(Spy())
    a, b = add(staffed, "--name", "张三"), add(staffed, "--name", "李四")
    staffed("vehicle", "add", "--vin", " lbvnu79004sk12345 ", "--customer", str(a), "--plate", "京ad 12345",
            "--model", "i3", "--year", "2024", "--delivered", "2024/3/5", "--mileage", "1.2万",
            "--insurance-expires", "2025年3月5日", "--inspection-due", "20300305")
    row = staffed.sql("SELECT vin, plate, plate_key, model_year, delivery_date, mileage, insurance_expires,"
                      " inspection_due FROM vehicles")[0]
    assert row == (CN_VIN, "京AD12345", "AD12345", 2024, "2024-03-05", 12000, "2025-03-05", "2030-03-05")
    staffed("vehicle", "add", "--vin", CN_VIN, expect=2)  # duplicate
    shown = staffed.json("vehicle", "show", "AD12345")
    assert shown["vin"] == CN_VIN and shown["owners"][0]["customer_id"] == a
    staffed("vehicle", "edit", CN_VIN, "--plate", "京AF54321", "--mileage", "15000")
    assert staffed.sql("SELECT plate, plate_key, mileage FROM vehicles") == [("京AF54321", "AF54321", 15000)]
    staffed("vehicle", "edit", CN_VIN, "--plate", "bad", expect=2)
    staffed("vehicle", "transfer", "京AF54321", "--to", str(b), "--on", "2026/11/01")
    assert events == [(a, b)]
    owners = staffed.sql("SELECT customer_id, since, until FROM vehicle_owners ORDER BY id")
    assert owners[0][0] == a and owners[0][2] == "2026-11-01" and owners[1] == (b, "2026-11-01", None)
    staffed("vehicle", "transfer", CN_VIN, "--to", str(b), expect=2)
    staffed("vehicle", "transfer", CN_VIN, "--to", str(a), "--on", "tomorrow-ish", expect=2)


def test_visits(staffed):
    from crm import hookimpl

    closed = []

    class Spy:
        @hookimpl
        def on_visit_closed(self, tx, visit):
            closed.append(visit["ro_number"])

    staffed.plugins.append(Spy())
    a = add(staffed, "--name", "张三")
    staffed("vehicle", "add", "--vin", VIN, "--customer", str(a), "--plate", "京A12345")
    staffed("visit", "add", "--ro", "RO1", "--vin", "京A12345", "--in", "2026/11/18 09:30", "--type", "保养",
            "--amount", "¥1,234.50", "--mileage", "12,345km", "--advisor", "sunwei")
    row = staffed.sql("SELECT date_in, type, amount, mileage, status, customer_id FROM visits")[0]
    assert row == ("2026-11-18T09:30:00", "maintenance", 1234.5, 12345, "open", a)
    assert staffed.sql("SELECT mileage FROM vehicles") == [(12345,)]
    staffed("visit", "close", "RO1", "--out", "2026-11-19")
    assert closed == ["RO1"]
    staffed("visit", "close", "RO1", expect=2)
    for bad in (["--type", "wash"], ["--in", "2026-02-30"], ["--amount", "lots"], ["--vin", "京Z99999"],
                ["--in", "2026-11-18", "--out", "2026-11-01"]):
        args = {"--ro": "RO2", "--vin": VIN, "--in": "2026-11-18"}
        args.update(dict(zip(bad[::2], bad[1::2])))
        staffed("visit", "add", *[x for kv in args.items() for x in kv], expect=2)
    assert staffed.sql("SELECT count(*) FROM visits") == [(1,)]
    rows = staffed.json("visit", "list", "--vehicle", "A12345", "--status", "closed")
    assert [r["ro_number"] for r in rows] == ["RO1"]


def test_log(staffed):
    a = add(staffed, "--name", "张三")
    staffed("log", "add", "--customer", str(a), "--kind", "gift", "--channel", "visit", "--summary", "生日礼品",
            env={"CRM_USER": "zhaomin"})
    staffed("log", "add", "--customer", str(a), "--channel", "电话", "--direction", "呼入", "--kind", "complaint")
    rows = staffed.json("log", "list", "--customer", str(a))
    assert {(r["kind"], r["channel"], r["direction"], r["staff"]) for r in rows} == {
        ("gift", "visit", "out", "zhaomin"), ("complaint", "phone", "in", None)}
    staffed("log", "add", "--customer", str(a), "--channel", "pigeon", expect=2)
    staffed("log", "add", "--customer", "999", expect=2)


def test_cards(staffed):
    a = add(staffed, "--name", "张三", "--mobile", "13812345678")
    staffed("card", "issue", "--customer", str(a), "--number", "m 0001", "--level", "金卡", "--issued", "2025-12-01")
    assert staffed.sql("SELECT number, expires_on, status FROM membership_cards") == [("M0001", "2026-12-01", "active")]
    rows = staffed.json("card", "list", "--expiring", "30", env={"CRM_USER": "sunwei"})
    assert [r["number"] for r in rows] == ["M0001"] and rows[0]["mobile"] == "138****5678"
    assert staffed.json("card", "list", "--expiring", "5") == []
    staffed("card", "renew", "M0001", "--years", "2")
    assert staffed.sql("SELECT expires_on FROM membership_cards") == [("2028-12-01",)]
    staffed("card", "issue", "--customer", str(a), "--number", "M0001", expect=2)
    staffed("card", "issue", "--customer", str(a), "--number", "M0002", "--expires", "2020-01-01", expect=2)
    staffed("card", "issue", "--customer", str(a), "--number", "M0002", "--level", "白金卡")
    assert staffed.sql("SELECT number, status FROM membership_cards ORDER BY id") == [
        ("M0001", "cancelled"), ("M0002", "active")]
    staffed("card", "renew", "M0001", expect=2)


def test_appointments_and_success_rate(staffed):
    a = add(staffed, "--name", "张三")
    ids = [int(staffed("appointment", "book", "--customer", str(a), "--at", at, env={"CRM_USER": "chenjing"}).stdout)
           for at in ("2026-11-20 09:00", "2026-11-20 11:00", "2026-11-20 14:00", "2026-11-25 09:00")]
    staffed("appointment", "book", "--customer", str(a), "--at", "2026-11-01 09:00", expect=2)  # past
    staffed("appointment", "arrive", str(ids[0]))
    staffed("appointment", "no-show", str(ids[1]))
    staffed("appointment", "cancel", str(ids[2]), "--reason", "出差")
    staffed("appointment", "arrive", str(ids[3]), expect=2)  # not yet that day
    staffed("appointment", "arrive", str(ids[1]), expect=2)  # no-show is final
    stats = staffed.json("appointment", "stats")
    assert stats[0]["booked"] == 4 and stats[0]["arrived"] == 1 and stats[0]["upcoming"] == 1
    assert stats[0]["success_rate"] == 0.5
    listing = staffed("appointment", "list", "--day", "2026-11-20").stdout
    assert "success rate 50%" in listing
    assert len(staffed.json("appointment", "list", "--status", "booked")) == 1
    assert staffed.sql("SELECT count(*) FROM interactions WHERE kind = 'appointment'") == [(4,)]


def test_confirmed_appointment_leaves_the_agenda(staffed):
    cid = staffed("customer", "add", "--name", "张三", "--mobile", "13812345678").stdout.strip()
    appointment = staffed("appointment", "book", "--customer", cid, "--at", "2026-11-21 09:30",
                          env={"CRM_USER": "chenjing"}).stdout.strip()
    kinds = lambda: [i["kind"] for i in staffed.json("--as", "chenjing", "today")]
    assert "appointment_confirm" in kinds()
    staffed("--as", "chenjing", "appointment", "confirm", appointment, "--channel", "phone")
    assert "appointment_confirm" not in kinds()
    assert staffed.sql("SELECT kind, outcome, ref FROM interactions WHERE kind = 'appointment_confirm'") == [
        ("appointment_confirm", "confirmed", f"appointment:{appointment}")]
    staffed("appointment", "cancel", appointment)
    staffed("appointment", "confirm", appointment, expect=2)  # only a booked one
    staffed("appointment", "confirm", "999", expect=2)
