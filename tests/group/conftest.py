"""A private PostgreSQL server for the group warehouse tests, started once a session.

``CRM_TEST_POSTGRES_URL`` (a server you run) wins; otherwise, when PostgreSQL's binaries are
installed (``initdb``/``pg_ctl`` on PATH or under /usr/lib/postgresql/*/bin), the fixture
makes a data directory in a temporary folder, starts ``postgres`` on 127.0.0.1 at a free port
(as the ``postgres`` user when the tests run as root: the server refuses root), and stops it
at the end. Each test gets a database of its own. Without PostgreSQL the tests that need it
are skipped on a developer's machine and FAIL under CI (``CI=true``; .ci/run installs it).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

ENV = "CRM_TEST_POSTGRES_URL"
_URL_AT_START = os.environ.get(ENV)


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _bindir() -> Path | None:
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(os.path.realpath(found)).parent
    for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(d, "pg_ctl").exists() and Path(d, "initdb").exists():
            return Path(d)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Server:
    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.dir = Path(tempfile.mkdtemp(prefix="crm-pg-"))  # /tmp: reachable by the postgres user
        self.data = self.dir / "data"
        self.port = _free_port()
        self.prefix: list[str] = []
        if os.geteuid() == 0:
            import pwd

            user = pwd.getpwnam("postgres")  # the Debian package's user
            os.chown(self.dir, user.pw_uid, user.pw_gid)
            self.prefix = ["runuser", "-u", "postgres", "--"]

    def run(self, *argv: str) -> None:
        subprocess.run(self.prefix + list(argv), check=True, capture_output=True, timeout=120)

    def start(self) -> str:
        self.run(str(self.bindir / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "crm", "-E", "UTF8",
                 "--no-locale", "--no-sync")
        opts = f"-h 127.0.0.1 -p {self.port} -k {self.dir} -F -c fsync=off -c full_page_writes=off"
        self.run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-o", opts, "-l", str(self.dir / "log"),
                 "-w", "-t", "60", "start")
        return f"postgresql://crm@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        try:
            self.run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        except (subprocess.SubprocessError, OSError):
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server():
    """The URL of a PostgreSQL server (its maintenance database)."""
    if _URL_AT_START:
        yield _URL_AT_START
        return
    bindir = _bindir()
    if bindir is None:
        why = "PostgreSQL is not installed (initdb/pg_ctl); .ci/run installs Debian's postgresql"
        if _in_ci():
            pytest.fail(f"CI: {why}")
        pytest.skip(why)
    server = _Server(bindir)
    try:
        url = server.start()
    except (subprocess.SubprocessError, OSError, KeyError) as e:
        server.stop()
        detail = getattr(e, "stderr", b"") or b""
        pytest.fail(f"could not start a private PostgreSQL in {server.dir}: {e} {detail.decode(errors='replace')[-300:]}")
    yield url
    server.stop()


@pytest.fixture
def pg_url(postgres_server):
    """A fresh, empty database on the test server; dropped afterwards."""
    import psycopg

    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = postgres_server.rpartition("/")
    yield f"{base}/{name}"
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
