"""Issue 21, done when: five stores from the sample-data generator, each exported, loaded into
DuckDB AND PostgreSQL; each store's figures in the group report equal its own ``crm report``;
the group totals are their sums (rates from the summed counts); a second export after changes
carries only the changes; a forgotten customer disappears from the warehouse.
"""

from __future__ import annotations

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


def run(root: Path, *args, ok=(0,)):
    """``crm`` in-process (CliRunner) on the store in ``root`` (or the group's machine)."""
    env = store_env(root, os.environ)
    result = CliRunner().invoke(make_app(environ=env), [str(a) for a in args], env=env, catch_exceptions=False)
    assert result.exit_code in ok, f"crm {' '.join(map(str, args))} -> {result.exit_code}: {result.stderr}"
    return result


def js(root: Path, *args, ok=(0,)):
    return json.loads(run(root, *args, "--format", "json", ok=ok).stdout)


def store_figures(root: Path) -> dict:
    """{key: (value, previous, last_year)} of the store's own monthly report (its core figures)."""
    report = js(root, "--as", MANAGER, "report", "monthly")
    kpi = {f["key"]: f["value"] for f in js(root, "--as", MANAGER, "report", "kpi")["figures"]}
    out = {}
    for f in report["figures"]:
        if f["key"] in KEYS:
            assert kpi[f["key"]] == f["value"]  # the scorecard and the monthly report agree
            out[f["key"]] = (f["value"], f["previous"], f["last_year"])
    return out


def decided(root: Path) -> tuple[int, int, int]:
    """(arrived, no-shows, the success rate's denominator) of November, counted in the store's SQLite."""
    conn = sqlite3.connect(root / "crm.db")
    try:
        return conn.execute(
            "SELECT count(*) FILTER (WHERE status = 'arrived'), count(*) FILTER (WHERE status = 'no_show'),"
            " count(*) FILTER (WHERE status IN ('arrived', 'no_show')"
            " OR (status = 'booked' AND at < '2026-11-20T10:00:00'))"
            " FROM appointments WHERE at >= '2026-11-01' AND at < '2026-11-21'").fetchone()
    finally:
        conn.close()


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
    own = {code: store_figures(root) for code, root in roots.items()}
    for wh in (duck, pg_url):
        loaded = json.loads(load(base, wh, out).stdout)
        assert sorted(r["store"] for r in loaded if r["loaded"]) == sorted(STORES)
        monthly = group_report(base, wh, "monthly")
        kpi = {r["store"]: r for r in group_report(base, wh, "kpi")}
        got = {(r["store"], r["key"]): (r["value"], r["previous"], r["last_year"]) for r in monthly}
        for code in STORES:
            for key in KEYS:
                assert got[(code, key)] == own[code][key], (wh, code, key)
                assert kpi[code][key] == own[code][key][0]
        # the group: counts are the stores' sums, rates are computed from the summed counts
        for key in KEYS:
            if key not in RATES:
                for i in range(3):
                    assert got[(None, key)][i] == sum(own[c][key][i] or 0 for c in STORES), key
        a, n, d = (sum(x) for x in zip(*(decided(r) for r in roots.values())))
        assert kpi[None]["appointment_success_rate"] == round(100.0 * a / d, 1)
        assert kpi[None]["no_show_rate"] == round(100.0 * n / d, 1)
        rates = [own[c]["archive_completeness"][0] for c in STORES]
        assert min(rates) <= kpi[None]["archive_completeness"] <= max(rates)
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
            fresh = store_figures(roots[code])
            assert {k: kpi[code][k] for k in KEYS} == {k: v[0] for k, v in fresh.items()}, code
        seen = js(base, "group", "person", phone_hash, "--warehouse", wh)
        assert [r["store"] for r in seen] == ["BJ001"]
        rows = run(base, "group", "person", "--phone", "13700001234", "--warehouse", wh).stdout
        assert "BJ001" in rows and "天津" in rows
    assert new["id"]
