"""Every command that writes a file refuses a dangerous output path: one line, exit 2, nothing written.

Issue 15 item 1: ``crm event ics --out $CRM_DB`` overwrote the live database, and ``--out
/dev/null`` (as root) replaced the device node by a file of customer rows. Every output path
goes through the one checked writer (crm/io/writers.py ``check_target``/``atomic_write``).
"""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest
from openpyxl import Workbook

from crm.errors import BadInput
from crm.io.writers import check_target


def _customer_csv(crm, tmp: Path) -> Path:
    p = tmp / "in-customers.csv"
    p.write_text("name,mobile\n张三,123\n李四,13812345678\n", encoding="utf-8")
    return p


def _visit_csv(crm, tmp: Path) -> Path:
    p = tmp / "in-visits.csv"
    p.write_text("工单号,VIN,进厂日期\nRO1,LSVAA4182E2123456,2026-11-01\n", encoding="utf-8")
    return p


def _segment(crm, tmp: Path) -> None:
    crm("segment", "save", "bj", "--city", "北京")


def _survey(crm, tmp: Path) -> list[str]:
    sid = crm("survey", "create", "2026-11售后", "--kind", "service_csi").stdout.strip()
    book = Workbook()
    book.active.append(["customer", "mobile", "vin", "ro", "answered_at", "overall"])
    book.active.append([999, None, None, None, "2026-11-14", 8])  # unknown customer: a reject
    path = tmp / "in-answers.xlsx"
    book.save(path)
    return [sid, str(path)]


#: name -> (set-up returning extra args, argv with {out}, the right extension, exit code when it works)
COMMANDS = {
    "customer export": (None, ["customer", "export", "{out}"], ".csv", 0),
    "customer import --report": (_customer_csv, ["customer", "import", "{in}", "--skip-invalid", "--report", "{out}"],
                                 ".csv", 3),
    "visit import --report": (_visit_csv, ["visit", "import", "{in}", "--skip-invalid", "--report", "{out}"], ".csv", 3),
    "report --out": (None, ["--as", "li", "report", "daily", "--out", "{out}"], ".xlsx", 0),
    # a backup is an unmasked copy: permission db.backup (manager, IT), so the manager runs it
    "db backup": (None, ["--as", "li", "db", "backup", "{out}"], None, 0),
    "callbacks export-queue": (None, ["callbacks", "export-queue", "{out}"], ".xlsx", 0),
    "callbacks sheet --out": (None, ["callbacks", "sheet", "--period", "2026-11", "--out", "{out}"], ".xlsx", 0),
    "complaints stats --out": (None, ["complaints", "stats", "--period", "2026-11", "--out", "{out}"], ".xlsx", 0),
    "event ics --out": (None, ["event", "ics", "--out", "{out}"], ".ics", 0),
    "segment export --out": (_segment, ["--as", "li", "segment", "export", "bj", "--out", "{out}"], ".csv", 0),
    "survey import --rejects": (_survey, ["survey", "import", "{in}", "--skip-invalid", "--rejects", "{out}"],
                                ".csv", 3),
}


def _argv(crm, tmp, name, out) -> list[str]:
    setup, argv, _suffix, _ok = COMMANDS[name]
    if not hasattr(crm, "setup_done"):
        crm.setup_done = setup(crm, tmp) if setup else None
    extra = crm.setup_done
    inputs = [str(extra)] if isinstance(extra, Path) else (extra or [])
    result = []
    for a in argv:
        if a == "{in}":
            result.extend(inputs)
        else:
            result.append(a.replace("{out}", str(out)))
    return result


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file() and not p.name.startswith("crm.db")}


@pytest.mark.parametrize("name", COMMANDS)
def test_the_database_is_never_an_output(staffed, tmp_path, name):
    crm = staffed
    argv = _argv(crm, tmp_path, name, crm.db_path)
    inode, before = os.stat(crm.db_path).st_ino, _dump(crm.db_path)
    r = crm(*argv, expect=2)
    assert len(r.stderr.strip().splitlines()) == 1 and "nothing was written" in r.stderr, r.stderr
    assert os.stat(crm.db_path).st_ino == inode and _dump(crm.db_path) == before
    conn = sqlite3.connect(crm.db_path)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()


def _dump(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


@pytest.mark.parametrize("name", COMMANDS)
def test_a_backup_or_a_wal_file_is_never_an_output(staffed, tmp_path, name):
    crm = staffed
    suffix = COMMANDS[name][2] or ".db"
    backup = tmp_path / f"backup{suffix}"
    crm("--as", "li", "db", "backup", backup)
    wal = tmp_path / f"other{suffix}-wal"
    wal.write_bytes(b"\x37\x7f\x06\x82" + bytes(28))
    for target in ([wal] if name == "db backup" else [backup, wal]):
        argv = _argv(crm, tmp_path, name, target)
        before = _snapshot(tmp_path)
        r = crm(*argv, expect=2)
        assert "nothing was written" in r.stderr
        assert _snapshot(tmp_path) == before


@pytest.mark.parametrize("name", COMMANDS)
def test_a_device_is_never_replaced(staffed, tmp_path, name):
    crm = staffed
    devnull = Path("/dev/null")
    before = os.stat(devnull)
    r = crm(*_argv(crm, tmp_path, name, devnull), expect=2)
    assert "nothing was written" in r.stderr
    after = os.lstat(devnull)
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev and after.st_ino == before.st_ino


@pytest.mark.parametrize("name", COMMANDS)
def test_a_symlink_to_a_device_is_not_followed(staffed, tmp_path, name):
    crm = staffed
    link = tmp_path / f"link{COMMANDS[name][2] or '.db'}"
    link.symlink_to("/dev/null")
    crm(*_argv(crm, tmp_path, name, link), expect=2)
    assert link.is_symlink() and stat.S_ISCHR(os.stat("/dev/null").st_mode)


@pytest.mark.parametrize("name", [n for n, c in COMMANDS.items() if c[2]])
def test_a_wrong_extension_is_refused(staffed, tmp_path, name):
    crm = staffed
    out = tmp_path / "out.exe"
    r = crm(*_argv(crm, tmp_path, name, out), expect=2)
    assert "must end in" in r.stderr and not out.exists()


@pytest.mark.parametrize("name", COMMANDS)
def test_a_folder_or_a_missing_folder_is_refused(staffed, tmp_path, name):
    crm = staffed
    folder = tmp_path / f"folder{COMMANDS[name][2] or '.db'}"
    folder.mkdir()
    r = crm(*_argv(crm, tmp_path, name, folder), expect=2)
    assert "is a folder" in r.stderr and list(folder.iterdir()) == []
    missing = tmp_path / "nope" / f"x{COMMANDS[name][2] or '.db'}"
    r = crm(*_argv(crm, tmp_path, name, missing), expect=2)
    assert "does not exist" in r.stderr and "nothing was written" in r.stderr


@pytest.mark.parametrize("name", COMMANDS)
def test_a_new_file_and_an_old_export_are_written_private(staffed, tmp_path, name):
    crm = staffed
    _setup, _argv_, suffix, ok = COMMANDS[name]
    out = tmp_path / f"result{suffix or '.db'}"
    out.write_bytes(b"an old export\n")
    os.chmod(out, 0o644)
    crm(*_argv(crm, tmp_path, name, out), expect=ok)
    assert out.read_bytes() != b"an old export\n"
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_import_report_refused_before_anything_is_imported(staffed, tmp_path):
    crm = staffed
    crm("customer", "import", _customer_csv(crm, tmp_path), "--skip-invalid", "--report", "/dev/null", expect=2)
    assert crm.sql("SELECT count(*) FROM customers") == [(0,)]


def test_check_target_unit(tmp_path):
    (tmp_path / "ok.csv").write_text("old")
    assert check_target(tmp_path / "ok.csv", (".csv",)) == tmp_path / "ok.csv"
    (tmp_path / "dangling.csv").symlink_to(tmp_path / "nothing")
    fifo = tmp_path / "p.csv"
    os.mkfifo(fifo)
    for bad, why in [(tmp_path / "dangling.csv", "symbolic link to nothing"), (fifo, "is a pipe"),
                     (tmp_path / "x.db-journal", "journal or WAL"), (tmp_path / "ok.CSV.bak", "must end in")]:
        with pytest.raises(BadInput, match=why):
            check_target(bad, (".csv",))


def test_one_private_writer_in_crm_and_its_plugins():
    """Only crm/io/writers.py renames files into place or saves workbooks to a name (issue 14/15).

    crm/sampledata is the demo-data generator (``python -m crm.sampledata``), no crm command.
    """
    import re

    root = Path(__file__).resolve().parents[2]
    private = re.compile(r"\bos\.(replace|rename)\(|mkstemp\(|NamedTemporaryFile\(|\.rename\("
                         r"|\bopen\([^)]*[\"'](w|wb|a|x)b?[\"']|\.save\((?!f\)|fh\)|buffer\)|\))")
    found = []
    for folder in ("crm", "plugins"):
        for path in sorted((root / folder).rglob("*.py")):
            rel = path.relative_to(root).as_posix()
            if rel == "crm/io/writers.py" or rel.startswith("crm/sampledata/"):
                continue
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if private.search(line):
                    found.append(f"{rel}:{n}: {line.strip()}")
    assert found == []
