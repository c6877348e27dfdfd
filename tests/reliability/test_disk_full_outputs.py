"""A full disk under an output file (issue 15 item 6): exit 75, one line, nothing half-written.

The disk is a real one: a 64 KB tmpfs, filled up, mounted over a folder of the test (needs
root, as the attack was run; skipped where mounting is not allowed). Every command that
writes a file is run with its output in that folder.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from test_output_paths import COMMANDS, _argv, _customer_csv


@pytest.fixture
def full_dir(tmp_path):
    folder = tmp_path / "full"
    folder.mkdir()
    try:
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", str(folder)],
                                 capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as exc:
        pytest.skip(f"cannot mount a tmpfs here: {exc}")
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        filler = open(folder / "filler", "wb", buffering=0)
        try:
            while True:
                filler.write(b"\0" * 4096)
        except OSError:
            pass
        finally:
            filler.close()
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True, timeout=30)


@pytest.mark.parametrize("name", COMMANDS)
def test_a_full_disk_is_exit_75_and_one_line(staffed, tmp_path, full_dir, name):
    crm = staffed
    if name in ("customer import --report", "visit import --report", "survey import --rejects"):
        pytest.skip("import reports: see the test below")
    out = full_dir / f"out{COMMANDS[name][2] or '.db'}"
    r = crm(*_argv(crm, tmp_path, name, out), expect=75)
    assert "disk is full" in r.stderr and "nothing was written" in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    assert sorted(p.name for p in full_dir.iterdir()) == ["filler"]  # no temp file, no half file


@pytest.mark.parametrize("command", ["customer", "visit"])
def test_import_report_on_a_full_disk_rolls_the_import_back(staffed, tmp_path, full_dir, command):
    crm = staffed
    source = _customer_csv(crm, tmp_path) if command == "customer" else _argv(crm, tmp_path, "visit import --report", "x")[2]
    before = crm.sql("SELECT count(*) FROM customers"), crm.sql("SELECT count(*) FROM audit_log")
    r = crm(command, "import", source, "--skip-invalid", "--report", full_dir / "rej.csv", expect=75)
    assert "disk is full" in r.stderr and "nothing was imported" in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert (crm.sql("SELECT count(*) FROM customers"), crm.sql("SELECT count(*) FROM audit_log")) == before
    assert sorted(p.name for p in full_dir.iterdir()) == ["filler"]


def test_survey_rejects_on_a_full_disk_import_nothing(staffed, tmp_path, full_dir):
    crm = staffed
    argv = _argv(crm, tmp_path, "survey import --rejects", full_dir / "rej.csv")
    crm(*argv, expect=75)
    assert crm.sql("SELECT count(*) FROM campaigns_survey_responses") == [(0,)]
    assert sorted(p.name for p in full_dir.iterdir()) == ["filler"]
