"""Fixtures for the portal emulator tests: a running emulator and a small API client."""

from __future__ import annotations

import uuid
from typing import Any, Iterator

import pytest
import requests

from crm_portal_emulator.server import Emulator

START = "2026-11-22T08:00:00Z"


class Portal:
    """A minimal client of the contract, for tests (no retries: tests see every answer)."""

    def __init__(self, emu: Emulator, dealer_code: str | None = None) -> None:
        self.emu = emu
        self.http = requests.Session()
        self.dealer_code = dealer_code or emu.dealer_code
        self.token: str | None = None

    def get_token(self, secret: str = "demo-secret") -> requests.Response:
        answer = self.http.post(
            self.emu.token_url,
            data={"grant_type": "client_credentials", "client_id": self.emu.client_id, "client_secret": secret},
            timeout=5,
        )
        if answer.status_code == 200:
            self.token = answer.json()["access_token"]
        return answer

    def headers(self, **extra: str) -> dict[str, str]:
        if self.token is None:
            self.get_token()
        return {"Authorization": f"Bearer {self.token}", "X-Dealer-Code": self.dealer_code, **extra}

    def stream(self, name: str, **params: Any) -> requests.Response:
        return self.http.get(f"{self.emu.base_url}/streams/{name}", params=params, headers=self.headers(), timeout=5)

    def all_pages(self, name: str, **params: Any) -> list[dict[str, Any]]:
        """Every record of one pass, page by page."""
        seen: list[dict[str, Any]] = []
        answer = self.stream(name, **params)
        while True:
            assert answer.status_code == 200, answer.text
            body = answer.json()
            seen.extend(body["data"])
            if body["next_cursor"] is None:
                return seen
            answer = self.stream(name, cursor=body["next_cursor"], limit=params.get("limit", 100))

    def post(self, path: str, body: Any, *, key: str | None = None, if_match: Any = None,
             **headers: str) -> requests.Response:
        extra = {"Idempotency-Key": key or str(uuid.uuid4()), **headers}
        if if_match is not None:
            extra["If-Match"] = str(if_match)
        return self.http.post(f"{self.emu.base_url}{path}", json=body, headers=self.headers(**extra), timeout=5)


@pytest.fixture
def emu() -> Iterator[Emulator]:
    """A small emulator with a frozen clock pinned at START (fully deterministic)."""
    with Emulator(seed=7, owners=40, leads=30, complaints=12, campaigns=6, surveys=20,
                  start_time=START, frozen_clock=True) as emulator:
        yield emulator


@pytest.fixture
def portal(emu: Emulator) -> Iterator[Portal]:
    """A client of ``emu`` that already holds a token."""
    client = Portal(emu)
    client.get_token()
    yield client
    client.http.close()


@pytest.fixture
def make_portal(emu: Emulator) -> Iterator[Any]:
    """A factory of clients of ``emu``: ``make_portal(dealer_code=None)``."""
    made: list[Portal] = []

    def factory(dealer_code: str | None = None) -> Portal:
        client = Portal(emu, dealer_code)
        made.append(client)
        return client

    yield factory
    for client in made:
        client.http.close()
