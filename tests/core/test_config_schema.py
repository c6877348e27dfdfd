"""Every config key is checked against one schema (issue 15 item 8): one line, file, key, expected type, exit 2."""

from __future__ import annotations

import pytest

CASES = [
    ("[db]\nbusy_timeout_seconds = inf\n", "db.busy_timeout_seconds", "a finite number"),
    ("[db]\nbusy_timeout_seconds = nan\n", "db.busy_timeout_seconds", "a finite number"),
    ("[db]\nbusy_timeout_seconds = -1\n", "db.busy_timeout_seconds", "a finite number greater than 0"),
    ('timezone = "Mars/Base"\n', "timezone", "a known time zone"),
    ("timezone = 8\n", "timezone", "a known time zone"),
    ('[log]\nmax_bytes = "big"\n', "log.max_bytes", "a whole number"),
    ("[log]\nbackups = 1.5\n", "log.backups", "a whole number"),
    ('[privacy]\nunmasked_roles = "manager"\n', "privacy.unmasked_roles", "a list of strings"),
    ("[campaigns]\ncare_channels = 5\n", "campaigns.care_channels", "a list of phone, sms, wechat, email"),
    ('[campaigns]\ncare_channels = "sms"\n', "campaigns.care_channels", "a list of"),
    ('[campaigns]\ncare_channels = ["fax"]\n', "campaigns.care_channels", "a list of"),
    ('[portal]\nstreams = "owners"\n', "portal.streams", "a list of owners, leads"),
    ("[portal]\ntimeout = inf\n", "portal.timeout", "a finite number"),
    ('[callbacks]\nretry_slots = ["9.30"]\n', "callbacks.retry_slots", "a list of times"),
    ('[complaints]\nfollowup_workdays = "3"\n', "complaints.followup_workdays", "a whole number"),
]


@pytest.mark.parametrize("text, key, expected", CASES)
def test_a_wrong_value_is_one_line_naming_file_line_key_and_type(crm, text, key, expected):
    path = crm.write_config(text)
    core = key.split(".")[0] in ("db", "timezone", "log", "privacy")
    # a plugin's key stops every command that runs plugins (their own, and every write,
    # which fires their hooks); the core's keys stop every command
    commands = ([["config", "show"], ["customer", "list"]] if core else [["event", "list"]]) + [
        ["customer", "add", "--name", "张三"]]
    for argv in commands:
        r = crm(*argv, expect=2)
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1, r.stderr
        assert str(path) in lines[0] and ", line " in lines[0] and f"{key} must be {expected}" in lines[0], lines[0]
    if crm.db_path.exists() and crm.sql("SELECT 1 FROM sqlite_master WHERE name = 'customers'"):
        assert crm.sql("SELECT count(*) FROM customers") == [(0,)]


def test_good_values_pass(crm):
    crm.write_config('timezone = "Asia/Urumqi"\n[db]\nbusy_timeout_seconds = 0.5\n[log]\nmax_bytes = 2048\n'
                     '[campaigns]\ncare_channels = ["wechat", "sms"]\n[portal]\nstreams = ["owners"]\n')
    crm("config", "show")
    crm("customer", "list")


class HelloPlugin:
    """A third-party plugin declaring its own keys through the hook."""

    from crm import hookimpl

    @hookimpl
    def register_config_keys(self, register):
        register("hello.max_per_day", "int", low=1, high=1000)
        register("hello.channels", "list", choices=("sms", "wechat"))


@pytest.mark.parametrize("text, key, expected", [
    ("[hello]\nmax_per_day = 0\n", "hello.max_per_day", "a whole number at least 1 and at most 1000"),
    ("[hello]\nchannels = 'sms'\n", "hello.channels", "a list of sms, wechat"),
])
def test_a_plugin_declares_its_keys_and_the_core_checks_them(crm, text, key, expected):
    crm.plugins.append(HelloPlugin())
    path = crm.write_config(text)
    r = crm("customer", "add", "--name", "张三", expect=2)
    assert r.stderr.strip() == f"crm: error: {path}, line 2: {key} must be {expected}, not {text.split('= ')[1].strip()}"
    crm.write_config('[hello]\nmax_per_day = 5\nchannels = ["wechat"]\n')
    crm("customer", "add", "--name", "张三")
