"""Consent, do-not-contact, ref, specialist, preferred channel, best time and card dates
from a customer sheet: stored, validated, and never lifted by a re-import."""

from __future__ import annotations

import json

import pytest

from importing_helpers import seed_sample_staff

ZH = "姓名,手机,客户编号,免打扰,允许电话,允许短信,允许微信,允许邮件,专员,首选联系方式,方便联系时间,会员卡号,发卡日期,卡到期日\n"
EN = ("name,mobile,customer ref,do not contact,consent phone,consent sms,consent wechat,consent email,specialist,"
      "preferred channel,best time,card number,card issued,card expires\n")


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def run(crm, path, *args, expect=0):
    return json.loads(crm("customer", "import", path, *args, "--format", "json", expect=expect).stdout)


def consents(crm, cid):
    return dict(crm.sql("SELECT channel, granted FROM customer_consents WHERE customer_id = ?", (cid,)))


@pytest.fixture
def staffed_crm(crm):
    crm("staff", "add", "zhangqian", "--name", "张倩", "--role", "callback")
    crm("staff", "add", "lihai", "--name", "李海", "--role", "archive")
    crm("staff", "add", "wangfang", "--name", "王芳", "--role", "callback")
    crm("staff", "add", "wangfang2", "--name", "王芳", "--role", "archive")
    crm("staff", "add", "gone", "--name", "离职", "--role", "archive")
    crm.execute("UPDATE staff SET active = 0 WHERE code = 'gone'")
    return crm


@pytest.mark.parametrize("header", [ZH, EN])
def test_new_columns_stored(staffed_crm, tmp_path, header):
    crm = staffed_crm
    f = write(tmp_path, "a.csv", header +
              "张三,13812345678,C001,是,是,否,√,×,zhangqian,微信,上午,VIP1,2025-01-02,2027-01-02\n"
              "李四,13912345678,C002,否,Y,N,1,0,李海,电话,晚上7点后,,,\n"
              "王五,13712345678,C003,勿扰,,,,,,,,VIP3,2025/3/5,\n"
              "赵六,13612345678,,,true,false,,,,sms,,,,\n")
    out = run(crm, f)
    assert out["summary"]["inserted"] == 4 and out["summary"]["ignored_columns"] == []
    assert crm.sql("SELECT ref, do_not_contact, specialist_id, preferred_channel, best_time FROM customers"
                   " ORDER BY id") == [("C001", 1, 1, "wechat", "上午"), ("C002", 0, 2, "phone", "晚上7点后"),
                                       ("C003", 1, None, None, None), (None, 0, None, "sms", None)]
    assert consents(crm, 1) == {"phone": 1, "sms": 0, "wechat": 1, "email": 0}
    assert consents(crm, 2) == {"phone": 1, "sms": 0, "wechat": 1, "email": 0}
    assert consents(crm, 3) == {"phone": 1, "sms": 1, "wechat": 1, "email": 1}  # not given: granted
    assert consents(crm, 4) == {"phone": 1, "sms": 0, "wechat": 1, "email": 1}
    assert set(crm.sql("SELECT source FROM customer_consents")) == {("import",)}
    assert crm.sql("SELECT customer_id, number, issued_on, expires_on FROM membership_cards ORDER BY id") == [
        (1, "VIP1", "2025-01-02", "2027-01-02"), (3, "VIP3", "2025-03-05", "2026-03-05")]


def test_invalid_cells_are_rejects(staffed_crm, tmp_path):
    crm = staffed_crm
    f = write(tmp_path, "a.csv", ZH +
              "张三,13812345678,C001,也许,是,是,是,是,,,,,,\n"
              "李四,13912345678,C002,否,是,大概,是,是,nobody,,,,,\n"
              "王五,13712345678,C003,否,是,是,是,是,王芳,,,,,\n"
              "赵六,13612345678,C004,否,是,是,是,是,离职,信鸽,,,,\n"
              "钱七,13512345678,C005,否,是,是,是,是,,,,VIP9,2025-05-01,2024-05-01\n"
              "孙八,13412345678,C006,否,是,是,是,是,lihai,,,,,\n")
    out = run(crm, f, expect=2)
    assert count_customers(crm) == 0
    got = {(r["row"], r["column"]) for r in out["rejects"]}
    assert got == {(2, "免打扰"), (3, "允许短信"), (3, "专员"), (4, "专员"), (5, "专员"), (5, "首选联系方式"),
                   (6, "卡到期日")}
    reasons = {(r["row"], r["column"]): r["reason"] for r in out["rejects"]}
    assert "nobody" in reasons[(3, "专员")] and "more than one" in reasons[(4, "专员")]
    out = run(crm, f, "--skip-invalid", expect=3)
    assert crm.sql("SELECT name, specialist_id FROM customers") == [("孙八", 2)]


def count_customers(crm):
    return crm.sql("SELECT count(*) FROM customers")[0][0]


def test_duplicate_ref_is_a_row_error(crm, tmp_path):
    run(crm, write(tmp_path, "a.csv", "姓名,手机,客户编号\n张三,13812345678,C001\n"))
    f = write(tmp_path, "b.csv", "姓名,手机,客户编号\n李四,13912345678,C001\n张三,13812345678,C001\n"
                                 "王五,13712345678,C002\n赵六,13612345678,C002\n")
    out = run(crm, f, expect=2)
    assert [(r["row"], r["column"], r["value"]) for r in out["rejects"]] == [(2, "客户编号", "C001"),
                                                                           (5, "客户编号", "C002")]
    assert count_customers(crm) == 1
    out = run(crm, f, "--skip-invalid", expect=3)
    assert crm.sql("SELECT name, ref FROM customers ORDER BY id") == [("张三", "C001"), ("王五", "C002")]


def test_reimport_never_lifts_a_restriction(crm, tmp_path):
    h = "姓名,手机,免打扰,允许电话,允许短信,允许微信\n"
    run(crm, write(tmp_path, "a.csv", h + "张三,13812345678,是,是,否,是\n李四,13912345678,否,是,是,是\n"))
    assert crm.sql("SELECT do_not_contact FROM customers ORDER BY id") == [(1,), (0,)]
    # the file now says: may be contacted, sms allowed; 李四 withdrew phone and asked for quiet
    out = run(crm, write(tmp_path, "b.csv", h + "张三,13812345678,否,是,是,是\n李四,13912345678,勿扰,否,是,是\n"))
    assert crm.sql("SELECT do_not_contact FROM customers ORDER BY id") == [(1,), (1,)]
    assert consents(crm, 1) == {"phone": 1, "sms": 0, "wechat": 1, "email": 1}
    assert consents(crm, 2) == {"phone": 0, "sms": 1, "wechat": 1, "email": 1}
    assert out["summary"]["kept_stricter"] == 2 and out["summary"]["updated"] == 1
    # only `crm customer edit --may-contact` lifts it
    crm("customer", "edit", "1", "--may-contact")
    assert crm.sql("SELECT do_not_contact FROM customers WHERE id = 1") == [(0,)]


def test_rows_of_one_customer_strictest_wins(crm, tmp_path):
    f = write(tmp_path, "a.csv", "姓名,手机,车架号,免打扰,允许短信\n"
                                 "张三,13812345678,WBA8E3105JA123456,是,否\n"
                                 "张三,13812345678,WBA8E3107JA654321,否,是\n")
    run(crm, f)
    assert crm.sql("SELECT do_not_contact FROM customers") == [(1,)]
    assert consents(crm, 1)["sms"] == 0


def test_sample_file_stores_the_columns(crm, tmp_path):
    from crm.sampledata.files import write_customers_csv

    seed_sample_staff(crm)
    path = tmp_path / "c.csv"
    write_customers_csv(path, 300, messy=True)
    out = run(crm, path, "--skip-invalid", expect=None)
    s = out["summary"]
    assert s["ignored_columns"] == [] and s["inserted"] > 250
    assert not [r for r in out["rejects"] if r["column"] in ("免打扰", "允许电话", "允许短信", "允许微信", "允许邮件",
                                                            "客户编号", "专员", "首选联系方式", "方便联系时间",
                                                            "发卡日期", "卡到期日")]
    filled = crm.sql("SELECT count(ref), count(specialist_id), count(preferred_channel), count(best_time),"
                     " sum(do_not_contact) FROM customers")[0]
    assert all(filled[:4]) and filled[4] > 0
    assert crm.sql("SELECT count(*) FROM customer_consents WHERE granted = 0")[0][0] > 0
    assert crm.sql("SELECT count(*) FROM membership_cards WHERE issued_on < '2026-11-01'")[0][0] > 0


def test_imported_do_not_contact_is_skipped_by_plans(staffed, tmp_path):
    crm = staffed
    f = write(tmp_path, "a.csv", "姓名,手机,出生日期,城市,免打扰,允许电话\n"
                                 "张三,13812345678,1990-11-20,北京,是,是\n"
                                 "李四,13912345678,1990-11-20,北京,否,否\n"
                                 "王五,13712345678,1990-11-20,北京,否,是\n")
    run(crm, f)
    assert crm("segment", "count", "--city", "北京").stdout.strip() == "2"  # 张三 asked not to be contacted
    notes = {n["customer_id"]: n for n in json.loads(crm(
        "callbacks", "plan", "--as-of", "2026-11-20", "--explain", "--format", "json").stdout)}
    assert notes[1]["decision"] == "skipped" and "do not contact" in notes[1]["why"]
    assert "consent" in notes[2]["why"]
    assert notes[3]["decision"] == "created"
