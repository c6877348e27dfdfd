"""Shared fixtures: every test gets its own database, config and data dirs."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from crm.cli import make_app

ROOT = Path(__file__).resolve().parent.parent

# Test folders keep their own helper modules (e.g. tests/complaints/complaints_helpers.py);
# with --import-mode=importlib they are importable once their folder is on sys.path.
# Give such helper modules names unique across folders.
for _folder in sorted(Path(__file__).resolve().parent.iterdir()):
    if _folder.is_dir() and not _folder.name.startswith((".", "__")) and str(_folder) not in sys.path:
        sys.path.append(str(_folder))


#: the environment override that makes a test database a single-person dealer
SINGLE_PERSON_DEALER = "CRM__IDENTITY__ANONYMOUS"


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    """Point crm's database, config and platform dirs at the test's tmp_path."""
    for name in list(os.environ):
        if name.startswith("CRM_") or name.startswith("CRM__"):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CRM_DB", str(tmp_path / "crm.db"))
    monkeypatch.setenv("CRM_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("CRM_NOW", "2026-11-20T10:00:00")
    # The suite's databases are single-person dealers: somebody without a staff identity may
    # write ([identity] anonymous = "write", docs/privacy.md), so a test names a staff member
    # only where who acts matters. The department's default ("read": no staff identity, no
    # writes) is tested where it matters with the ``department`` fixture below, the permission
    # table's cells and the docs' examples.
    monkeypatch.setenv(SINGLE_PERSON_DEALER, "write")
    # crm reports a missing database or config file instead of creating one (docs/storage.md):
    # every test starts with an empty database file (migrated on first use) and an empty config
    make_empty_db(tmp_path / "crm.db")
    (tmp_path / "config.toml").touch(mode=0o600)
    return tmp_path


def make_empty_db(path: Path) -> Path:
    """An empty database file, as 'crm db migrate' would leave it before migrating (0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    return path


class Crm:
    """Runs ``crm`` in-process with CliRunner against the test's real SQLite file."""

    def __init__(self, tmp_path: Path):
        self.tmp_path = tmp_path
        self.db_path = tmp_path / "crm.db"
        self.config_path = tmp_path / "config.toml"
        self.plugins: list[object] = []

    def __call__(self, *args: str, input: str | None = None, env: dict | None = None,
                 expect: int | None = 0, plugins=None):
        runner = CliRunner()
        environ = dict(os.environ)
        environ.update(env or {})
        for key, value in (env or {}).items():
            if value is None:
                environ.pop(key, None)
        app = make_app(environ=environ, extra_plugins=self.plugins if plugins is None else plugins)
        self.ensure_files()
        result = runner.invoke(app, [str(a) for a in args], input=input, env=env, catch_exceptions=False)
        if expect is not None:
            assert result.exit_code == expect, (
                f"crm {' '.join(map(str, args))} exited {result.exit_code}, expected {expect}\n"
                f"stdout: {result.stdout}\nstderr: {result.stderr}"
            )
        return result

    def ensure_files(self) -> None:
        """This test database and config exist (empty at first), as after 'crm db migrate':
        crm itself reports a missing one (docs/storage.md)."""
        if not self.db_path.exists():
            make_empty_db(self.db_path)
        if not self.config_path.exists():
            self.config_path.touch(mode=0o600)

    def json(self, *args: str, **kwargs):
        import json

        result = self(*args, "--format", "json", **kwargs)
        return json.loads(result.stdout)

    def sql(self, query: str, params=()) -> list[tuple]:
        conn = sqlite3.connect(self.db_path)
        try:
            return conn.execute(query, params).fetchall()
        finally:
            conn.close()

    def execute(self, statement: str, params=()) -> None:
        """Write to the test database directly (for set-ups no command makes), committed."""
        conn = sqlite3.connect(self.db_path)
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute(statement, params)
            conn.commit()
        finally:
            conn.close()

    def write_config(self, text: str) -> Path:
        self.config_path.write_text(text, encoding="utf-8")
        return self.config_path


@pytest.fixture
def crm(tmp_path) -> Crm:
    return Crm(tmp_path)


@pytest.fixture
def staffed(crm) -> Crm:
    """A database with a small department: a manager, specialists, advisors, IT."""
    for code, name, role in [
        ("li", "李经理", "manager"),
        ("wangfang", "王芳", "callback"),
        ("zhaomin", "赵敏", "satisfaction"),
        ("chenjing", "陈静", "appointment"),
        ("liuyang", "刘洋", "archive"),
        ("sunwei", "孙伟", "advisor"),
        ("it", "运维", "it"),
    ]:
        # the first manager is added in first-time setup; from then on the manager adds staff
        crm("--as", "li", "staff", "add", code, "--name", name, "--role", role) if code != "li" else \
            crm("staff", "add", code, "--name", name, "--role", role)
    return crm


@pytest.fixture
def department(staffed, monkeypatch) -> Crm:
    """``staffed`` with the default identity rule: without a staff identity, read only."""
    monkeypatch.delenv(SINGLE_PERSON_DEALER, raising=False)
    return staffed


def run_crm_process(*args: str, env: dict | None = None, timeout: float = 60, input: str | None = None):
    """Run the installed ``crm`` console script as a real process."""
    environ = dict(os.environ)
    environ.update(env or {})
    exe = Path(sys.executable).with_name("crm")
    return subprocess.run([str(exe), *map(str, args)], capture_output=True, text=True, env=environ,
                          timeout=timeout, input=input)
