"""crm group export (issue 21, the store side): full and incremental exports, idempotence,
crash safety, bad input."""

from __future__ import annotations

import json
import os
import time

import pytest

from group_helpers import KEY, make_store, read


@pytest.fixture
def store(crm, tmp_path):
    return make_store(crm, tmp_path / "store")


def test_full_export_has_every_row_of_every_exported_table(store, tmp_path):
    out = tmp_path / "out"
    result = store.export(out)
    bookmark = store.sql("SELECT max(seq) FROM change_log")[0][0]
    assert result["since"] == 0 and result["full"] is True and result["bookmark"] == bookmark
    directory = out / f"BJ001.0-{bookmark}"
    assert result["directory"] == str(directory)
    assert sorted(p.name for p in out.iterdir()) == [directory.name]  # nothing else, no temporary folder
    manifest, tables = read(directory)
    assert manifest["store"] == "BJ001" and manifest["format"] == 1 and manifest["full"] is True
    assert manifest["since"] == 0 and manifest["bookmark"] == bookmark
    for name in ("customers", "customer_phones", "vehicles", "staff", "visits"):
        assert len(tables[name]) == store.sql(f"SELECT count(*) FROM {name}")[0][0]
        assert manifest["tables"][name]["rows"] == len(tables[name])
    for never in ("audit_log", "staff_sessions", "forgotten_keys", "change_log", "group_exports", "portal_records"):
        assert never not in manifest["tables"]
    customers = tables["customers"]
    assert [c["id"] for c in customers] == sorted(c["id"] for c in customers)
    assert {c["_store"] for c in customers} == {"BJ001"} and {c["_op"] for c in customers} == {"upsert"}
    latest = dict(store.sql("SELECT pk, max(seq) FROM change_log WHERE tbl = 'customers' GROUP BY pk"))
    assert all(c["_version"] == latest[json.dumps([c["id"]])] for c in customers)
    assert manifest["tables"]["customer_phones"]["key"] == ["customer_id", "phone_hash"]
    assert "pin_hash" not in manifest["tables"]["staff"]["columns"]
    # the export is audited and its bookmark recorded
    audit = store.sql("SELECT detail FROM audit_log WHERE action = 'export' AND entity = 'group'")
    assert len(audit) == 1 and json.loads(audit[0][0])["path"] == str(directory)
    assert store.sql("SELECT bookmark, since FROM group_exports") == [(bookmark, 0)]


def test_incremental_export_has_exactly_the_changed_rows(store, tmp_path):
    first = store.export(tmp_path / "out")
    store.li("customer", "edit", "3", "--city", "天津")
    new_id = int(store.li("customer", "add", "--name", "新客户", "--mobile", "13700001111").stdout.strip())
    result = store.export(tmp_path / "out", "--since", str(first["bookmark"]))
    assert result["since"] == first["bookmark"] and result["full"] is False
    assert result["bookmark"] > first["bookmark"]
    manifest, tables = read(result["directory"])
    assert [c["id"] for c in tables["customers"]] == [3, new_id]
    assert tables["customers"][0]["city"] == "天津"
    assert {(r["customer_id"], r["_op"]) for r in tables["customer_phones"]} == {(new_id, "upsert")}
    changed = {r[0] for r in store.sql("SELECT DISTINCT tbl FROM change_log WHERE seq > ?", (first["bookmark"],))}
    assert set(manifest["tables"]) == changed
    assert all(first["bookmark"] < r["_version"] <= result["bookmark"] for rows in tables.values() for r in rows)
    # 'last' is the latest bookmark: nothing changed since, so an empty export
    again = store.export(tmp_path / "out", "--since", "last")
    assert again["since"] == result["bookmark"] and again["rows"] == 0


def test_the_same_since_gives_the_same_files(store, tmp_path):
    first = store.export(tmp_path / "a")
    store.li("customer", "edit", "2", "--city", "天津")
    one = store.export(tmp_path / "b", "--since", str(first["bookmark"]))
    two = store.export(tmp_path / "c", "--since", str(first["bookmark"]))
    assert one["bookmark"] == two["bookmark"]
    dir_one, dir_two = map(lambda r: r["directory"], (one, two))
    files = sorted(os.listdir(dir_one))
    assert files == sorted(os.listdir(dir_two))
    for name in files:
        a = (tmp_path / "b" / os.path.basename(dir_one) / name).read_bytes()
        b = (tmp_path / "c" / os.path.basename(dir_two) / name).read_bytes()
        if name == "manifest.json":  # the same but for created_at
            a, b = (dict(json.loads(x), created_at=None) for x in (a, b))
        assert a == b, name
    full_d, full_e = store.export(tmp_path / "d"), store.export(tmp_path / "e")
    assert read(full_d["directory"])[1]["customers"] == read(full_e["directory"])[1]["customers"]
    # the same export into the same folder again: it is there, complete; nothing is rewritten
    before = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "b").rglob("*")}
    same = store.export(tmp_path / "b", "--since", str(first["bookmark"]))
    assert same["already_there"] is True and same["directory"] == one["directory"]
    assert {p.name: p.stat().st_mtime_ns for p in (tmp_path / "b").rglob("*")} == before


def test_a_crash_mid_export_leaves_no_export(store, tmp_path, monkeypatch):
    from crm.group import export as exporting

    def crash(table):
        raise RuntimeError("simulated crash after the first table")

    monkeypatch.setattr(exporting, "after_table", crash)
    out = tmp_path / "out"
    result = store.li("group", "export", "--out", out, expect=1)
    assert "simulated crash" in result.stderr
    assert list(out.iterdir()) == []  # no folder at all: neither complete nor a half-filled temporary one
    assert store.sql("SELECT count(*) FROM group_exports") == [(0,)]
    assert store.sql("SELECT count(*) FROM audit_log WHERE action = 'export'") == [(0,)]
    monkeypatch.setattr(exporting, "after_table", lambda table: None)
    assert store.export(out)["rows"] > 0  # the rerun makes the whole export


def test_a_killed_export_leaves_no_folder_with_a_manifest(store, tmp_path):
    """A kill -9 leaves at most the hidden temporary folder (no manifest inside): the loader skips it."""
    import signal
    import subprocess
    import sys
    from pathlib import Path

    out = tmp_path / "out"
    out.mkdir()
    code = ("import os, signal, sys\n"
            "from crm.group import export\n"
            "def kill(table):\n"
            "    os.kill(os.getpid(), signal.SIGKILL)\n"
            "export.after_table = kill\n"
            "from crm.cli import main\n"
            f"main(['--as', 'li', 'group', 'export', '--out', {str(out)!r}])\n")
    proc = subprocess.run([sys.executable, "-c", code], env={**os.environ, **store.env}, capture_output=True)
    assert proc.returncode == -signal.SIGKILL
    left = list(out.iterdir())
    assert all(p.name.startswith(".") and not (p / "manifest.json").exists() for p in left)
    assert not list(Path(out).glob("*/manifest.json"))
    # the next export removes what the killed one left once it is older than any export still at work
    assert left, "the kill left no temporary folder: the test no longer kills mid-export"
    old = time.time() - 7 * 3600
    for p in left:
        os.utime(p, (old, old))
    fresh = out / ".BJ001.0-9.0123abcd.tmp"  # another export still at work
    fresh.mkdir()
    other = out / ".SH001.0-3.0123abcd.tmp"  # another store's
    other.mkdir()
    os.utime(other, (old, old))
    store.export(out)
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == sorted([fresh.name, other.name])


@pytest.mark.parametrize("since, why", [
    ("abc", "whole number"),
    ("-3", "not negative"),
    ("5", "no export of this store ended at that bookmark"),
    ("99999999", "change log ends at"),
])
def test_a_bad_bookmark_is_refused(store, tmp_path, since, why):
    store.export(tmp_path / "first")
    out = tmp_path / "out"
    result = store.li("group", "export", "--out", out, "--since", since, expect=2)
    assert why in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()
    assert store.sql("SELECT count(*) FROM group_exports") == [(1,)]


def test_since_last_without_an_earlier_export_is_refused(store, tmp_path):
    result = store.li("group", "export", "--out", tmp_path / "out", "--since", "last", expect=2)
    assert "no group export yet" in result.stderr and not (tmp_path / "out").exists()


def test_bad_out_and_missing_key_and_dealer_code_are_refused(store, tmp_path):
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    cases = [
        (["--out", a_file], {}, "is a file"),
        (["--out", store.db_path], {}, "is the database crm is using"),
        (["--out", tmp_path / "no" / "such"], {}, "does not exist"),
        (["--out", tmp_path / "out"], {"CRM_GROUP_KEY": None}, "no group key"),
        (["--out", tmp_path / "out"], {"CRM_GROUP_KEY": "short"}, "shorter than"),
        (["--out", tmp_path / "out"], {"CRM_DEALER_CODE": None}, "dealer_code is not set"),
        (["--out", tmp_path / "out"], {"CRM_DEALER_CODE": "../x"}, "cannot name an export folder"),
    ]
    before = store.sql("SELECT count(*) FROM audit_log")
    for args, env, why in cases:
        result = store.li("group", "export", *args, env=env, expect=2)
        assert why in result.stderr and len(result.stderr.strip().splitlines()) == 1, (args, result.stderr)
        assert KEY not in result.stderr + result.stdout
    assert not (tmp_path / "out").exists() and a_file.read_text() == "x"
    assert store.sql("SELECT count(*) FROM audit_log") == before


def test_the_key_file_from_the_config(store, tmp_path):
    key_file = tmp_path / "group.key"
    key_file.write_text(KEY + "\n")
    store.config_path.write_text(f'[group]\nkey_file = "{key_file}"\n', encoding="utf-8")
    by_file = store.export(tmp_path / "a", env={"CRM_GROUP_KEY": None})
    by_env = store.export(tmp_path / "b")
    assert read(by_file["directory"])[1]["customers"] == read(by_env["directory"])[1]["customers"]
    store.config_path.write_text(f'[group]\nkey_file = "{tmp_path / "missing.key"}"\n', encoding="utf-8")
    result = store.li("group", "export", "--out", tmp_path / "c", env={"CRM_GROUP_KEY": None}, expect=2)
    assert "cannot read the group key" in result.stderr


def test_export_without_capture_is_refused(crm, tmp_path):
    store = make_store(crm, tmp_path / "s", customers=0, enable=False)
    result = store.li("group", "export", "--out", tmp_path / "out", expect=2)
    assert "crm group enable" in result.stderr and not (tmp_path / "out").exists()


def test_status_shows_capture_and_the_last_bookmark(store, tmp_path):
    status = json.loads(store.li("group", "status", "--format", "json").stdout)
    assert status["capture"] == "on" and status["last_bookmark"] is None and status["uncovered"] == ""
    result = store.export(tmp_path / "out")
    status = json.loads(store.li("group", "status", "--format", "json").stdout)
    assert status["last_bookmark"] == result["bookmark"] == status["last_change"]


def test_an_export_before_any_change_is_followed_by_incremental_ones(crm, tmp_path):
    store = make_store(crm, tmp_path / "s", customers=0)
    first = store.export(tmp_path / "out")
    assert first["full"] is True and first["bookmark"] >= 1
    store.li("customer", "add", "--name", "王五", "--mobile", "13712345678", "--email", "w@example.com")
    second = store.export(tmp_path / "out", "--since", "last")
    assert second["full"] is False and second["since"] == first["bookmark"]
    [customer] = read(second["directory"])[1]["customers"]
    # e-mail, WeChat, address and birthday stay in the store; whether there is one travels
    assert "email" not in customer and customer["has_email"] == 1 and customer["has_wechat"] == 0


def test_without_the_group_extra_one_line_and_exit_2(store, tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "pyarrow", None)  # as if pyarrow were not installed
    result = store.li("group", "export", "--out", tmp_path / "out", expect=2)
    assert result.stderr.strip() == "crm: error: crm group needs the 'group' extra: pip install 'crm[group]'"
    assert not (tmp_path / "out").exists()


def test_quiet_under_cron(store, tmp_path):
    result = store.li("-q", "group", "export", "--out", tmp_path / "out")
    assert result.stdout == "" and result.stderr == ""
    assert len(list((tmp_path / "out").glob("*/manifest.json"))) == 1
    assert store.li("-q", "group", "export", "--out", tmp_path / "out", "--since", "last", "-f", "json").stdout


def test_a_crash_after_the_rename_is_made_good_by_the_next_run(store, tmp_path):
    """Killed between the folder's rename and recording its bookmark: the same export again records it."""
    out = tmp_path / "out"
    first = store.export(out)
    import sqlite3

    conn = sqlite3.connect(store.db_path)
    with conn:
        conn.execute("DELETE FROM group_exports")
    conn.close()
    again = store.export(out)
    assert again["already_there"] is True and again["bookmark"] == first["bookmark"]
    assert store.sql("SELECT bookmark FROM group_exports") == [(first["bookmark"],)]
    assert store.export(out, "--since", "last")["since"] == first["bookmark"]
    assert store.sql("SELECT count(*) FROM audit_log WHERE action = 'export' AND entity = 'group'") == [(2,)]
