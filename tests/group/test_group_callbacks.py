"""The callbacks figures in the dealer group's report (plugins/callbacks/group.py): two stores
with callback activity this month, the previous month and the same month last year, made with
the plugin's own commands (plan, record); exported, loaded into DuckDB AND PostgreSQL; each
store's figures in ``crm group report monthly``/``kpi`` equal its own ``crm report``, and the
group's are the stores' counts summed with every rate and the average computed again."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from crm.cli import make_app
from crm.values.vin import make_vin

KEY = "the-group-key-of-the-tests-0123"
NOW = "2026-11-20T10:00:00"  # the report's month: 2026-11-01..20, 2026-10-01..20, 2025-11-01..20
STAFF = [("li", "李经理", "manager"), ("wangfang", "王芳", "callback"), ("sunwei", "孙伟", "advisor")]
FIGURES = ["callbacks.回访次数", "callbacks.接通次数", "callbacks.接通率", "callbacks.应回访任务", "callbacks.已回访",
           "callbacks.按时回访率", "callbacks.未接通结案", "callbacks.逾期未回访", "callbacks.待回访",
           "callbacks_members.应回访会员", "callbacks_members.已回访会员", "callbacks_members.会员覆盖率",
           "callbacks_members.其他渠道回访会员", "callbacks_satisfaction.平均评分", "callbacks_overdue.逾期任务"]
RATES = {"callbacks.接通率": ("callbacks.接通次数", "callbacks.回访次数"),
         "callbacks.按时回访率": (None, "callbacks.应回访任务"),
         "callbacks_members.会员覆盖率": ("callbacks_members.已回访会员", "callbacks_members.应回访会员")}
SPANS = {"value": ("2026-11-01", "2026-11-21"), "previous": ("2026-10-01", "2026-10-21"),
         "last_year": ("2025-11-01", "2025-11-21")}


class Store:
    """One store's crm, run in-process (CliRunner) with its own database, config and clock."""

    def __init__(self, root: Path, code: str | None):
        self.root, self.code = root, code
        root.mkdir(parents=True, exist_ok=True)
        for name in ("crm.db", "config.toml"):
            os.close(os.open(root / name, os.O_WRONLY | os.O_CREAT, 0o600))
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("CRM_")}
        self.env.update({"CRM_DB": str(root / "crm.db"), "CRM_CONFIG": str(root / "config.toml"),
                         "CRM_NOW": NOW, "CRM_GROUP_KEY": KEY,
                         **{f"XDG_{d}_HOME": str(root / d.lower()) for d in ("DATA", "CONFIG", "STATE")}})
        if code:
            self.env["CRM_DEALER_CODE"] = code

    def __call__(self, *args, now: str | None = None, user: str | None = "li"):
        env = {**self.env, **({"CRM_NOW": now} if now else {})}
        who = ["--as", user] if user else []
        result = CliRunner().invoke(make_app(environ=env), [*who, *map(str, args)], env=env,
                                    catch_exceptions=False)
        assert result.exit_code == 0, f"crm {' '.join(map(str, args))} -> {result.exit_code}: {result.stderr}"
        return result

    def json(self, *args, **kwargs):
        return json.loads(self(*args, "--format", "json", **kwargs).stdout)

    def sql(self, query, params=()):
        conn = sqlite3.connect(self.root / "crm.db")
        try:
            return conn.execute(query, params).fetchall()
        finally:
            conn.close()


def _day(text: str, days: int) -> str:
    return (dt.date.fromisoformat(text) + dt.timedelta(days=days)).isoformat()


class Month:
    """A month of callbacks in one store: cars out on day 3 (and 12), the plan the next day, calls."""

    def __init__(self, store: Store, ym: str, variant: int, shift: int = 0):
        self.s, self.ym, self.v, self.shift = store, ym, variant, shift
        self.n = 0

    def customer(self, *, member=False, consent=()) -> int:
        self.n += 1
        tag = f"{self.ym.replace('-', '')}{self.v}{self.n:02d}"
        cid = self.s.json("customer", "add", "--name", f"客户{tag}", "--mobile", f"139{tag[-8:]}", *consent,
                          now=f"{self.ym}-01T09:00:00")[0]["id"]
        if member:
            self.s("card", "issue", "--customer", cid, "--number", f"M{tag}", "--issued", "2024-01-01",
                   "--expires", "2029-12-31", now=f"{self.ym}-01T09:00:00")
        vin = make_vin(f"LBV12{tag}00")
        self.s("vehicle", "add", "--vin", vin, "--customer", cid, "--plate", f"京A{tag[-5:]}", "--model", "530Li",
               now=f"{self.ym}-01T09:00:00")
        return cid, vin

    def visit(self, vin: str, day: int) -> None:
        out = f"{self.ym}-{day:02d}"
        self.s("visit", "add", "--ro", f"RO{vin[-8:]}{day}", "--vin", vin, "--in", out, "--out", out,
               "--type", "maintenance", "--advisor", "sunwei", now=f"{out}T18:00:00")

    def plan(self, day: int) -> None:
        on = f"{self.ym}-{day:02d}"
        self.s("callbacks", "plan", "--as-of", on, now=f"{on}T07:00:00")

    def task(self, cid: int) -> tuple[int, str, str]:
        [(tid, due, status)] = self.s.sql("SELECT id, due_on, status FROM callback_tasks WHERE customer_id = ?"
                                          " AND rules LIKE '%service_visit%'", (cid,))
        return tid, due, status

    def record(self, cid: int, when: str, result: str, *extra) -> None:
        tid, _, _ = self.task(cid)
        self.s("callbacks", "record", tid, "--result", result, *extra, now=when, user="wangfang")

    def run(self, *, late: bool = True) -> None:
        v, ym = self.v, self.ym
        happy = self.customer()
        member = self.customer(member=True)
        by_sms = self.customer(member=True, consent=("--no-consent", "phone", "--consent", "sms"))
        nobody = self.customer(member=True, consent=("--no-consent", "phone", "--no-consent", "sms",
                                                     "--no-consent", "wechat"))
        silent = self.customer()        # never called: open, overdue, then missed
        far = self.customer()           # unreachable three times: closed unreachable
        slow = self.customer(member=True)  # reached after the due day
        again = self.customer()         # asks to be called back, then neutral
        for _, vin in (happy, member, by_sms, nobody, silent, far, slow, again):
            self.visit(vin, 3)
        self.plan(4)
        self.record(happy[0], f"{ym}-04T10:00:00", "satisfied", "--score", str(9 - v - self.shift),
                    "--length", "180")
        self.record(member[0], f"{ym}-04T10:30:00", "dissatisfied", "--score", str(3 + v), "--aspect", "price",
                    "--note", "保养价格太贵")
        for hour in (10, 14, 16):
            if self.task(far[0])[2] == "open":
                self.record(far[0], f"{ym}-04T{hour}:45:00", "unreachable")
        self.record(again[0], f"{ym}-04T11:00:00", "call_back", "--at", f"{ym}-05T19:00:00")
        self.record(again[0], f"{ym}-05T19:05:00", "neutral")
        if late:
            _, due, _ = self.task(slow[0])
            self.record(slow[0], f"{_day(due, 2)}T10:00:00", "satisfied", "--score", "10")
        if v == 0:  # a second visit in the middle of the month: a task still open on the report's day
            later = self.customer(member=True)
            self.visit(later[1], 12)
            self.plan(13)
            self.record(later[0], f"{ym}-13T10:00:00", "unreachable")
        if v == 0 and ym == "2026-11":  # out on Tuesday 17th: due on the 20th, the report's day: not overdue
            last = self.customer()
            self.visit(last[1], 17)
            self.plan(18)
            assert self.task(last[0])[1:] == ("2026-11-20", "open")


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    base = tmp_path_factory.mktemp("callbacks-group")
    out = {}
    for code, variant in (("BJ001", 0), ("SH001", 1)):
        s = Store(base / code, code)
        for staff, name, role in STAFF:
            s("staff", "add", staff, "--name", name, "--role", role, user="li" if staff != "li" else None)
        s("group", "enable")
        for shift, ym in enumerate(("2025-11", "2026-10", "2026-11")):
            Month(s, ym, variant, shift).run(late=(variant == 0 or ym != "2026-10"))
        s("callbacks", "plan", "--as-of", "2026-11-20", now="2026-11-20T07:00:00")  # expires the late ones
        s("group", "export", "--out", base / "outbox")
        out[code] = s
    # one outside the spans: called on 21 October (the previous span ends on the 20th)
    s = out["SH001"]
    m = Month(s, "2026-10", 7)
    cid, vin = m.customer()
    m.visit(vin, 19)
    m.plan(20)
    m.record(cid, "2026-10-21T09:00:00", "satisfied", "--score", "0")
    s("group", "export", "--out", base / "outbox", "--since", "last")
    return base, out


def own_figures(store: Store) -> dict:
    """{key: (value, previous, last_year)} of the store's own monthly report; its KPI agrees."""
    monthly = {f["key"]: f for f in store.json("report", "monthly")["figures"]}
    kpi = {f["key"]: f["value"] for f in store.json("report", "kpi")["figures"]}
    out = {}
    for key in FIGURES:
        f = monthly[key]
        assert kpi[key] == f["value"], key
        out[key] = (f["value"], f["previous"], f["last_year"])
    return out


def scored(stores: dict, span: str) -> tuple[int, int]:
    """(score total, scored calls) of the span over every store, from their SQLite files."""
    lo, hi = SPANS[span]
    total = n = 0
    for s in stores.values():
        [(t, k)] = s.sql("SELECT coalesce(sum(score), 0), count(score) FROM callback_calls"
                         " WHERE called_at >= ? AND called_at < ? AND result NOT IN ('unreachable', 'call_back')",
                         (lo, hi))
        total, n = total + t, n + k
    return total, n


def _group(base: Path) -> Store:
    """The group's machine: no store's database, the same clock, nobody logged in."""
    return Store(base / "hq", None)


@pytest.fixture(params=["duckdb", "postgresql"])
def warehouse(request, stores):
    base, _ = stores
    if request.param == "duckdb":
        wh = str(base / "group.duckdb")
        if Path(wh).exists():  # loaded by an earlier test of the module
            return wh
    else:
        wh = request.getfixturevalue("pg_url")
    _group(base)("group", "load", base / "outbox", "--warehouse", wh, user=None)
    return wh


def test_the_data_make_every_callbacks_figure_count(stores):
    """Otherwise the comparison below could not fail: every figure has a value this month,
    the rates are neither 0 nor 100 %, and the previous month and last year have calls too."""
    _, by_code = stores
    mine = own_figures(by_code["BJ001"])
    assert all(mine[k][0] not in (0, None) for k in FIGURES), mine
    for rate in RATES:
        assert 0 < mine[rate][0] < 100, (rate, mine[rate])
    theirs = own_figures(by_code["SH001"])
    for key in ("callbacks.回访次数", "callbacks.逾期未回访", "callbacks_members.会员覆盖率",
                "callbacks_satisfaction.平均评分"):
        for figures in (mine, theirs):
            assert all(v not in (0, None) for v in figures[key]), (key, figures[key])
    assert mine != theirs


def test_each_stores_callbacks_figures_in_the_group_report_are_its_own(stores, warehouse):
    base, by_code = stores
    group = _group(base)
    rows = group.json("group", "report", "monthly", "--warehouse", warehouse, user=None)
    got = {(r["store"], r["key"]): (r["value"], r["previous"], r["last_year"]) for r in rows}
    for code, s in by_code.items():
        mine = own_figures(s)
        assert {k: got[(code, k)] for k in FIGURES} == mine, code
    kpi = {r["store"]: r for r in group.json("group", "report", "kpi", "--warehouse", warehouse, user=None)}
    for code, s in by_code.items():
        assert {k: kpi[code][k] for k in FIGURES} == {k: v[0] for k, v in own_figures(s).items()}
    ranked = group.json("group", "rank", "callbacks.接通率", "--warehouse", warehouse, user=None)
    rates = {code: own_figures(s)["callbacks.接通率"][0] for code, s in by_code.items()}
    assert [(r["store"], r["value"]) for r in ranked] == sorted(rates.items(), key=lambda kv: -kv[1])
    one = group.json("group", "report", "monthly", "--warehouse", warehouse, "--store", "SH001", user=None)
    assert {r["key"]: (r["value"], r["previous"], r["last_year"]) for r in one if r["key"] in FIGURES} == \
        own_figures(by_code["SH001"])


def test_the_groups_callbacks_figures_are_the_summed_counts(stores, warehouse):
    base, by_code = stores
    rows = _group(base).json("group", "report", "monthly", "--warehouse", warehouse, user=None)
    got = {(r["store"], r["key"]): (r["value"], r["previous"], r["last_year"]) for r in rows}
    own = {code: own_figures(s) for code, s in by_code.items()}
    for i, span in enumerate(("value", "previous", "last_year")):
        def total(key):
            return sum(own[c][key][i] for c in own)

        for key in FIGURES:
            if key in RATES or key == "callbacks_satisfaction.平均评分":
                continue
            assert got[(None, key)][i] == total(key), (span, key)
        for rate, (part, whole) in RATES.items():
            if part is None:  # tasks done on time: the rate times the tasks, per store
                part_n = sum(round(own[c][rate][i] * own[c][whole][i] / 100) for c in own if own[c][whole][i])
            else:
                part_n = total(part)
            expected = round(100.0 * part_n / total(whole), 1) if total(whole) else None
            assert got[(None, rate)][i] == expected, (span, rate)
        score_total, n = scored(by_code, span)
        assert got[(None, "callbacks_satisfaction.平均评分")][i] == (round(score_total / n, 2) if n else None)
    # not the average of the stores' rates
    rate = "callbacks_members.会员覆盖率"
    assert got[(None, rate)][0] != round((own["BJ001"][rate][0] + own["SH001"][rate][0]) / 2, 1)


def test_a_store_without_the_callbacks_tables_has_no_callbacks(crm, tmp_path):
    """A store whose export holds no callbacks table (the plugin not installed there): zero
    calls, no rates; the report still runs."""
    from warehouse_helpers import write_export

    out, wh = tmp_path / "exports", str(tmp_path / "group.duckdb")
    write_export(out, "S3", 0, 2, {"visits": (["id"], [
        {"id": 1, "customer_id": 1, "date_in": "2026-11-02T09:00:00", "type": "maintenance", "_version": 2}])})
    crm("group", "load", out, "--warehouse", wh)
    [row] = crm.json("group", "report", "kpi", "--warehouse", wh, "--store", "S3")
    assert row["callbacks.回访次数"] == 0 and row["callbacks.接通率"] is None
    assert row["callbacks_satisfaction.平均评分"] is None and row["callbacks_members.应回访会员"] == 0
    assert [k for k in row if k.startswith("callbacks")] == FIGURES
