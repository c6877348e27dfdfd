"""The TOML config: defaults, file, environment overrides, errors, redaction."""

import json


def test_defaults_without_a_file(crm):
    data = crm.json("config", "show")
    assert data["quiet_hours"]["not_before"] == "09:00"
    assert data["locale"] == "zh_CN"


def test_file_and_environment_override(crm):
    crm.write_config('dealer_code = "SH002"\n[quiet_hours]\nnot_after = "19:30"\n')
    data = crm.json("config", "show", env={"CRM_DEALER_CODE": "BJ001", "CRM__QUIET_HOURS__NOT_BEFORE": '"08:30"'})
    assert data["dealer_code"] == "BJ001"
    assert data["quiet_hours"] == {"not_before": "08:30", "not_after": "19:30", "breaks": ["12:00-14:00"]}


def test_broken_toml_names_file_and_line(crm):
    path = crm.write_config('dealer_code = "BJ001"\nlocale = zh_CN\n')
    result = crm("config", "show", expect=2)
    assert str(path) in result.stderr and "line 2" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_bad_value_names_file_line_and_key(crm):
    path = crm.write_config('[quiet_hours]\nnot_before = "9 am"\n')
    result = crm("staff", "list", expect=2)
    assert f"{path}, line 2: quiet_hours.not_before" in result.stderr


def test_secrets_are_redacted(crm):
    crm.write_config('[portal]\nurl = "http://127.0.0.1:1/api/v1"\nclient_secret = "s3cr3t-value"\n'
                     'client_secret_env = "CRM_PORTAL_SECRET"\n')
    out = crm("config", "show").stdout
    assert "s3cr3t-value" not in out
    data = json.loads(out)
    assert data["portal"]["client_secret"] == "********"
    assert data["portal"]["client_secret_env"] == "CRM_PORTAL_SECRET"
    assert "s3cr3t-value" not in crm("config", "show", "--format", "table").stdout


def test_config_path_command(crm):
    assert str(crm.config_path) in crm("config", "path").stdout
