"""Care campaigns (never twice, gifts), lunar festivals, win-back, referrals, merge and forget."""

import datetime as dt

import chinese_calendar
import pytest
from campaigns_helpers import VINS, fake, set_consent, world, write_sql  # noqa: F401

from crm_campaigns import lunar


@pytest.mark.parametrize("year", range(2012, 2027))
def test_lunar_festivals_fall_in_chinesecalendar_holidays(year):
    for key, name in (("spring_festival", "Spring Festival"), ("dragon_boat", "Dragon Boat Festival"),
                      ("mid_autumn", "Mid-autumn Festival")):
        day = lunar.festival_date(key, year)
        holiday = chinese_calendar.get_holiday_detail(day)[1]
        assert holiday == name or (year, key) in {(2012, "dragon_boat"), (2020, "mid_autumn")}, (key, day)
    assert lunar.festival_date("mid_autumn", 2020) == dt.date(2020, 10, 1)  # coincided with National Day


def test_birthday_holiday_and_renewal_never_twice_with_gifts(world):
    crm = world
    i = crm.ids
    write_sql(crm, "UPDATE customers SET birthday = '1990-11-20' WHERE id = ?", (i["li"],))
    write_sql(crm, "UPDATE customers SET do_not_contact = 1 WHERE id = ?", (i["wang"],))
    write_sql(crm, "UPDATE customers SET birthday = '1985-11-20' WHERE id = ?", (i["wang"],))
    set_consent(crm, i["li"], "sms", False)
    write_sql(crm, "UPDATE customers SET wechat = 'li_si' WHERE id = ?", (i["li"],))
    crm("-q", "campaigns", "care", "run")
    r = crm("-q", "campaigns", "care", "run")
    assert r.stdout == "" and r.stderr == ""
    birthdays = [m for m in crm.fake.messages if "生日快乐" in m["text"]]
    assert sorted((m["customer_id"], m["channel"]) for m in birthdays) == \
        sorted([(i["zhang"], "sms"), (i["li"], "wechat")])
    gifts = crm.json("campaigns", "gift", "list")
    assert sorted(g["customer_id"] for g in gifts) == sorted([i["zhang"], i["li"]])
    assert gifts[0]["status"] == "planned" and gifts[0]["campaign"] == "birthday"
    crm("campaigns", "gift", "give", gifts[0]["id"])
    crm("campaigns", "gift", "give", gifts[0]["id"], expect=2)
    assert crm.sql("SELECT count(*) FROM interactions WHERE kind = 'gift'")[0][0] == 3
    # mid-autumn 2026 is on 25 September; greetings go out the day before, once
    crm.fake.messages.clear()
    crm("campaigns", "care", "run", "--as-of", "2026-09-23", "--kind", "holiday")
    assert crm.fake.messages == []
    crm("campaigns", "care", "run", "--as-of", "2026-09-24", "--kind", "holiday")
    crm("campaigns", "care", "run", "--as-of", "2026-09-25", "--kind", "holiday")
    assert len(crm.fake.messages) == 3 and all("中秋节" in m["text"] for m in crm.fake.messages)
    # card renewal within 30 days of expiry
    write_sql(crm, "INSERT INTO membership_cards (customer_id, number, level, issued_on, expires_on, created_at,"
                   " updated_at) VALUES (?, 'VIP00012345', '金卡', '2025-12-01', '2026-12-10', 'x', 'x')", (i["zhao"],))
    crm.fake.messages.clear()
    crm("campaigns", "care", "run", "--kind", "renewal")
    crm("campaigns", "care", "run", "--kind", "renewal", "--as-of", "2026-11-21")
    assert [m["customer_id"] for m in crm.fake.messages] == [i["zhao"]]
    assert "尾号2345" in crm.fake.messages[0]["text"] and "2026-12-10" in crm.fake.messages[0]["text"]
    dry = crm.json("campaigns", "care", "run", "--dry-run", "--as-of", "2027-11-20", "--kind", "birthday")
    assert {d["status"] for d in dry} == {"would_send"}
    holidays = {h["holiday"]: h["date"] for h in crm.json("campaigns", "care", "holidays", "--year", "2026")}
    assert holidays["spring_festival"] == "2026-02-17" and holidays["dragon_boat"] == "2026-06-19"


def test_winback_and_referrals(world):
    crm = world
    i = crm.ids
    crm("visit", "add", "--ro", "R1", "--vin", VINS[1], "--in", "2024-06-01", "--out", "2024-06-01")
    assert crm("campaigns", "winback", "segment", "--months", "12").stdout.split() == ["churned-12m", "4"]
    crm("campaigns", "winback", "run", "--segment", "churned-12m", "--offer", "免费检测")
    crm("campaigns", "winback", "run", "--segment", "churned-12m", "--offer", "免费检测")
    assert len(crm.fake.messages) == 4 and "免费检测" in crm.fake.messages[0]["text"]
    crm("visit", "add", "--ro", "R2", "--vin", VINS[1], "--in", "2026-12-01", "--out", "2026-12-01", "--amount", "1200")
    report = crm.json("campaigns", "winback", "report", env={"CRM_NOW": "2026-12-10T10:00:00"})[0]
    assert (report["targets"], report["came_back"], report["amount"]) == (4, 1, 1200)
    ref = int(crm("campaigns", "referral", "add", "--referrer", i["zhang"], "--name", "孙八", "--phone",
                  "13312345678", "--interest", "X3", "--on", "2026-11-01").stdout)
    crm("campaigns", "referral", "add", "--referrer", i["zhang"], "--referred", i["zhang"], expect=2)
    new = int(crm("customer", "add", "--name", "孙八", "--mobile", "13312345678").stdout)
    crm("vehicle", "add", "--vin", "WBA8E3105JA000001", "--customer", new, "--model", "X3", "--delivered", "2026-11-15")
    crm("campaigns", "referral", "update", ref, "--referred", new, "--reward", "保养券")
    rows = crm.json("--as", "li", "campaigns", "referral", "list")
    assert rows[0]["result"] == "purchased" and rows[0]["purchased_on"] == "2026-11-15"
    assert crm.json("campaigns", "referral", "report")[0]["purchased"] == 1
    crm("campaigns", "referral", "update", ref, "--outcome", "won", expect=2)


def test_merge_and_forget(world):
    crm = world
    from test_recalls import portal

    from crm.context import App

    i = crm.ids
    event = int(crm("event", "create", "--title", "冬季检测", "--start", "2026-12-05 09:00", "--place", "车间").stdout)
    crm("segment", "save", "two", "--customer", i["zhang"], "--customer", i["li"])
    crm("event", "invite", event, "--segment", "two")
    crm("event", "rsvp", event, i["li"], "accepted", "--note", "带家人")
    crm("campaigns", "referral", "add", "--referrer", i["li"], "--name", "某人", "--phone", "13312345678")
    app = App(extra_plugins=crm.plugins)
    try:
        with app.transaction() as tx:
            tx.fire("on_customers_merged", kept_id=i["zhang"], merged_id=i["li"])
        assert app.store.scalar("SELECT count(*) FROM campaigns_invitations WHERE customer_id = ?", (i["li"],)) == 0
        assert app.store.scalar("SELECT referrer_id FROM campaigns_referrals") == i["zhang"]
        with app.transaction() as tx:
            tx.fire("on_customer_forgotten", customer_id=i["zhang"], erased={"vins": [], "phones": []})
        assert app.store.query("SELECT to_addr, text FROM campaigns_messages") == [{"to_addr": None, "text": None}] * 2
        assert app.store.scalar("SELECT referred_phone FROM campaigns_referrals") is None
    finally:
        app.store.close()
    assert portal  # imported helper stays in use
