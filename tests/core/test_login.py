"""PIN login, sessions and acting for others (issue 15 item 3): names are not taken on trust."""

from __future__ import annotations

import json
import os
import stat

PIN_LI = "135790\n135790\n"


def secured(staffed):
    """The manager sets their PIN (first-time setup), logs in and sets wangfang's and it's."""
    staffed("--as", "li", "staff", "pin", "li", input=PIN_LI)
    staffed("login", "li", input="135790\n")
    staffed("staff", "pin", "wangfang", input="246802\n246802\n")
    staffed("staff", "pin", "it", input="112233\n112233\n")
    return staffed


def session_file(crm):
    files = list((crm.tmp_path / "state").rglob("sessions/*"))
    assert len(files) == 1, files
    return files[0]


def test_without_pins_names_are_taken_as_before(staffed):
    staffed("--as", "wangfang", "customer", "add", "--name", "张三")
    assert staffed.sql("SELECT actor, principal FROM audit_log ORDER BY id DESC LIMIT 1") == [("wangfang", None)]


def test_once_a_pin_is_set_a_name_needs_a_session(staffed):
    secured(staffed)
    staffed("logout")
    refused = staffed("--as", "li", "customer", "add", "--name", "张三", expect=2)
    assert "not logged in" in refused.stderr and "crm login li" in refused.stderr
    refused = staffed("customer", "add", "--name", "张三", env={"CRM_USER": "wangfang"}, expect=2)
    assert staffed.sql("SELECT count(*) FROM customers") == [(0,)]
    wrong = staffed("login", "li", input="000000\n", expect=2)
    assert "wrong PIN" in wrong.stderr
    assert staffed.sql("SELECT action FROM audit_log ORDER BY id DESC LIMIT 1") == [("login-failed",)]
    staffed("login", "li", input="135790\n")
    assert stat.S_IMODE(os.stat(session_file(staffed)).st_mode) == 0o600
    staffed("customer", "add", "--name", "张三")
    assert staffed.sql("SELECT actor, role FROM audit_log ORDER BY id DESC LIMIT 1") == [("li", "manager")]


def test_the_manager_acts_for_others_and_it_is_audited_as_such(staffed):
    secured(staffed)
    staffed("--as", "wangfang", "customer", "add", "--name", "张三")
    assert staffed.sql("SELECT actor, principal, role FROM audit_log ORDER BY id DESC LIMIT 1") == [
        ("wangfang", "li", "callback")]
    rows = staffed.json("audit", "list", "--limit", "1")
    assert rows[0]["actor"] == "wangfang" and rows[0]["principal"] == "li"


def test_a_specialist_may_not_act_for_others(staffed):
    secured(staffed)
    staffed("login", "wangfang", input="246802\n")
    refused = staffed("--as", "li", "staff", "add", "evil", "--name", "坏人", "--role", "manager", expect=2)
    assert "act-for-others" in refused.stderr and "wangfang (callback)" in refused.stderr
    staffed("--as", "wangfang", "customer", "add", "--name", "张三")  # naming oneself is fine
    assert staffed.sql("SELECT count(*) FROM staff WHERE code = 'evil'") == [(0,)]


def test_a_session_expires_and_logout_ends_it(staffed):
    secured(staffed)
    later = staffed("customer", "add", "--name", "张三", env={"CRM_NOW": "2026-11-20T19:00:00"}, expect=None)
    assert later.exit_code == 0  # 9 hours later, no name: acts as nobody (no staff identity)
    assert staffed.sql("SELECT actor FROM audit_log ORDER BY id DESC LIMIT 1")[0][0].startswith("os:")
    staffed("--as", "li", "customer", "list", env={"CRM_NOW": "2026-11-20T19:00:00"}, expect=2)
    staffed("--as", "li", "customer", "list")  # still valid within 8 hours
    staffed("logout")
    staffed("--as", "li", "customer", "list", expect=2)
    assert not list((staffed.tmp_path / "state").rglob("sessions/*"))


def test_a_copied_or_forged_session_file_is_worthless(staffed):
    secured(staffed)
    path = session_file(staffed)
    data = json.loads(path.read_text())
    data["token"] = "forged"
    path.write_text(json.dumps(data))
    staffed("--as", "li", "customer", "list", expect=2)


def test_pins_are_hashed_never_stored_or_logged_in_clear(staffed):
    secured(staffed)
    dump = "\n".join(__import__("sqlite3").connect(staffed.db_path).iterdump())
    assert "135790" not in dump and "246802" not in dump
    assert staffed.sql("SELECT pin_hash LIKE 'scrypt$%' FROM staff WHERE code = 'li'") == [(1,)]
    for f in (staffed.tmp_path / "state").rglob("*"):
        if f.is_file():
            assert "135790" not in f.read_text(errors="replace")


def test_only_it_gets_a_long_cron_session(staffed, tmp_path):
    secured(staffed)
    staffed("login", "wangfang", "--hours", "100", input="246802\n", expect=2)
    cron = tmp_path / "cron.session"
    staffed("login", "it", "--hours", "8760", input="112233\n", env={"CRM_SESSION_FILE": str(cron)})
    done = staffed("customer", "add", "--name", "定时", env={"CRM_SESSION_FILE": str(cron), "CRM_USER": "it",
                                                            "CRM_NOW": "2027-06-01T06:00:00"})
    assert done.exit_code == 0
    assert staffed.sql("SELECT actor FROM audit_log ORDER BY id DESC LIMIT 1") == [("it",)]


def test_a_staff_member_without_a_pin_cannot_log_in_and_anyone_sets_their_own(staffed):
    secured(staffed)
    refused = staffed("login", "zhaomin", input="123456\n", expect=2)
    assert "no PIN yet" in refused.stderr and "crm staff pin zhaomin" in refused.stderr
    staffed("login", "wangfang", input="246802\n")
    staffed("staff", "pin", "wangfang", input="975310\n975310\n")  # one's own PIN
    staffed("staff", "pin", "zhaomin", input="123456\n123456\n", expect=2)  # not someone else's


def test_five_wrong_pins_lock_the_login(staffed):
    secured(staffed)
    for _ in range(5):
        staffed("login", "wangfang", input="000000\n", expect=2)
    locked = staffed("login", "wangfang", input="246802\n", expect=2)  # even the right PIN
    assert "5 wrong PINs" in locked.stderr
    assert staffed.sql("SELECT count(*), min(actor) FROM audit_log WHERE action = 'login-failed'")[0][0] == 5
    staffed("login", "wangfang", input="246802\n", env={"CRM_NOW": "2026-11-20T10:20:00"})  # the window passed


def test_a_session_file_goes_through_the_one_checked_writer(staffed, tmp_path):
    """CRM_SESSION_FILE naming the database or a folder is refused before anything is
    recorded (it used to be renamed over whatever was there)."""
    secured(staffed)
    folder = tmp_path / "a-folder"
    folder.mkdir()
    counts = "SELECT (SELECT count(*) FROM staff_sessions), (SELECT count(*) FROM audit_log)"
    for target, why in [(staffed.db_path, "is an SQLite database"), (folder, "is a folder")]:
        inode, before = os.stat(staffed.db_path).st_ino, staffed.sql(counts)
        r = staffed("login", "wangfang", input="246802\n", env={"CRM_SESSION_FILE": str(target)}, expect=2)
        assert why in r.stderr and "nothing was written" in r.stderr, r.stderr
        assert len(r.stderr.strip().splitlines()) == 1
        assert os.stat(staffed.db_path).st_ino == inode and staffed.sql(counts) == before
    assert list(folder.iterdir()) == []
    cron = tmp_path / "cron.session"
    cron.write_text("an old session\n")
    os.chmod(cron, 0o644)
    staffed("login", "it", input="112233\n", env={"CRM_SESSION_FILE": str(cron)})
    assert stat.S_IMODE(os.stat(cron).st_mode) == 0o600 and json.loads(cron.read_text())["staff"] == "it"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
