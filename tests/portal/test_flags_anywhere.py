"""Issue 18 §8: -v / --quiet mean the same before and after the subcommand."""


def test_verbose_before_or_after_the_subcommand(sync, emu):
    after = sync.crm("sync", "run", "-v")
    before = sync.crm("-v", "sync", "run")
    assert after.stdout.strip() and before.stdout.strip()
    assert before.stdout.split()[:1] == after.stdout.split()[:1]


def test_quiet_after_the_subcommand_is_accepted(sync, emu):
    out = sync.crm("sync", "run", "--quiet")
    assert out.stdout == "" and out.stderr == ""
