"""Issue 21, done when: five stores from the sample-data generator (with the plugins' activity,
bench/group_activity.py), each exported, loaded into
DuckDB AND PostgreSQL; each store's figures in the group report — every figure of its own
``crm report monthly`` and ``kpi``, the core's and the plugins' — equal its own report's;
the group totals are their sums (rates from the summed counts); a second export after changes
carries only the changes; a forgotten customer disappears from the warehouse.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from bench.group_store import KEY, MANAGER, build_store, store_env
from crm.cli import make_app
from crm.group.pseudonym import PHONE, Hasher
from crm.group.report import KEYS

pytestmark = pytest.mark.slow

STORES = {"BJ001": (1, 260), "BJ002": (2, 200), "SH001": (3, 240), "SZ001": (4, 220), "GZ001": (5, 180)}
SHARED = "13910886623"  # one person, a customer of BJ001 and SH001
RATES = ("appointment_success_rate", "no_show_rate", "new_archive_completeness", "archive_completeness")
#: units of the figures that are not sums (rates, averages, NPS, an average score): the group's
#: value is computed again from the stores' summed counts
NOT_SUMMED = ("%", "h", "points", "分")
MONTH = ("2026-11-01", "2026-11-21")  # the report's month, to date (CRM_NOW 2026-11-20)


def run(root: Path, *args, ok=(0,)):
    """``crm`` in-process (CliRunner) on the store in ``root`` (or the group's machine)."""
    env = store_env(root, os.environ)
    result = CliRunner().invoke(make_app(environ=env), [str(a) for a in args], env=env, catch_exceptions=False)
    assert result.exit_code in ok, f"crm {' '.join(map(str, args))} -> {result.exit_code}: {result.stderr}"
    return result


def js(root: Path, *args, ok=(0,)):
    return json.loads(run(root, *args, "--format", "json", ok=ok).stdout)


def store_figures(root: Path) -> tuple[dict, dict]:
    """Every figure of the store's own monthly report, the core's and the plugins':
    ({key: (value, previous, last_year)}, {key: unit}); its scorecard (kpi) agrees."""
    report = js(root, "--as", MANAGER, "report", "monthly")
    kpi = {f["key"]: f["value"] for f in js(root, "--as", MANAGER, "report", "kpi")["figures"]}
    out, units = {}, {}
    for f in report["figures"]:
        assert kpi[f["key"]] == f["value"], f["key"]  # the scorecard and the monthly report agree
        out[f["key"]] = (f["value"], f["previous"], f["last_year"])
        units[f["key"]] = f["unit"]
    assert set(kpi) == set(out)
    assert set(KEYS) < set(out)
    return out, units


def sql(root: Path, query: str, params=()) -> list[tuple]:
    conn = sqlite3.connect(root / "crm.db")
    try:
        return conn.execute(query, params).fetchall()
    finally:
        conn.close()


def decided(root: Path) -> tuple[int, int, int]:
    """(arrived, no-shows, the success rate's denominator) of November, counted in the store's SQLite."""
    return sql(root,
               "SELECT count(*) FILTER (WHERE status = 'arrived'), count(*) FILTER (WHERE status = 'no_show'),"
               " count(*) FILTER (WHERE status IN ('arrived', 'no_show')"
               " OR (status = 'booked' AND at < '2026-11-20T10:00:00'))"
               " FROM appointments WHERE at >= '2026-11-01' AND at < '2026-11-21'")[0]


def complaint_parts(root: Path) -> tuple[int, int, int, int]:
    """November's complaints, the invalid ones, the responded ones and their working hours in
    hundredths, from the store's SQLite (the hours as the store stored them for the group)."""
    n, invalid = sql(root, "SELECT count(*), count(*) FILTER (WHERE state = 'invalid') FROM complaints_tickets"
                           " WHERE received_at >= ? AND received_at < ?", MONTH)[0]
    hours = [h for (h,) in sql(root, "SELECT f.respond_hours FROM complaints_timings f JOIN complaints_tickets t"
                                     " ON t.id = f.ticket_id WHERE f.responded_at IS NOT NULL"
                                     " AND t.received_at >= ? AND t.received_at < ?", MONTH)]
    return n, invalid, len(hours), sum(round(h * 100) for h in hours)


def nps_parts(root: Path) -> tuple[int, int, int]:
    """(promoters, detractors, answers) of November's NPS questions, from the store's SQLite."""
    scores = [v for (v,) in sql(root, "SELECT a.value_num FROM campaigns_survey_answers a"
                                      " JOIN campaigns_survey_questions q ON q.id = a.question_id"
                                      " JOIN campaigns_survey_responses r ON r.id = a.response_id"
                                      " WHERE q.nps = 1 AND r.deleted = 0 AND a.value_num IS NOT NULL"
                                      " AND r.answered_at >= ? AND r.answered_at < ?", MONTH)]
    return sum(1 for v in scores if v >= 9), sum(1 for v in scores if v <= 6), len(scores)


def recall_parts(root: Path, lo: str, hi: str) -> int:
    """Recall VINs completed in the workshop from ``lo`` to before ``hi``, from the store's SQLite."""
    return sql(root, "SELECT count(*) FROM campaigns_oem_vins WHERE status = 'completed'"
                     " AND completed_on >= ? AND completed_on < ?", (lo, hi))[0][0]


def call_parts(root: Path) -> tuple[int, int]:
    """(November's callback calls, those that reached the customer), from the store's SQLite."""
    return sql(root, "SELECT count(*), count(*) FILTER (WHERE result <> 'unreachable') FROM callback_calls"
                     " WHERE called_at >= ? AND called_at < ?", MONTH)[0]


def lead_parts(root: Path) -> tuple[int, int]:
    """(November's portal leads by their day in Beijing time, those contacted by contact_due)."""
    china = dt.timezone(dt.timedelta(hours=8))
    leads = on_time = 0
    for created, due, contacted in sql(root, "SELECT created_at, contact_due, first_contact_at FROM portal_leads"):
        day = dt.datetime.fromisoformat(created).astimezone(china).date().isoformat()
        if MONTH[0] <= day < MONTH[1]:
            leads += 1
            on_time += bool(contacted and dt.datetime.fromisoformat(contacted) <= dt.datetime.fromisoformat(due))
    return leads, on_time


@pytest.fixture(scope="module")
def group(tmp_path_factory):
    base = tmp_path_factory.mktemp("group")
    (base / "config.toml").write_text('timezone = "Asia/Shanghai"\n', encoding="utf-8")  # the group's machine
    roots = {code: build_store(base / code, code, n, seed, run=run) for code, (seed, n) in STORES.items()}
    for code in ("BJ001", "SH001"):
        cid = js(roots[code], "--as", MANAGER, "customer", "add", "--name", "张伟", "--mobile", SHARED,
                 "--city", "北京")[0]["id"]
        if code == "SH001":
            run(roots[code], "--as", MANAGER, "complaints", "open", "--customer", cid, "--channel", "phone",
                "--category", "repair_quality", "--description", "保养后异响")
    return base, roots


def load(base: Path, warehouse: str, *dirs: Path, ok=(0,)):
    return run(base, "group", "load", *dirs, "--warehouse", warehouse, "--format", "json", ok=ok)


def group_report(base: Path, warehouse: str, kind: str) -> list[dict]:
    return js(base, "group", "report", kind, "--warehouse", warehouse)


def export(root: Path, out: Path, *since) -> dict:
    return js(root, "--as", MANAGER, "group", "export", "--out", out, *since)


def test_five_stores_two_engines(group, pg_url):
    base, roots = group
    out = base / "exports"
    duck = str(base / "group.duckdb")
    full = {code: export(root, out) for code, root in roots.items()}
    assert all(e["full"] for e in full.values())
    own, units = {}, {}
    for code, root in roots.items():
        own[code], u = store_figures(root)
        units.update(u)
    for wh in (duck, pg_url):
        loaded = json.loads(load(base, wh, out).stdout)
        assert sorted(r["store"] for r in loaded if r["loaded"]) == sorted(STORES)
        monthly = group_report(base, wh, "monthly")
        kpi = {r["store"]: r for r in group_report(base, wh, "kpi")}
        got = {(r["store"], r["key"]): (r["value"], r["previous"], r["last_year"]) for r in monthly}
        keys = {r["key"] for r in monthly}
        # every figure of every store's own report, this month, the previous one, last year's
        for code in STORES:
            want = own[code]
            assert {k: got[(code, k)] for k in want} == want, (wh, code)
            assert {k: kpi[code][k] for k in want} == {k: v[0] for k, v in want.items()}, (wh, code)
        assert keys == set(own["BJ001"])  # every figure, and none the stores do not have
        # the group: counts are the stores' sums, rates are computed from the summed counts
        for key in keys:
            if units[key] not in NOT_SUMMED:
                for i in range(3):
                    assert got[(None, key)][i] == sum(own[c][key][i] or 0 for c in STORES), key
        a, n, d = (sum(x) for x in zip(*(decided(r) for r in roots.values())))
        assert kpi[None]["appointment_success_rate"] == round(100.0 * a / d, 1)
        assert kpi[None]["no_show_rate"] == round(100.0 * n / d, 1)
        rates = [own[c]["archive_completeness"][0] for c in STORES]
        assert min(rates) <= kpi[None]["archive_completeness"] <= max(rates)
        # one rate of each plugin by hand, from the stores' SQLite files
        n, invalid, responded, centi = (sum(x) for x in zip(*(complaint_parts(r) for r in roots.values())))
        assert kpi[None]["complaints.complaints"] == n > 5 * 5
        assert kpi[None]["complaints.invalid_rate"] == round(100.0 * invalid / n, 1)
        assert kpi[None]["complaints.avg_respond_hours"] == round(centi / responded / 100, 2)
        promoters, detractors, answers = (sum(x) for x in zip(*(nps_parts(r) for r in roots.values())))
        assert kpi[None]["campaigns.nps"] == round(100.0 * (promoters - detractors) / answers, 1)
        spans = (MONTH, ("2026-10-01", "2026-10-21"), ("2025-11-01", "2025-11-21"))  # this, previous, last year's
        assert got[(None, "campaigns.recall_completions")] == tuple(
            sum(recall_parts(r, lo, hi) for r in roots.values()) for lo, hi in spans)
        assert all(got[(None, "campaigns.recall_completions")])
        leads, on_time = (sum(x) for x in zip(*(lead_parts(r) for r in roots.values())))
        assert kpi[None]["portal_leads.lead_first_contact_on_time"] == round(100.0 * on_time / leads, 1)
        assert 0 < on_time < leads
        calls, reached = (sum(x) for x in zip(*(call_parts(r) for r in roots.values())))
        assert kpi[None]["callbacks.接通率"] == round(100.0 * reached / calls, 1)
        assert 0 < reached < calls
        # a plugin's figure ranks the stores: the quickest average response first
        ranked = js(base, "group", "rank", "complaints.avg_respond_hours", "--warehouse", wh)
        assert [(r["store"], r["value"]) for r in ranked] == sorted(
            ((c, own[c]["complaints.avg_respond_hours"][0]) for c in STORES), key=lambda cv: (cv[1], cv[0]))
        assert len({r["value"] for r in ranked}) > 1
        # loading the same directories again changes nothing
        again = json.loads(load(base, wh, out).stdout)
        assert not any(r["loaded"] for r in again)
        assert group_report(base, wh, "monthly") == monthly

    # the shared person: two stores, the open complaint in one
    phone_hash = Hasher(KEY.encode()).hash(PHONE, SHARED)
    for wh in (duck, pg_url):
        seen = js(base, "group", "person", "--phone", SHARED, "--warehouse", wh)
        assert [(r["store"], r["open_complaints"]) for r in seen] == [("BJ001", 0), ("SH001", 1)]
        assert js(base, "group", "person", phone_hash, "--warehouse", wh) == seen

    # a second export after changes carries only the changes, and the warehouse follows
    bj1 = roots["BJ001"]
    new = js(bj1, "--as", MANAGER, "customer", "add", "--name", "周杰", "--mobile", "13700001234", "--city", "天津")[0]
    run(bj1, "--as", MANAGER, "customer", "edit", "1", "--city", "上海")
    second = export(bj1, out, "--since", "last")
    assert not second["full"] and second["since"] == full["BJ001"]["bookmark"]
    manifest = json.loads((Path(second["directory"]) / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["tables"]["customers"]["rows"] == 2  # the new customer and the edited one
    assert manifest["tables"]["customer_phones"]["rows"] == 1
    assert second["rows"] == sum(t["rows"] for t in manifest["tables"].values()) < 20
    # the forgotten person: SH001 forgets the shared customer
    sh = roots["SH001"]
    shared_id = [r for r in js(sh, "--as", MANAGER, "customer", "search", SHARED)][0]["id"]
    run(sh, "--as", MANAGER, "customer", "forget", shared_id, "--yes")
    third = export(sh, out, "--since", "last")
    for wh in (duck, pg_url):
        loaded = [r for r in json.loads(load(base, wh, out).stdout) if r["loaded"]]
        assert sorted((r["store"], r["rows"]) for r in loaded) == sorted(
            [("BJ001", second["rows"]), ("SH001", third["rows"])])
        kpi = {r["store"]: r for r in group_report(base, wh, "kpi")}
        assert kpi["BJ001"]["new_customers"] == own["BJ001"]["new_customers"][0] + 1
        for code in ("BJ001", "SH001"):
            fresh = store_figures(roots[code])[0]
            assert {k: kpi[code][k] for k in fresh} == {k: v[0] for k, v in fresh.items()}, code
        seen = js(base, "group", "person", phone_hash, "--warehouse", wh)
        assert [r["store"] for r in seen] == ["BJ001"]
        rows = run(base, "group", "person", "--phone", "13700001234", "--warehouse", wh).stdout
        assert "BJ001" in rows and "天津" in rows
    assert new["id"]
