"""Fixtures for the portal sync: a real emulator over HTTP and a configured crm."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Iterator

import pytest

from crm_portal_emulator.server import Emulator

START = "2026-11-22T08:00:00Z"
#: A distinctive secret, so that a grep finds it if it ever leaks.
SECRET = "Portal-S3cr3t-7f9a2c41e8"
SMALL = dict(seed=5, owners=30, leads=16, complaints=6, campaigns=4, surveys=10)


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator(**SMALL, start_time=START, frozen_clock=True, client_secret=SECRET) as emulator:
        yield emulator


@pytest.fixture
def sleeps(monkeypatch) -> list[float]:
    """Every wait the client makes (retries, Retry-After), without waiting."""
    from crm_portal import client

    waited: list[float] = []
    monkeypatch.setattr(client, "sleep", waited.append)
    return waited


def portal_config(emu_url: str, *, extra: str = "", log: Path | None = None) -> str:
    text = (f'dealer_code = "BJ001"\n'
            + (f'[log]\npath = "{log}"\n' if log else "")
            + f'[portal]\nurl = "{emu_url}"\nclient_id = "demo-client"\npage_limit = 10\n'
              f'retries = 4\nbackoff = 0.01\nbackoff_max = 0.05\ntimeout = 5\n' + extra)
    return text


class Sync:
    """``crm`` configured against the emulator (in-process, CliRunner)."""

    secret = SECRET

    def __init__(self, crm, emu: Emulator, tmp_path: Path):
        self.crm = crm
        self.emu = emu
        self.log = tmp_path / "logs" / "crm.log"
        self.configure()

    def configure(self, extra: str = "") -> None:
        self.crm.write_config(portal_config(self.emu.base_url, extra=extra, log=self.log))

    def __call__(self, *args, **kwargs):
        return self.crm(*args, **kwargs)

    def run(self, *args, expect: int | None = 0, **kwargs):
        return self.crm("sync", "run", *args, expect=expect, **kwargs)

    def summary(self, *args, expect: int | None = 0):
        result = self.crm("sync", "run", "--format", "json", *args, expect=expect)
        return json.loads(result.stdout.strip().splitlines()[-1])

    def sql(self, query, params=()):
        return self.crm.sql(query, params)

    def scalar(self, query, params=()):
        rows = self.crm.sql(query, params)
        return rows[0][0] if rows else None

    @staticmethod
    def live(records: list[dict]) -> list[dict]:
        return live(records)

    def stream_requests(self) -> list[dict]:
        return [r for r in self.emu.control.requests() if r["path"].startswith("/api/v1/streams/")
                or r["path"].startswith("/streams/")]


@pytest.fixture
def sync(crm, emu, tmp_path, monkeypatch, sleeps) -> Sync:
    monkeypatch.setenv("CRM_PORTAL_SECRET", SECRET)
    return Sync(crm, emu, tmp_path)


def live(records: list[dict]) -> list[dict]:
    return [r for r in records if not r.get("deleted")]


def crm_env(tmp_path: Path, **extra) -> dict:
    env = dict(os.environ)
    env.update({"CRM_DB": str(tmp_path / "crm.db"), "CRM_CONFIG": str(tmp_path / "config.toml"),
                "CRM_PORTAL_SECRET": SECRET, "CRM_NOW": "2026-11-22T17:00:00"})
    env.update(extra)
    return env


def crm_exe() -> str:
    return str(Path(sys.executable).with_name("crm"))
