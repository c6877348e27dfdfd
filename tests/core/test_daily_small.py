"""Issue 18 §10: small things in daily use."""


def test_forget_an_unknown_customer_says_so_before_asking_for_yes(staffed):
    out = staffed("customer", "forget", "999", env={"CRM_USER": "li"}, expect=2)
    assert "999" in out.stderr and "--yes" not in out.stderr


def test_audit_list_refuses_a_negative_limit(staffed):
    out = staffed("audit", "list", "--limit", "-1", env={"CRM_USER": "li"}, expect=2)
    assert "--limit" in out.stderr


def test_global_flags_are_read_wherever_they_stand():
    from crm.cli import hoist_global_flags

    assert hoist_global_flags(["sync", "run", "-v"]) == ["-v", "sync", "run"]
    assert hoist_global_flags(["complaints", "escalate", "-vv", "--quiet"]) == ["-vv", "--quiet", "complaints", "escalate"]
    assert hoist_global_flags(["log", "add", "--", "-v"]) == ["log", "add", "--", "-v"]


def test_quiet_after_a_subcommand_silences_its_status_lines(staffed):
    staffed("customer", "add", "--name", "张三", "--mobile", "13812345678")
    staffed("customer", "add", "--name", "李四", "--mobile", "13912345678")
    li = {"CRM_USER": "li"}
    loud = staffed("customer", "forget", "1", "--yes", env=li)
    quiet = staffed("customer", "forget", "2", "--yes", "--quiet", env=li)
    assert "forgotten" in loud.stderr and not quiet.stderr


def test_long_cells_are_wrapped_not_cut():
    """Issue 18 §6: the whole reason is shown, on more lines of its row."""
    from crm.output import render_table

    reason = ("VIN check digit (position 9) is wrong: expected 6; check the VIN on the registration"
              " certificate (行驶证)")
    text = render_table([{"row": 5, "reason": reason}, {"row": 6, "reason": "ok"}], ["row", "reason"])
    assert "…" not in text
    lines = text.splitlines()
    assert all(len(line) <= 3 + 2 + 40 for line in lines)
    assert " ".join(line[5:].strip() for line in lines[2:-1]) == reason
    assert lines[-1].split() == ["6", "ok"]


def test_the_rejects_table_shows_the_whole_reason(staffed, tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("姓名,手机,车架号\n张三,13812345678,LBV5G5124KTU05924\n", encoding="utf-8")
    out = staffed("customer", "import", path, expect=2)
    assert "VIN check digit (position 9) is wrong: expected 6" in " ".join(out.stdout.split())


def test_days_are_read_like_everywhere_else(staffed):
    """Issue 18 §2: `--day 2026/11/20` and `2026年11月20日` as the importer reads them; a bad one is exit 2."""
    for day in ("2026/11/20", "2026年11月20日", "2026-11-20"):
        staffed("appointment", "list", "--day", day)
        staffed("today", "--all", "--day", day, env={"CRM_USER": "li"})
    out = staffed("appointment", "list", "--day", "nope", expect=2)
    assert "--day 'nope'" in out.stderr
