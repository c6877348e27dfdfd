"""Customers: add, edit, show (masking), list filters, invalid values."""

import json

import pytest

VIN = "WBA8E3105JA123456"
VIN2 = "LBVNU79004SK12345"


def add(crm, *args, **kw):
    return int(crm("customer", "add", *args, **kw).stdout.strip())


def test_add_normalises_everything(staffed):
    cid = add(staffed, "--name", " 张 三 ", "--mobile", "+86 138-1234-5678", "--landline", "(010)12345678",
              "--gender", "男", "--birthday", "1980年3月5日", "--wechat", "zhangsan_88", "--email",
              "Zhang@QQ.com", "--city", "北京", "--tag", "老客户", "--no-consent", "sms", "--specialist", "wangfang",
              env={"CRM_USER": "li"})
    row = staffed.sql("SELECT name, mobile, landline, gender, birthday, email, name_pinyin, name_initials,"
                      " specialist_id FROM customers WHERE id = ?", (cid,))[0]
    assert row[:7] == ("张三", "13812345678", "010-12345678", "M", "1980-03-05", "zhang@qq.com", "zhangsan")
    assert row[7] == "zs" and row[8] is not None
    phones = staffed.sql("SELECT phone, kind, tail4 FROM customer_phones WHERE customer_id = ? ORDER BY phone", (cid,))
    assert phones == [("010-12345678", "landline", "5678"), ("13812345678", "mobile", "5678")]
    consent = dict(staffed.sql("SELECT channel, granted FROM customer_consents WHERE customer_id = ?", (cid,)))
    assert consent == {"phone": 1, "sms": 0, "wechat": 1, "email": 1}


@pytest.mark.parametrize("option,value", [
    ("--mobile", "12345"), ("--mobile", "23812345678"), ("--email", "not-an-email"), ("--gender", "maybe"),
    ("--birthday", "2025-02-30"), ("--birthday", "yesterday"), ("--channel", "pigeon"),
    ("--consent", "fax"), ("--specialist", "nobody"), ("--name", "13812345678"), ("--wechat", "?"),
])
def test_invalid_customer_values_exit_2_and_change_nothing(staffed, option, value):
    args = ["--name", "张三"] if option != "--name" else []
    result = staffed("customer", "add", *args, option, value, expect=2)
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1
    assert staffed.sql("SELECT count(*) FROM customers") == [(0,)]


def test_edit_records_changes_and_fires_hook(staffed):
    from crm import hookimpl

    seen = []

    class Spy:
        @hookimpl
        def on_customer_updated(self, tx, customer, changes):
            seen.append(changes)

    staffed.plugins.append(Spy())
    cid = add(staffed, "--name", "张三", "--mobile", "13812345678", "--city", "北京")
    out = staffed.json("customer", "edit", str(cid), "--city", "上海", "--mobile", "13900001111", "--tag", "VIP客户",
                       "--no-consent", "wechat", env={"CRM_USER": "li"})
    fields = {r["field"]: (r["old"], r["new"]) for r in out}
    assert fields["city"] == ("北京", "上海") and fields["mobile"] == ("13812345678", "13900001111")
    assert fields["consent.wechat"] == (True, False)
    assert seen and "city" in seen[-1] and seen[-1]["tags"] == ([], ["VIP客户"])
    assert staffed.sql("SELECT phone FROM customer_phones WHERE customer_id = ?", (cid,)) == [("13900001111",)]
    audit = staffed.sql("SELECT detail FROM audit_log WHERE action = 'update' AND entity = 'customer'")
    assert "上海" not in audit[-1][0] and "city" in audit[-1][0]
    # invalid edit: nothing changes
    staffed("customer", "edit", str(cid), "--city", "广州", "--email", "x@", expect=2)
    assert staffed.sql("SELECT city FROM customers WHERE id = ?", (cid,)) == [("上海",)]
    staffed("customer", "edit", str(cid), "--clear", "city")
    assert staffed.sql("SELECT city FROM customers WHERE id = ?", (cid,)) == [(None,)]
    staffed("customer", "edit", str(cid), "--clear", "name", expect=2)
    staffed("customer", "edit", str(cid), expect=2)


def test_show_masks_by_role(staffed):
    cid = add(staffed, "--name", "张三", "--mobile", "13812345678", "--email", "zs@example.com",
              "--address", "北京市朝阳区某路1号")
    staffed("vehicle", "add", "--vin", VIN, "--customer", str(cid), "--plate", "京A12345", "--model", "530Li")
    full = staffed.json("customer", "show", str(cid), env={"CRM_USER": "wangfang"})
    assert full["customer"]["mobile"] == "13812345678"
    masked = staffed.json("customer", "show", str(cid), env={"CRM_USER": "sunwei"})
    assert masked["customer"]["mobile"] == "138****5678"
    assert masked["customer"]["email"].startswith("z***@") and "朝阳" not in masked["customer"]["address"]
    titles = [s["title"] for s in masked["sections"]]
    assert titles[:5] == ["Vehicles", "Recent visits", "Interaction log", "Appointments", "Membership cards"]
    table = staffed("customer", "show", str(cid), env={"CRM_USER": "sunwei"}).stdout
    assert "138****5678" in table and "京A12345" in table and "13812345678" not in table
    listing = staffed.json("customer", "list", env={"CRM_USER": "sunwei"})
    assert listing[0]["mobile"] == "138****5678"


def test_list_filters(staffed):
    a = add(staffed, "--name", "张三", "--city", "北京", "--tag", "车友会", "--mobile", "13812345678")
    b = add(staffed, "--name", "李四", "--city", "上海", "--no-consent", "sms", "--mobile", "13912345678")
    c = add(staffed, "--name", "王五", "--city", "北京", "--do-not-contact")
    staffed("vehicle", "add", "--vin", VIN, "--customer", str(a), "--plate", "京A12345", "--model", "5系 530Li")
    staffed("vehicle", "add", "--vin", VIN2, "--customer", str(b), "--plate", "沪AD12345", "--model", "X5")
    staffed("visit", "add", "--ro", "RO1", "--vin", VIN, "--in", "2026-01-10", "--out", "2026-01-10")
    staffed("visit", "add", "--ro", "RO2", "--vin", VIN2, "--in", "2026-10-10", "--out", "2026-10-10")
    staffed("card", "issue", "--customer", str(a), "--number", "M0001", "--level", "金卡")
    staffed("customer", "edit", str(b), "--specialist", "wangfang")

    def ids(*args):
        return [r["id"] for r in staffed.json("customer", "list", *args)]

    assert ids("--city", "北京") == [a, c]
    assert ids("--model", "5系") == [a]
    assert ids("--level", "金卡") == [a]
    assert ids("--specialist", "wangfang") == [b]
    assert ids("--specialist", "none") == [a, c]
    assert ids("--last-visit-before", "2026-06-01") == [a]
    assert ids("--last-visit-after", "2026-06-01") == [b]
    assert ids("--never-visited") == [c]
    assert ids("--tag", "车友会") == [a]
    assert ids("--consent", "sms") == [a]  # the contact policy: consent, not do-not-contact, a mobile
    assert ids("--do-not-contact") == [c]
    assert ids("--contactable", "--city", "北京") == [a]
    staffed("customer", "list", "--last-visit-before", "soon", expect=2)
    staffed("customer", "list", "--consent", "fax", expect=2)
    csv = staffed("customer", "list", "--format", "csv").stdout
    assert csv.splitlines()[0].startswith("id,name,mobile")


def test_filter_module_is_reusable(staffed):
    from crm.archive.filters import CustomerFilter, compile_filter

    where, params = compile_filter({"city": ["北京", "上海"], "consent": "sms", "model": "X5"})
    assert "?" in where and "北京" not in where and params[0] == '["北京", "上海"]'  # one JSON parameter
    with pytest.raises(Exception):
        CustomerFilter.from_dict({"colour": "red"})


def test_classify_rules(staffed):
    a = add(staffed, "--name", "张三")
    b = add(staffed, "--name", "李四")
    staffed("vehicle", "add", "--vin", VIN, "--customer", str(a))
    for i, day in enumerate(["2026-03-01", "2026-06-01", "2026-09-01", "2026-11-01"]):
        staffed("visit", "add", "--ro", f"R{i}", "--vin", VIN, "--in", day, "--out", day, "--amount", "6000")
    out = staffed.json("customer", "classify")
    assert {r["id"]: r["new"] for r in out} == {a: "VIP", b: "C"}
    assert staffed.json("customer", "classify") == []
    staffed.write_config('[archive.classification]\nwindow_days = 30\n')
    assert {r["id"]: r["new"] for r in staffed.json("customer", "classify", "--dry-run")} == {a: "B"}
