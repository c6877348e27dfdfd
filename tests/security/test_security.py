"""Security: file modes, masking by role, the audit log, hostile input (SQL and formula
injection, path tricks, oversized fields)."""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import stat

import pytest

MOBILE = "13912348765"
ADDRESS = "上海市徐汇区衡山路99号"
UNMASKED = ["li", "wangfang", "zhaomin", "chenjing", "liuyang"]  # manager, callback, satisfaction, appointment, archive
MASKED = ["sunwei", "it", None]  # advisor, IT, no role


def _customer(crm) -> int:
    out = crm("customer", "add", "--name", "欧阳娜娜", "--mobile", MOBILE, "--address", ADDRESS,
              "--email", "nana@example.com", env={"CRM_USER": "liuyang"})
    return int(out.stdout.strip())


def test_every_file_crm_creates_is_0600(staffed, tmp_path):
    staffed.write_config(f'[log]\npath = "{tmp_path}/logs/crm.log"\n')
    cid = _customer(staffed)
    as_li = {"CRM_USER": "li"}
    (tmp_path / "out").mkdir()
    (tmp_path / "backups").mkdir()
    staffed("customer", "export", tmp_path / "out" / "c.csv", env=as_li)
    staffed("customer", "export", tmp_path / "out" / "c.xlsx", env=as_li)
    staffed("customer", "export", tmp_path / "out" / "c.json", env=as_li)
    staffed("db", "backup", tmp_path / "backups" / "b.db", env=as_li)
    staffed("customer", "show", str(cid), env=as_li)
    report = staffed("report", "monthly", "--month", "2026-11", "--out", tmp_path / "out" / "r.xlsx", env=as_li,
                     expect=None)
    created = [p for p in tmp_path.rglob("*") if p.is_file() and p.name != "config.toml"
               and ".hypothesis" not in p.parts]
    names = {p.name for p in created}
    assert {"crm.db", "c.csv", "c.xlsx", "c.json", "b.db"} <= names, names  # (the log: tests/core/test_logfile.py)
    if report.exit_code == 0:
        assert "r.xlsx" in names
    for path in created:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    for folder in {p.parent for p in created} - {tmp_path, tmp_path / "out", tmp_path / "backups"}:
        assert stat.S_IMODE(folder.stat().st_mode) & 0o077 == 0, folder  # the folders crm made itself


@pytest.mark.parametrize("user", UNMASKED + MASKED)
def test_masking_by_role_in_show_list_search_export(staffed, tmp_path, user):
    cid = _customer(staffed)
    env = {"CRM_USER": user} if user else {"CRM_USER": None}
    outputs = [
        staffed("customer", "show", str(cid), "--format", "json", env=env).stdout,
        staffed("customer", "list", "--format", "json", env=env).stdout,
        staffed("customer", "search", "8765", "--format", "json", env=env).stdout,
    ]
    for text in outputs:
        if user in UNMASKED:
            assert MOBILE in text
        else:
            assert MOBILE not in text and "衡山路99号" not in text and "nana@example.com" not in text
    # a file: unmasked only for the manager (or with an approved export request, issue 17)
    out = tmp_path / f"export-{user}.csv"
    staffed("customer", "export", out, env=env)
    text = out.read_text(encoding="utf-8-sig")
    if user == "li":
        assert MOBILE in text
    else:
        assert MOBILE not in text and "衡山路99号" not in text and "nana@example.com" not in text
        staffed("customer", "export", out, "--unmasked", env=env, expect=2)


def test_the_audit_log_cannot_be_edited(staffed, tmp_path):
    cid = _customer(staffed)
    staffed("customer", "export", tmp_path / "x.csv", env={"CRM_USER": "li"})
    staffed("customer", "forget", str(cid), "--yes", env={"CRM_USER": "liuyang"})
    actions = {r[0] for r in staffed.sql("SELECT action FROM audit_log")}
    assert {"export", "forget"} <= actions
    conn = sqlite3.connect(staffed.db_path)
    try:
        for statement in ("UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"):
            with pytest.raises(sqlite3.DatabaseError):
                conn.execute(statement)
    finally:
        conn.close()
    audit = staffed("audit", "--help").stdout.lower()
    for verb in ("delete", "edit", "update", "purge", "clear"):
        assert f"  {verb} " not in audit


HOSTILE = ["' OR 1=1 --", "%", "_", "'", '"', "%' OR '1'='1", "'; DROP TABLE customers; --", "\\", "*"]


@pytest.mark.parametrize("text", HOSTILE)
def test_sql_injection_through_search_and_filters_finds_nothing_and_changes_nothing(staffed, text):
    _customer(staffed)
    staffed("customer", "add", "--name", "张三", "--mobile", "13812345678", "--city", "北京")
    before = staffed.sql("SELECT * FROM customers ORDER BY id")
    as_li = {"CRM_USER": "li"}
    found = staffed("customer", "search", text, "--format", "json", env=as_li, expect=None)
    assert found.exit_code in (0, 2) and "Traceback" not in found.stderr
    if found.exit_code == 0:
        assert json.loads(found.stdout) == []
    for option in ("--city", "--tag", "--model", "--specialist"):
        result = staffed("customer", "list", option, text, "--format", "json", env=as_li, expect=None)
        assert result.exit_code in (0, 2), result.stderr
        if result.exit_code == 0:
            assert json.loads(result.stdout) == []
    seg = staffed("segment", "save", "inj", "--city", text, env=as_li, expect=None)
    assert "Traceback" not in seg.stderr
    assert staffed.sql("SELECT * FROM customers ORDER BY id") == before


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_formula_injection_is_neutralised_on_export(staffed, tmp_path, fmt):
    for i, name in enumerate(["=cmd|'/c calc'!A1张", "+SUM(1)张", "-张三+2", "@SUM(A1)张"]):
        staffed("customer", "add", "--name", name, "--mobile", f"1381234{i:04d}", "--notes", "=HYPERLINK(\"x\")")
    out = tmp_path / f"c.{fmt}"
    staffed("customer", "export", out, env={"CRM_USER": "li"})
    if fmt == "csv":
        cells = [c for row in csv.reader(out.read_text(encoding="utf-8-sig").splitlines()) for c in row]
    elif fmt == "xlsx":
        from openpyxl import load_workbook

        cells = [str(c.value) for row in load_workbook(out).active.iter_rows() for c in row if c.value is not None]
    else:
        return  # JSON is not a spreadsheet: values stay as they are
    assert not [c for c in cells if c[:1] in ("=", "+", "@") or (c[:1] == "-" and not c[1:2].isdigit())], cells


def test_path_tricks_in_file_options(staffed, tmp_path):
    as_li = {"CRM_USER": "li"}
    _customer(staffed)
    # a directory: refused, one line
    result = staffed("customer", "export", tmp_path, env=as_li, expect=2)
    assert len(result.stderr.strip().splitlines()) == 1
    # /dev/full: a clear error, no traceback
    result = staffed("customer", "export", "/dev/full", env=as_li, expect=None)
    assert result.exit_code != 0 and "Traceback" not in result.stderr
    # a symlink to another file: the export replaces the link atomically, the target is untouched
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    link = tmp_path / "link.csv"
    link.symlink_to(victim)
    staffed("customer", "export", link, env=as_li, expect=None)
    assert victim.read_text() == "keep me"
    # a relative path outside the working directory is the user's own choice: allowed (it is their file system)


def test_oversized_fields_are_a_clear_error(staffed):
    result = staffed("customer", "add", "--name", "张" * 1_000_000, expect=None)
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1, result.stderr[:300]
    tags = []
    for i in range(10_000):
        tags += ["--tag", f"t{i}"]
    result = staffed("customer", "add", "--name", "李四", *tags, expect=None)
    assert result.exit_code in (0, 2) and "Traceback" not in result.stderr
    assert staffed.sql("PRAGMA integrity_check") == [("ok",)]
