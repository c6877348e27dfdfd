"""Targets (issue 16): [targets] in the config, shown as 本期 / 目标 / 完成率 on kpi, weekly, monthly."""

import json


def _targets(crm, *args, env=None) -> list[dict]:
    report = json.loads(crm("report", *args, "--format", "json", env=env).stdout)
    return next((s["rows"] for s in report["sections"] if s["key"] == "targets"), [])


def test_targets_per_kpi_role_person_and_month_show_attainment(staffed):
    staffed.write_config('[targets]\ncalls_made = 4\n"会员覆盖率" = 100\n'
                         '[targets.callback]\ncalls_made = 2\n'
                         '[targets."2026-11".wangfang]\ncalls_made = 1\n')
    for i in range(2):
        staffed("--as", "wangfang", "log", "add", "--customer",
                staffed("customer", "add", "--name", f"客户{i}", "--mobile", f"1381234560{i}").stdout.strip(),
                "--kind", "call", "--outcome", "reached")
    env = {"CRM_CONFIG": str(staffed.config_path)}
    dept = {r["figure"]: r for r in _targets(staffed, "monthly", "--period", "2026-11", env=env)}
    assert (dept["外呼数"]["value"], dept["外呼数"]["target"], dept["外呼数"]["attainment"]) == (2, 4, 50.0)
    assert "会员覆盖率" in dept
    mine = {r["figure"]: r for r in _targets(staffed, "kpi", "--period", "2026-11", "--staff", "wangfang", env=env)}
    assert (mine["外呼数"]["target"], mine["外呼数"]["attainment"]) == (1, 200.0)  # the month's, for her
    assert "会员覆盖率" not in mine  # a department target is not a person's
    october = {r["figure"]: r for r in _targets(staffed, "kpi", "--period", "2026-10", "--staff", "wangfang", env=env)}
    assert october["外呼数"]["target"] == 2  # the role's, every month
    assert _targets(staffed, "weekly", "--period", "2026-W47", env=env)


def test_a_target_that_is_not_a_number_is_a_config_error(staffed):
    staffed.write_config('[targets]\ncalls_made = "lots"\n')
    out = staffed("report", "kpi", env={"CRM_CONFIG": str(staffed.config_path)}, expect=2)
    assert "targets.calls_made: a target must be a number" in out.stderr
