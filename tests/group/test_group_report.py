"""crm group report / rank / person on hand-counted exports (both engines): per store, the
group's pooled rates, ranking, filters, formats and bad input."""

from __future__ import annotations

import json

import pytest
from warehouse_helpers import write_export

from crm.group.pseudonym import PHONE, Hasher

KEY = "a-group-key-for-the-report-tests"


def appt(i, at, status, version=1):
    return {"id": i, "customer_id": 1, "at": at, "staff": "chenjing", "status": status, "_version": version}


# S1: 1 arrived of 1 decided (100 %); S2: 1 arrived of 4 decided (25 %), one still ahead today.
# The group: 2 of 5 = 40 % (the average of the stores' rates would be 62.5 %).
S1 = [appt(1, "2026-11-05T09:00", "arrived")]
S2 = [appt(1, "2026-11-05T09:00", "arrived"), appt(2, "2026-11-06T09:00", "no_show"),
      appt(3, "2026-11-07T09:00", "no_show"), appt(4, "2026-11-10T09:00", "booked"),
      appt(5, "2026-11-20T15:00", "booked"), appt(6, "2026-10-06T09:00", "arrived")]


@pytest.fixture(params=["duckdb", "postgresql"])
def loaded(request, crm, tmp_path):
    wh = str(tmp_path / "group.duckdb") if request.param == "duckdb" else request.getfixturevalue("pg_url")
    out = tmp_path / "exports"
    phones = lambda cid, h: {"customer_phones": (["customer_id", "phone_hash"],  # noqa: E731
                                                 [{"customer_id": cid, "phone_hash": h, "kind": "mobile"}])}
    h = Hasher(KEY.encode()).hash(PHONE, "13812345678")
    write_export(out, "S1", 0, 5, {"appointments": (["id"], S1), **phones(1, h),
                                   "visits": (["id"], [{"id": 1, "customer_id": 1, "date_in": "2026-11-02T09:00:00",
                                                        "type": "maintenance", "_version": 2}])})
    write_export(out, "S2", 0, 9, {"appointments": (["id"], S2), **phones(1, h),
                                   "complaints_tickets": (["id"], [
                                       {"id": 1, "customer_id": 1, "state": "registered", "category": "repair_quality",
                                        "severity": "normal", "created_at": "2026-11-08", "_version": 3},
                                       {"id": 2, "customer_id": 1, "state": "closed", "category": "repair_quality",
                                        "severity": "normal", "created_at": "2026-10-08", "_version": 4}])})
    crm("group", "load", out, "--warehouse", wh)
    return wh


def kpi(crm, wh, *more):
    return {r["store"]: r for r in crm.json("group", "report", "kpi", "--warehouse", wh, *more)}


def test_per_store_figures_and_the_group_pools_counts(crm, loaded):
    rows = kpi(crm, loaded)
    assert rows["S1"]["appointment_success_rate"] == 100.0 and rows["S1"]["visits"] == 1
    assert rows["S2"]["appointments"] == 5  # cancelled none; the October one is another month
    assert rows["S2"]["appointment_success_rate"] == 25.0 and rows["S2"]["no_show_rate"] == 50.0
    group = rows[None]
    assert group["scope"] == "group" and group["appointments"] == 6 and group["no_shows"] == 2
    assert group["appointment_success_rate"] == 40.0  # 2 / 5, not (100 + 25) / 2
    assert group["no_show_rate"] == 40.0


def test_monthly_compares_previous_month_and_store_filter(crm, loaded):
    rows = crm.json("group", "report", "monthly", "--warehouse", loaded, "--store", "S2")
    arrived = [r for r in rows if r["key"] == "appointments_arrived"]
    assert [(r["store"], r["value"], r["previous"], r["last_year"]) for r in arrived] == [("S2", 1, 1, 0)]
    assert {r["store"] for r in rows} == {"S2"}
    october = kpi(crm, loaded, "--month", "2026-10")
    assert october["S2"]["appointments_arrived"] == 1 and october[None]["appointments_arrived"] == 1


def test_table_shows_chinese_labels_and_the_group_row(crm, loaded):
    out = crm("group", "report", "kpi", "--warehouse", loaded).stdout
    assert "集团关键绩效指标 2026-11 (截至今日)" in out
    lines = out.splitlines()
    assert lines[1].split() == ["指标", "单位", "S1", "S2", "集团合计"]  # a figure a line, a store a column
    rate = next(x for x in lines if x.startswith("预约成功率"))
    assert rate.split()[1:] == ["100.0%", "25.0%", "40.0%"]
    assert any(x.startswith("进厂台次") for x in lines)
    csv = crm("group", "report", "monthly", "--warehouse", loaded, "--format", "csv").stdout.splitlines()
    assert csv[0] == "门店,范围,月份,代码,指标,单位,本期,上期,去年同期"


def test_rank_best_first(crm, loaded):
    best = crm.json("group", "rank", "appointment_success_rate", "--warehouse", loaded)
    assert [(r["rank"], r["store"], r["value"]) for r in best] == [(1, "S1", 100.0), (2, "S2", 25.0)]
    fewest = crm.json("group", "rank", "no_show_rate", "--warehouse", loaded)
    assert [r["store"] for r in fewest] == ["S1", "S2"]  # lower is better
    assert "预约成功率" in crm("group", "rank", "appointment_success_rate", "--warehouse", loaded).stdout


def test_person_across_stores(crm, loaded):
    env = {"CRM_GROUP_KEY": KEY}
    rows = crm.json("group", "person", "--phone", "138 1234 5678", "--warehouse", loaded, env=env)
    assert [(r["store"], r["visits"], r["open_complaints"]) for r in rows] == [("S1", 1, 0), ("S2", 0, 1)]
    assert rows[1]["complaint_list"][0]["state"] == "registered"
    h = Hasher(KEY.encode()).hash(PHONE, "13812345678")
    assert crm.json("group", "person", h, "--warehouse", loaded) == rows
    other = crm("group", "person", "--phone", "13900000000", "--warehouse", loaded, env=env)
    assert "no store knows this person" in other.stdout + other.stderr


@pytest.mark.parametrize("args, words", [
    (["rank", "no_such_kpi"], "KPI 'no_such_kpi'"),
    (["report", "kpi", "--month", "2026-13"], "--month '2026-13'"),
    (["report", "kpi", "--month", "2027-01"], "lies in the future"),
    (["report", "kpi", "--month", "2026-W03"], "give a month"),
    (["report", "kpi", "--store", "XX9"], "--store XX9: not in the warehouse"),
    (["person", "abc"], "64 hex digits"),
    (["person"], "give the mobile's HASH"),
])
def test_bad_input_one_line(crm, loaded, args, words):
    result = crm("group", *args, "--warehouse", loaded, expect=2)
    assert words in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_person_phone_needs_the_key(crm, loaded):
    result = crm("group", "person", "--phone", "13812345678", "--warehouse", loaded, expect=2)
    assert "no group key" in result.stderr
