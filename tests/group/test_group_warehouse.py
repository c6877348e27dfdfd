"""crm group load on both engines, from export directories written per GROUP-CONTRACT.md
(tests/group/warehouse_helpers.py): upserts by version, tombstones, bookmarks and gaps,
and bad input (one line, exit 2 or 75, the warehouse unchanged)."""

from __future__ import annotations

import json
import socket

import pytest
from warehouse_helpers import write_export

from crm.group.connect import open_warehouse

T = "2026-11-03T09:00:00+08:00"


def cust(i, version, city="北京", op="upsert"):
    if op == "delete":
        return {"id": i, "_op": "delete", "_version": version}
    return {"id": i, "city": city, "created_at": T, "forgotten_at": None, "specialist_id": None, "_version": version}


@pytest.fixture(params=["duckdb", "postgresql"])
def warehouse(request, tmp_path):
    if request.param == "duckdb":
        return str(tmp_path / "group.duckdb")
    return request.getfixturevalue("pg_url")


def load(crm, warehouse, *dirs, expect=0):
    return crm("group", "load", *dirs, "--warehouse", warehouse, "--format", "json", expect=expect)


def snapshot(warehouse) -> dict:
    """Every row of every table of the warehouse (bookkeeping included), sorted."""
    try:
        wh = open_warehouse(warehouse)
    except Exception:
        return {}
    try:
        return {t: sorted(map(repr, wh.execute(f'SELECT * FROM "{t}"'))) for t in sorted(wh.tables())}
    finally:
        wh.close()


def rows(warehouse, table="customers"):
    wh = open_warehouse(warehouse)
    try:
        return wh.query(f"SELECT _store, id, city, _version FROM {table} ORDER BY _store, id")
    finally:
        wh.close()


def one_line_error(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_upsert_keeps_the_highest_version_tombstones_delete_and_reloading_changes_nothing(crm, tmp_path, warehouse):
    out = tmp_path / "exports"
    write_export(out, "S1", 0, 10, {"customers": (["id"], [cust(1, 3), cust(2, 5), cust(3, 7)])})
    write_export(out, "S2", 0, 4, {"customers": (["id"], [cust(1, 4, "上海"), cust(2, 4, ""), cust(3, 4, None),
                                                          cust(4, 4, 'a "quoted", 多行\n城市')])})
    write_export(out, "S1", 10, 20, {"customers": (["id"], [cust(1, 12, "天津"), cust(2, 15, op="delete"),
                                                            cust(4, 18, "廊坊"), cust(4, 19, "保定")])})
    loaded = json.loads(load(crm, warehouse, out).stdout)
    assert [(r["store"], r["since"], r["bookmark"], r["loaded"]) for r in loaded] == [
        ("S1", 0, 10, True), ("S1", 10, 20, True), ("S2", 0, 4, True)]
    expected = [{"_store": "S1", "id": 1, "city": "天津", "_version": 12},
                {"_store": "S1", "id": 3, "city": "北京", "_version": 7},
                {"_store": "S1", "id": 4, "city": "保定", "_version": 19},
                {"_store": "S2", "id": 1, "city": "上海", "_version": 4},
                {"_store": "S2", "id": 2, "city": "", "_version": 4},  # '' stays '', None stays None
                {"_store": "S2", "id": 3, "city": None, "_version": 4},
                {"_store": "S2", "id": 4, "city": 'a "quoted", 多行\n城市', "_version": 4}]
    assert rows(warehouse) == expected
    before = snapshot(warehouse)
    again = json.loads(load(crm, warehouse, out, out / "S1.0-10").stdout)
    assert not any(r["loaded"] for r in again)
    assert snapshot(warehouse) == before
    # a new full export replaces the store; older exports stay ignored
    write_export(out, "S1", 0, 30, {"customers": (["id"], [cust(9, 30, "唐山")])})
    load(crm, warehouse, out)
    assert [r for r in rows(warehouse) if r["_store"] == "S1"] == [{"_store": "S1", "id": 9, "city": "唐山",
                                                                   "_version": 30}]


def test_a_directory_still_being_written_is_left_out(crm, tmp_path, warehouse):
    out = tmp_path / "exports"
    write_export(out, "S1", 0, 10, {"customers": (["id"], [cust(1, 3)])})
    write_export(out, "S1", 10, 20, {"customers": (["id"], [cust(1, 12, "天津")])}, manifest=False)
    loaded = json.loads(load(crm, warehouse, out).stdout)
    assert [(r["bookmark"], r["loaded"]) for r in loaded] == [(10, True)]
    assert rows(warehouse)[0]["city"] == "北京"


def test_a_gap_is_refused_with_nothing_loaded(crm, tmp_path, warehouse):
    out = tmp_path / "exports"
    write_export(out, "S1", 0, 10, {"customers": (["id"], [cust(1, 3)])})
    load(crm, warehouse, out)
    before = snapshot(warehouse)
    later = tmp_path / "later"
    write_export(later, "S2", 0, 5, {"customers": (["id"], [cust(1, 5)])})  # fine on its own
    write_export(later, "S1", 15, 20, {"customers": (["id"], [cust(1, 18, "天津")])})  # 10..15 is missing
    line = one_line_error(load(crm, warehouse, later, expect=2))
    assert "S1.15-20" in line and "gap" in line and "bookmark 10" in line
    assert snapshot(warehouse) == before
    # an incremental export of a store the warehouse has never seen is a gap too
    fresh = tmp_path / "fresh"
    write_export(fresh, "S3", 5, 9, {"customers": (["id"], [cust(1, 6)])})
    assert "holds nothing of S3" in one_line_error(load(crm, warehouse, fresh, expect=2))


@pytest.mark.parametrize("damage", ["no_manifest", "format", "corrupt_parquet", "rows", "not_json"])
def test_bad_exports_one_line_exit_2_warehouse_unchanged(crm, tmp_path, warehouse, damage):
    out = tmp_path / "exports"
    write_export(out, "S1", 0, 10, {"customers": (["id"], [cust(1, 3)])})
    load(crm, warehouse, out)
    before = snapshot(warehouse)
    bad = tmp_path / "bad"
    good = write_export(bad, "S0", 0, 4, {"customers": (["id"], [cust(1, 4)])})  # loaded first, kept only if all load
    d = write_export(bad, "S1", 10, 20, {"customers": (["id"], [cust(1, 12, "天津")])},
                     fmt=2 if damage == "format" else 1)
    target = d
    if damage == "no_manifest":
        target = tmp_path / "empty"
        target.mkdir()
        (target / "customers.parquet").write_bytes((d / "customers.parquet").read_bytes())
    elif damage == "corrupt_parquet":
        raw = (d / "customers.parquet").read_bytes()
        (d / "customers.parquet").write_bytes(raw[:40] + b"\0" * 50 + raw[90:])
    elif damage == "rows":
        m = json.loads((d / "manifest.json").read_text())
        m["tables"]["customers"]["rows"] = 5
        (d / "manifest.json").write_text(json.dumps(m))
    elif damage == "not_json":
        (d / "manifest.json").write_text("{")
    line = one_line_error(load(crm, warehouse, good, target, expect=2))
    assert line.startswith("crm: error:") and str(target.name) in line, line
    assert snapshot(warehouse) == before


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_server_that_does_not_answer_is_exit_75_and_bad_urls_exit_2(crm, tmp_path, postgres_server):
    out = tmp_path / "exports"
    write_export(out, "S1", 0, 10, {"customers": (["id"], [cust(1, 3)])})
    down = f"postgresql://crm:secret@127.0.0.1:{_free_port()}/group"
    line = one_line_error(load(crm, down, out, expect=75))
    assert "does not answer" in line and "secret" not in line
    base = postgres_server.rpartition("/")[0]
    assert "does not exist" in one_line_error(load(crm, f"{base}/no_such_db", out, expect=2))
    assert one_line_error(load(crm, "postgresql://[::1", out, expect=2))
    report = crm("group", "report", "kpi", "--warehouse", down, expect=75)
    assert "does not answer" in one_line_error(report)


def test_a_duckdb_warehouse_is_private_and_reports_need_one(crm, tmp_path):
    out = tmp_path / "exports"
    write_export(out, "S1", 0, 10, {"customers": (["id"], [cust(1, 3)])})
    wh = tmp_path / "group.duckdb"
    load(crm, str(wh), out)
    assert wh.stat().st_mode & 0o777 == 0o600
    missing = crm("group", "report", "kpi", "--warehouse", str(tmp_path / "nope.duckdb"), expect=2)
    assert "no such warehouse" in one_line_error(missing)
    (tmp_path / "junk.duckdb").write_text("not a database")
    junk = crm("group", "report", "kpi", "--warehouse", str(tmp_path / "junk.duckdb"), expect=2)
    assert "not a DuckDB warehouse" in one_line_error(junk)
