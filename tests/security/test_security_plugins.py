"""Security across the plugins: masking by role in every command that shows or exports a
customer's contact (callbacks, complaints, events, segments, portal leads, reports, the
agenda), on one database where every plugin holds data, synced against the emulator."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3

import pytest

from crm_portal_emulator.server import Emulator

MOBILE = "13912348765"
ADDRESS = "上海市徐汇区衡山路99号"
SECRET = "Portal-S3cr3t-sec2-4b7e19d0aa"
UNMASKED = ["li", "wangfang", "zhaomin", "chenjing", "liuyang"]  # manager, callback, satisfaction, appointment, archive
MASKED = ["sunwei", "it", None]  # advisor, IT, no role
#: Any full mainland mobile number (11 digits, not part of a longer number).
FULL_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
VIN = "WBA8E3105JA123456"
EMU = dict(seed=5, owners=30, leads=16, complaints=6, campaigns=4, surveys=10)


def portal_config(url: str) -> str:
    return (f'dealer_code = "BJ001"\n[portal]\nurl = "{url}"\nclient_id = "demo-client"\npage_limit = 10\n'
            f'retries = 4\nbackoff = 0.01\nbackoff_max = 0.05\ntimeout = 5\n')


def _clone(src, dst) -> None:
    source, target = sqlite3.connect(src), sqlite3.connect(dst)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def build_world(crm, env: dict, emu: Emulator) -> dict:
    """Staff, 欧阳娜娜 with a car and a visit, a callback task with a call, a complaint, an event
    invitation, a segment, a survey answer, and a sync with the portal (owners, leads, complaints)."""

    def run(*args, user=None, **kw):
        return crm(*args, env={**env, "CRM_USER": user}, **kw)

    for code, name, role in [("li", "李经理", "manager"), ("wangfang", "王芳", "callback"),
                             ("zhaomin", "赵敏", "satisfaction"), ("chenjing", "陈静", "appointment"),
                             ("liuyang", "刘洋", "archive"), ("sunwei", "孙伟", "advisor"), ("it", "运维", "it")]:
        run(*(("--as", "li") if code != "li" else ()), "staff", "add", code, "--name", name, "--role", role)
    cid = int(run("customer", "add", "--name", "欧阳娜娜", "--mobile", MOBILE, "--address", ADDRESS, "--city", "上海",
                  "--wechat", "ouyang_nana88", "--email", "nana@example.com", user="liuyang").stdout)
    run("vehicle", "add", "--vin", VIN, "--customer", cid, "--plate", "沪A12345", "--model", "530Li",
        "--delivered", "2024-05-01")
    run("visit", "add", "--ro", "RO1", "--vin", VIN, "--in", "2026-11-19", "--out", "2026-11-19", "--advisor", "sunwei")
    run("callbacks", "plan", "--as-of", "2026-11-20")
    run("complaints", "open", "--customer", cid, "--channel", "phone", "--category", "repair_quality",
        "--severity", "normal", "--description", "保养后异响", user="zhaomin")
    event = int(run("--as", "li", "event", "create", "--title", "试驾会", "--start", "2026-12-12 09:30", "--place", "展厅").stdout)
    run("segment", "save", "sh", "--city", "上海")
    run("--as", "li", "event", "invite", event, "--segment", "sh", "--channel", "phone")
    crm.write_config(portal_config(emu.base_url))
    run("sync", "run", user="it")
    lead = next(r for r in emu.control.records("leads") if not r.get("deleted"))
    return {"customer": cid, "event": event, "task": crm.sql("SELECT min(id) FROM callback_tasks")[0][0],
            "lead": lead}


@pytest.fixture(scope="session")
def world_template(tmp_path_factory):
    from conftest import Crm, make_empty_db

    folder = tmp_path_factory.mktemp("security-world")
    crm = Crm(folder)
    make_empty_db(folder / "crm.db")
    (folder / "config.toml").touch()
    env = {"CRM_DB": str(folder / "crm.db"), "CRM_CONFIG": str(folder / "config.toml"),
           "CRM_NOW": "2026-11-20T10:00:00", "CRM_PORTAL_SECRET": SECRET, "CRM_PLUGINS": None,
           "CRM__IDENTITY__ANONYMOUS": "write"}  # a single-person dealer (tests/conftest.py)
    with Emulator(**EMU, start_time="2026-11-22T08:00:00Z", frozen_clock=True, client_secret=SECRET) as emu:
        meta = build_world(crm, env, emu)
    return folder, meta


@pytest.fixture
def world(crm, world_template):
    folder, meta = world_template
    _clone(folder / "crm.db", crm.db_path)
    shutil.copy(folder / "config.toml", crm.config_path)
    crm.meta = meta
    return crm


def _env(user):
    return {"CRM_USER": user} if user else {"CRM_USER": None}


def _lead_phone(lead: dict) -> str:
    for key in ("mobile", "phone"):
        if lead.get(key):
            return re.sub(r"\D", "", str(lead[key]))[-11:]
    raise AssertionError(f"the emulator's lead has no phone: {lead}")


def _check(text: str, user, full: str | None, unmasked=None) -> None:
    if user in (UNMASKED if unmasked is None else unmasked):
        if full is not None:
            assert full in text, text[:2000]
    else:
        assert not FULL_MOBILE.findall(text), (FULL_MOBILE.findall(text), text[:2000])
        assert "衡山路99号" not in text and "ouyang_nana88" not in text and "nana@example.com" not in text


# (command, whose full mobile an unmasked role must see: "customer", "lead" or None when none is shown)
COMMANDS = {
    "callbacks due": (lambda m: ["callbacks", "due", "--date", "2026-11-20"], "customer"),
    "callbacks show": (lambda m: ["callbacks", "show", m["task"]], "customer"),
    "complaints show": (lambda m: ["complaints", "show", "1"], "customer"),
    "complaints list": (lambda m: ["complaints", "list", "--all"], None),
    "event invitees": (lambda m: ["event", "invitees", m["event"]], "customer"),
    "sync leads": (lambda m: ["sync", "leads"], "lead"),
    "today": (lambda m: ["today", "--all"], None),
}


@pytest.mark.parametrize("fmt", ["table", "json"])
@pytest.mark.parametrize("user", ["li", "wangfang", "sunwei", "it", None])
@pytest.mark.parametrize("command", list(COMMANDS))
def test_masking_by_role_in_plugin_commands(world, command, user, fmt):
    args, whose = COMMANDS[command]
    result = world(*args(world.meta), "--format", fmt, env=_env(user))
    full = {"customer": MOBILE, "lead": _lead_phone(world.meta["lead"]), None: None}[whose]
    _check(result.stdout + result.stderr, user, full)


@pytest.mark.parametrize("user", ["li", "zhaomin", "sunwei", "it", None])
def test_masking_by_role_in_plugin_exports(world, tmp_path, user):
    sheet, segment = tmp_path / f"sheet-{user}.csv", tmp_path / f"segment-{user}.csv"
    world("--as", "wangfang", "callbacks", "record", world.meta["task"], "--result", "unreachable")
    outputs = [world("callbacks", "sheet", "--period", "2026-11", "--out", sheet, env=_env(user)).stdout]
    outputs.append(world("segment", "export", "sh", "--out", segment, env=_env(user)).stdout)
    for path in (sheet, segment):
        text = path.read_text(encoding="utf-8-sig")
        assert "欧阳娜娜" in text
        _check(text, user, MOBILE, unmasked={"li"})  # a file: only the manager without a request (issue 17)
    for text in outputs:
        _check(text, user, None)


@pytest.mark.parametrize("user", ["li", "sunwei", None])
def test_masking_by_role_in_report_details_of_every_figure(world, user):
    world("--as", "wangfang", "callbacks", "record", world.meta["task"], "--result", "unreachable")
    report = world.json("report", "monthly", "--period", "2026-11", env=_env("li"))
    keys = [f["key"] for f in report["figures"]]
    assert keys
    listed = 0
    for key in keys:
        for fmt in ("table", "json"):
            result = world("report", "monthly", "--period", "2026-11", "--details", key, "--limit", "0",
                           "--format", fmt, env=_env(user), expect=None)
            assert result.exit_code in (0, 2), (key, result.stderr)
            if result.exit_code == 0:
                listed += 1
                _check(result.stdout, user, None)
    assert listed


# ----- the right to be forgotten, across every plugin ----------------------------------------------
P_NAME, P_MOBILE, P_WECHAT, P_ADDRESS = "上官婉儿", "13987654321", "shangguan_wx_77", "杭州市西湖区龙井路18号"


def _forms(text: str) -> list[bytes]:
    return [text.encode("utf-8"), text.encode("utf-16-le")]


def _needles() -> dict[str, list[bytes]]:
    m = P_MOBILE
    mobile_forms = [m, m[::-1], f"+86{m}", f"{m[:3]} {m[3:7]} {m[7:]}", f"{m[:3]}-{m[3:7]}-{m[7:]}", m[3:], m[3:][::-1]]
    return {
        "name": _forms(P_NAME) + _forms(P_NAME[::-1]) + [b"shangguanwaner", b"shangguan wan er"],
        "mobile": [f.encode() for f in mobile_forms],
        "wechat": _forms(P_WECHAT),
        "address": _forms(P_ADDRESS) + _forms("龙井路18号"),
    }


def test_forget_erases_the_person_from_every_plugin_and_the_raw_file(staffed, tmp_path, monkeypatch):
    crm = staffed
    monkeypatch.setenv("CRM_PORTAL_SECRET", SECRET)
    as_ = lambda user: {"CRM_USER": user}  # noqa: E731
    with Emulator(**EMU, start_time="2026-11-22T08:00:00Z", frozen_clock=True, client_secret=SECRET) as emu:
        owner = emu.control.create("owners", owner={"name": P_NAME, "phone": P_MOBILE, "city": "杭州"})
        vin = owner["vin"]
        crm.write_config(portal_config(emu.base_url))
        crm("sync", "run", env=as_("it"))
        cid = crm.sql("SELECT customer_id FROM portal_records WHERE stream = 'owners' AND id = ?", (owner["id"],))[0][0]
        assert cid, "the sync linked the owner record to a customer"
        crm("customer", "edit", cid, "--wechat", P_WECHAT, "--address", P_ADDRESS, env=as_("liuyang"))
        # a callback task and a call note
        crm("visit", "add", "--ro", "RO-F1", "--vin", vin, "--in", "2026-11-19", "--out", "2026-11-19",
            "--advisor", "sunwei")
        crm("callbacks", "plan", "--as-of", "2026-11-20")
        task = crm.sql("SELECT id FROM callback_tasks WHERE customer_id = ?", (cid,))[0][0]
        crm("--as", "wangfang", "callbacks", "record", task, "--result", "neutral", "--score", "7",
            "--note", f"{P_NAME}说请打{P_MOBILE}，地址{P_ADDRESS}", "--suggestion", f"加微信{P_WECHAT}")
        # a complaint naming the person
        crm("complaints", "open", "--customer", cid, "--channel", "phone", "--category", "repair_quality",
            "--description", f"{P_NAME}（{P_MOBILE}，微信{P_WECHAT}）投诉保养后异响", env=as_("zhaomin"))
        # an event invitation and a survey answer with a verbatim
        event = int(crm("--as", "li", "event", "create", "--title", "试驾会", "--start", "2026-12-12 09:30", "--place", "展厅").stdout)
        crm("segment", "save", "hz", "--city", "杭州")
        crm("--as", "li", "event", "invite", event, "--segment", "hz", "--channel", "phone")
        survey = int(crm("survey", "create", "2026-11售后", "--kind", "service_csi").stdout)
        crm("survey", "answer", survey, "--customer", cid, "--ro", "RO-F1", "--set", "overall=8",
            "--set", f"comment={P_NAME}满意，电话{P_MOBILE}")
        # an export (an audit row) and a second sync (outbox items for the portal)
        crm("customer", "export", tmp_path / "all.csv", env=as_("li"))
        crm("sync", "run", env=as_("it"), expect=None)
    before = b"".join(p.read_bytes() for p in (crm.db_path, crm.db_path.with_name("crm.db-wal")) if p.exists())
    assert P_MOBILE.encode() in before or P_NAME.encode() in before  # the test sees the data it looks for
    crm("customer", "forget", cid, "--yes", env=as_("liuyang"))
    assert crm.sql("PRAGMA integrity_check") == [("ok",)]
    files = [p for p in (crm.db_path, crm.db_path.with_name("crm.db-wal")) if p.exists()]
    leaks = {}
    for path in files:
        blob = path.read_bytes()
        for what, needles in _needles().items():
            found = [n for n in needles if n in blob]
            if found:
                leaks[f"{path.name}:{what}"] = found
    if leaks:  # say where, to fix it
        where = []
        conn = sqlite3.connect(crm.db_path)
        try:
            tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            for table in tables:
                for row in conn.execute(f"SELECT * FROM \"{table}\""):
                    text = repr(row)
                    for needle in (P_NAME, P_MOBILE, P_WECHAT, P_ADDRESS, P_MOBILE[::-1], P_MOBILE[3:]):
                        if needle in text:
                            where.append((table, needle, text[:300]))
        finally:
            conn.close()
        raise AssertionError(f"left after forget: {leaks}\nrows: {where}")


# ----- secrets: the client secret and the access tokens leave no trace ------------------------------
def test_secret_and_issued_tokens_leave_no_trace_in_files_or_output(crm, tmp_path):
    from conftest import run_crm_process

    with Emulator(**EMU, start_time="2026-11-22T08:00:00Z", frozen_clock=True, client_secret=SECRET) as emu:
        issued: list[str] = []
        issue = emu.portal.tokens.issue

        def recording_issue(*args, **kwargs):
            value, token = issue(*args, **kwargs)
            issued.append(value)
            return value, token

        emu.portal.tokens.issue = recording_issue
        emu.control.add_faults("expire_token:path=/streams/leads,times=1")  # a second token mid-run
        log = tmp_path / "state" / "crm" / "crm.log"
        crm.write_config(portal_config(emu.base_url) + f'[log]\npath = "{log}"\n')
        crm("staff", "add", "cron", "--name", "定时任务", "--role", "it")
        env = {"CRM_PORTAL_SECRET": SECRET, "CRM_USER": "cron"}
        runs = [run_crm_process("sync", "run", "-vv", env=env),
                run_crm_process("sync", "run", "-vv", "--format", "json", env=env),
                run_crm_process("sync", "status", "-vv", env=env)]
    assert runs[0].returncode == 0, runs[0].stderr
    assert "GET /streams/owners" in runs[0].stderr  # -vv really logged the requests
    assert len(issued) >= 2, issued
    needles = [SECRET] + issued
    for run in runs:
        for needle in needles:
            assert needle not in run.stdout and needle not in run.stderr
        assert "Bearer" not in run.stdout + run.stderr
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert crm.db_path in files and log in files
    for path in files:
        if path == crm.config_path:
            continue  # written by the test, holds no secret anyway
        blob = path.read_bytes()
        for needle in needles:
            assert needle.encode() not in blob, (path, needle)
        assert b"Bearer" not in blob, path
