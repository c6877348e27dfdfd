"""Issue 17, confidentiality (保密管理: 不得私自转移、复制或删除客户信息), docs/privacy.md.

1. Without a staff identity crm reads (masked) but does not write, unless the config says the
   dealer is one person ([identity] anonymous = "write").
2. Personal data is written unmasked to a file only by the manager, or by a specialist whose
   ``crm export request`` the manager approved: once, for exactly that export, within 24 hours.

These run with the department's default (the ``department`` fixture drops the suite's
single-person-dealer override, tests/conftest.py).
"""

from __future__ import annotations

import json
import sqlite3

import pytest

MOBILE = "13812345678"


def dump(crm) -> str:
    conn = sqlite3.connect(crm.db_path)
    try:
        return "\n".join(conn.iterdump())
    finally:
        conn.close()


@pytest.fixture
def dept(department):
    department("--as", "li", "customer", "add", "--name", "张三", "--mobile", MOBILE, "--city", "北京")
    department("--as", "li", "customer", "add", "--name", "李四", "--mobile", "13912345678", "--city", "上海")
    return department


# --------------------------------------------------------------- 1. no identity, no writes
@pytest.mark.parametrize("args", [
    ("customer", "add", "--name", "王五", "--mobile", "13712345678"),
    ("customer", "edit", "1", "--city", "天津"),
    ("log", "add", "--customer", "1", "--kind", "call", "--summary", "x"),
])
def test_a_write_without_a_staff_identity_is_refused_saying_how_to_name_yourself(dept, args):
    before = dump(dept)
    result = dept(*args, env={"CRM_USER": None}, expect=2)
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1
    assert "permission write" in line and "--as" in line and "CRM_USER" in line and "crm login" in line
    assert dump(dept) == before


def test_without_a_staff_identity_reading_stays_open_and_masked(dept, tmp_path):
    shown = dept.json("customer", "show", "1")
    text = json.dumps(shown, ensure_ascii=False)
    assert "138****5678" in text and MOBILE not in text
    assert [r["id"] for r in dept.json("customer", "search", MOBILE)] == [1]  # audits, is not a write
    dept("customer", "export", tmp_path / "masked.csv")  # a masked export: audited, allowed
    assert MOBILE not in (tmp_path / "masked.csv").read_text(encoding="utf-8-sig")
    assert dept.sql("SELECT actor FROM audit_log WHERE action = 'export'")[0][0].startswith("os:")


def test_with_a_staff_identity_the_same_write_works(dept):
    dept("customer", "add", "--name", "王五", "--mobile", "13712345678", env={"CRM_USER": "liuyang"})
    dept("--as", "wangfang", "customer", "edit", "1", "--city", "天津")
    assert dept.sql("SELECT city FROM customers WHERE id = 1") == [("天津",)]


def test_a_single_person_dealer_writes_without_an_identity(dept):
    dept.write_config('[identity]\nanonymous = "write"\n')
    dept("customer", "add", "--name", "王五", "--mobile", "13712345678")
    assert dept.sql("SELECT count(*) FROM customers") == [(3,)]
    # the environment override says the same
    dept.write_config("")
    dept("customer", "add", "--name", "赵六", "--mobile", "13612345678", env={"CRM__IDENTITY__ANONYMOUS": "write"})
    dept("customer", "add", "--name", "钱七", "--mobile", "13512345678", expect=2)


def test_a_broken_anonymous_setting_is_one_line_exit_2(dept):
    dept.write_config('[identity]\nanonymous = "sometimes"\n')
    result = dept("customer", "list", expect=2)
    assert "identity.anonymous" in result.stderr and "'read', 'write'" in result.stderr


def test_first_time_setup_adds_the_first_manager_without_an_identity(crm, monkeypatch):
    monkeypatch.delenv("CRM__IDENTITY__ANONYMOUS")
    crm("staff", "add", "li", "--name", "李经理", "--role", "manager")
    crm("staff", "add", "wangfang", "--name", "王芳", "--role", "callback", expect=2)  # set up: now it counts
    crm("--as", "li", "staff", "add", "wangfang", "--name", "王芳", "--role", "callback")


# --------------------------------------------------------------- 2. unmasked exports
def test_only_the_manager_exports_unmasked_without_asking(dept, tmp_path):
    out = tmp_path / "c.csv"
    refused = dept("--as", "wangfang", "customer", "export", out, "--unmasked", expect=2)
    line = refused.stderr.strip()
    assert len(line.splitlines()) == 1 and "permission export.unmasked" in line
    assert "crm export request customer --file-format csv" in line
    assert not out.exists()
    dept("--as", "wangfang", "customer", "export", out)  # the default for her: masked
    assert MOBILE not in out.read_text(encoding="utf-8-sig") and "138****5678" in out.read_text(encoding="utf-8-sig")
    dept("--as", "li", "customer", "export", out, "--unmasked")
    assert MOBILE in out.read_text(encoding="utf-8-sig")


def test_a_request_approved_by_the_manager_allows_that_export_once(dept, tmp_path):
    out = tmp_path / "bj.xlsx"
    rid = dept("--as", "wangfang", "export", "request", "customer", "--filter", "city=北京", "--file-format", "xlsx",
               "--reason", "保险续保电话名单").stdout.strip()
    assert rid == "1"
    # pending: not yet
    dept("--as", "wangfang", "customer", "export", out, "--city", "北京", "--unmasked", expect=2)
    approved = dept.json("--as", "li", "export", "approve", rid)
    assert approved["status"] == "approved" and approved["expires_at"].startswith("2026-11-21T10:00")
    # another export than the one asked for does not use it: other filters, other format
    dept("--as", "wangfang", "customer", "export", out, "--unmasked", expect=2)
    dept("--as", "wangfang", "customer", "export", tmp_path / "bj.csv", "--city", "北京", "--unmasked", expect=2)
    # nor somebody else
    dept("--as", "zhaomin", "customer", "export", out, "--city", "北京", "--unmasked", expect=2)
    dept("--as", "wangfang", "customer", "export", out, "--city", "北京", "--unmasked")
    from openpyxl import load_workbook

    cells = [str(c.value) for row in load_workbook(out).active.iter_rows() for c in row]
    assert MOBILE in cells and "13912345678" not in cells  # 北京 only
    # used up
    dept("--as", "wangfang", "customer", "export", out, "--city", "北京", "--unmasked", expect=2)
    dept("--as", "wangfang", "customer", "export", out, "--city", "北京")  # the default falls back to masked
    assert MOBILE not in [str(c.value) for row in load_workbook(out).active.iter_rows() for c in row]
    [row] = dept.json("--as", "li", "export", "requests")
    assert (row["status"], row["requested_by"], row["decided_by"], row["kind"], json.loads(row["filters"]),
            row["format"], row["unmasked"]) == ("used", "wangfang", "li", "customer", {"city": "北京"}, "xlsx", 1)
    audit = dept.sql("SELECT actor, action, entity, detail FROM audit_log WHERE action LIKE 'export%' ORDER BY id")
    actions = [(a, b) for a, b, _, _ in audit]
    assert ("wangfang", "export-request") in actions and ("li", "export-approve") in actions
    used = actions.index(("wangfang", "export-approval-used"))
    assert actions[used + 1] == ("wangfang", "export")
    assert "保险续保" not in json.dumps(audit, ensure_ascii=False)  # the reason is not in the audit log


def test_the_default_export_uses_a_matching_approval(dept, tmp_path):
    dept("--as", "liuyang", "export", "request", "customer", "--reason", "年度档案核对")
    dept("--as", "li", "export", "approve", "1")
    dept("--as", "liuyang", "customer", "export", tmp_path / "all.json")
    assert MOBILE in (tmp_path / "all.json").read_text(encoding="utf-8")


def test_an_approval_expires_after_24_hours(dept, tmp_path):
    dept("--as", "wangfang", "export", "request", "customer", "--reason", "核对")
    dept("--as", "li", "export", "approve", "1")
    later = {"CRM_NOW": "2026-11-21T10:00:01"}
    dept("--as", "wangfang", "customer", "export", tmp_path / "c.csv", "--unmasked", env=later, expect=2)
    assert dept.json("--as", "li", "export", "requests", env=later)[0]["status"] == "expired"
    assert dept.json("--as", "li", "export", "requests", "--status", "expired", env=later)[0]["id"] == 1


def test_declined_own_and_unknown_requests(dept, tmp_path):
    dept("--as", "wangfang", "export", "request", "customer", "--reason", "核对")
    assert dept.json("--as", "li", "export", "decline", "1", "--note", "用掩码版")["status"] == "declined"
    dept("--as", "wangfang", "customer", "export", tmp_path / "c.csv", "--unmasked", expect=2)
    dept("--as", "li", "export", "approve", "1", expect=2)  # decided already
    dept("--as", "li", "export", "approve", "9", expect=2)
    dept("--as", "wangfang", "export", "approve", "1", expect=2)  # not the manager
    dept("--as", "it", "export", "request", "customer", "--reason", "x")
    dept("--as", "li", "export", "request", "customer", "--reason", "x")
    assert "own request" in dept("--as", "li", "export", "approve", "3", expect=2).stderr
    dept("--as", "wangfang", "export", "request", "customers", "--reason", "x", expect=2)  # unknown kind
    dept("--as", "wangfang", "export", "request", "customer", expect=2)  # no reason
    dept("--as", "wangfang", "export", "request", "customer", "--filter", "city", "--reason", "x", expect=2)
    dept("export", "request", "customer", "--reason", "x", expect=2)  # nobody named
    # a specialist lists her own requests, the manager all of them
    assert {r["id"] for r in dept.json("--as", "wangfang", "export", "requests")} == {1}
    assert {r["id"] for r in dept.json("--as", "li", "export", "requests")} == {1, 2, 3}
    csv_out = dept("--as", "li", "export", "requests", "--format", "csv").stdout
    assert csv_out.splitlines()[0].startswith("id,kind,filters")


def test_a_segment_export_is_masked_for_a_specialist_unless_approved(dept, tmp_path):
    dept("--as", "wangfang", "segment", "save", "bj", "--city", "北京")
    out = tmp_path / "bj.csv"
    dept("--as", "wangfang", "segment", "export", "bj", "--out", out)
    assert MOBILE not in out.read_text(encoding="utf-8-sig")
    dept("--as", "wangfang", "export", "request", "segment", "--filter", "segment=bj", "--reason", "活动邀约")
    dept("--as", "li", "export", "approve", "1")
    dept("--as", "wangfang", "segment", "export", "bj", "--out", out)
    assert MOBILE in out.read_text(encoding="utf-8-sig")


def test_the_callback_queue_file_is_masked_for_the_callback_specialist(dept, tmp_path):
    dept("--as", "li", "vehicle", "add", "--vin", "WBA8E3105JA123456", "--customer", "1", "--plate", "京A12345",
         "--model", "530Li", "--delivered", "2024-05-01")
    dept("--as", "li", "visit", "add", "--ro", "RO1", "--vin", "京A12345", "--in", "2026-11-18T09:00",
         "--out", "2026-11-18T17:00", "--advisor", "sunwei")
    dept("--as", "it", "callbacks", "plan")
    from openpyxl import load_workbook

    def cells(path):
        return [str(c.value) for row in load_workbook(path).active.iter_rows() for c in row]

    mine, boss = tmp_path / "q.xlsx", tmp_path / "boss.xlsx"
    dept("--as", "wangfang", "callbacks", "export-queue", mine)
    dept("--as", "li", "callbacks", "export-queue", boss)
    assert "张三" in cells(mine) and MOBILE not in cells(mine)
    assert MOBILE in cells(boss)
