"""The crm command itself: help, version, errors, exit codes, file safety."""

import os
import stat

import pytest

from conftest import run_crm_process


def test_help_lists_core_and_plugin_commands(crm):
    out = crm("--help").stdout
    for name in ("customer", "staff", "db", "plugins", "config", "audit", "callbacks", "complaints", "campaigns", "sync"):
        assert f"  {name}" in out


def test_short_help_flag_and_version(crm):
    assert "Usage: crm" in crm("-h").stdout
    assert crm("--version").stdout.startswith("crm ")


def test_unknown_option_is_one_line_exit_2(crm):
    result = crm("staff", "list", "--bogus", expect=2)
    lines = [l for l in result.stderr.splitlines() if l.strip()]
    assert len(lines) == 1 and "--bogus" in lines[0] and "No such option" in lines[0]
    assert result.stdout == ""


def test_unknown_command_suggests_once(crm):
    result = crm("customer", "lst", expect=2)
    assert result.stderr.count("Did you mean 'list'?") == 1


def test_unknown_id_exit_2_and_nothing_written(crm):
    crm("staff", "list")  # create the database
    before = crm.sql("SELECT count(*) FROM audit_log")
    result = crm("customer", "show", "999", expect=2)
    assert result.stderr.strip() == "crm: error: no customer with id 999"
    assert crm.sql("SELECT count(*) FROM audit_log") == before


def test_bad_value_leaves_database_unchanged(crm):
    crm("customer", "add", "--name", "张三", "--mobile", "13812345678")
    crm("customer", "add", "--name", "李四", "--mobile", "12345", expect=2)
    assert crm.sql("SELECT name FROM customers") == [("张三",)]


def test_database_is_private_wal_with_foreign_keys(crm):
    crm("staff", "list")
    mode = stat.S_IMODE(os.stat(crm.db_path).st_mode)
    assert mode == 0o600
    assert crm.sql("PRAGMA journal_mode") == [("wal",)]
    wal = crm.db_path.with_name(crm.db_path.name + "-wal")
    if wal.exists():
        assert stat.S_IMODE(os.stat(wal).st_mode) & 0o077 == 0


def test_db_option_and_env_choose_the_file(crm, tmp_path):
    other = tmp_path / "sub" / "other.db"
    crm("--db", str(other), "db", "migrate")
    crm("--db", str(other), "customer", "add", "--name", "王五")
    assert other.exists() and stat.S_IMODE(os.stat(other).st_mode) == 0o600
    assert crm.db_path.stat().st_size == 0  # the default database untouched


@pytest.mark.parametrize("command", [["customer", "list"], ["staff", "add", "li", "--name", "李", "--role", "manager"],
                                     ["db", "check"], ["db", "migrate", "--status"], ["db", "backup", "b.db"]])
@pytest.mark.parametrize("how", ["--db", "CRM_DB"])
def test_a_missing_database_is_an_error_naming_it(crm, tmp_path, command, how):
    """Issue 18 §4: a mistyped path creates nothing (only 'db migrate'/'db restore' create)."""
    missing = tmp_path / "nonexistent" / "dir" / "x.db"
    args, env = (["--db", missing], None) if how == "--db" else ([], {"CRM_DB": str(missing)})
    out = crm(*args, *command, env=env, expect=2)
    assert out.stderr.strip() == (f"crm: error: {missing}: no database here ({how}); check the path,"
                                  " or create a new database with 'crm db migrate'")
    assert not (tmp_path / "nonexistent").exists()


def test_db_migrate_creates_the_database_and_its_folder(crm, tmp_path):
    new = tmp_path / "new" / "crm.db"
    out = crm("--db", new, "db", "migrate", env={"CRM_USER": "li"})  # as in a cron environment
    assert f"created a new database: {new}" in out.stderr
    assert stat.S_IMODE(os.stat(new).st_mode) == 0o600 and stat.S_IMODE(os.stat(new.parent).st_mode) == 0o700
    crm("--db", new, "customer", "list")


@pytest.mark.parametrize("how", ["--config", "CRM_CONFIG"])
def test_a_missing_config_file_is_an_error_naming_it(crm, tmp_path, how):
    missing = tmp_path / "missing.toml"
    args, env = (["--config", missing], None) if how == "--config" else ([], {"CRM_CONFIG": str(missing)})
    out = crm(*args, "customer", "list", env=env, expect=2)
    assert str(missing) in out.stderr and how in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_database_that_is_not_sqlite_is_bad_input(crm):
    crm.db_path.write_text("this is not a database\n" * 100)
    result = crm("staff", "list", expect=2)
    assert "not a crm database" in result.stderr


def test_real_process_exit_codes(tmp_path):
    env = {"CRM_DB": str(tmp_path / "p.db"), "CRM_CONFIG": str(tmp_path / "config.toml")}
    assert run_crm_process("db", "migrate", env=env).returncode == 0
    ok = run_crm_process("staff", "add", "ann", "--name", "Ann", "--role", "manager", env=env)
    assert ok.returncode == 0, ok.stderr
    bad = run_crm_process("--as", "ann", "staff", "add", "ann", "--name", "Ann", "--role", "manager", env=env)
    assert bad.returncode == 2 and bad.stderr.strip() == "crm: error: staff code 'ann' already exists"
    usage = run_crm_process("staff", "add", env=env)
    assert usage.returncode == 2 and "Traceback" not in usage.stderr
    assert len(usage.stderr.strip().splitlines()) == 1


def test_unknown_actor_is_refused(staffed):
    result = staffed("--as", "nobody", "staff", "list", expect=2)
    assert "unknown staff member 'nobody'" in result.stderr


def test_audit_log_records_writes_and_cannot_be_edited(staffed):
    import sqlite3

    import pytest

    rows = staffed.json("--as", "li", "audit", "list")
    assert {r["command"] for r in rows} == {"crm staff add"}
    assert all(r["action"] == "create" and r["entity"] == "staff" for r in rows)
    conn = sqlite3.connect(staffed.db_path)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM audit_log")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("UPDATE audit_log SET actor = 'x'")
    conn.close()
