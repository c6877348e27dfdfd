"""Drive an emulator in another process: the control API over HTTP, and spawning one.

    from crm_portal_emulator.client import EmulatorProcess

    with EmulatorProcess(["--seed", "3", "--owners", "40"]) as proc:
        proc.base_url                      # http://127.0.0.1:PORT/api/v1
        proc.control.add_faults("drop:path=/callbacks")

:class:`ControlClient` has the same method names as the in-process
:class:`~crm_portal_emulator.control.Controller`. Stdlib only.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from typing import Any, Sequence
from urllib.parse import quote, urlencode

_LISTENING = re.compile(r"^listening on (http://\S+/api/v1)\s*$")


class ControlError(RuntimeError):
    """A control call that the emulator refused; ``problem`` is its answer."""

    def __init__(self, status: int, problem: Any) -> None:
        super().__init__(f"{status}: {problem}")
        self.status = status
        self.problem = problem


class ControlClient:
    """The control API of an emulator at ``base_url`` (``.../api/v1``) or its root URL."""

    def __init__(self, url: str, timeout: float = 10.0) -> None:
        root = url.rstrip("/")
        if root.endswith("/api/v1"):
            root = root[: -len("/api/v1")]
        self.root = root + "/_emulator"
        self.timeout = timeout

    def _call(self, method: str, path: str, body: Any = None, query: dict[str, Any] | None = None) -> Any:
        url = self.root + path + ("?" + urlencode(query) if query else "")
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(url, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                raw = answer.read()
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            try:
                problem = json.loads(raw)
            except ValueError:
                problem = raw.decode("utf-8", "replace")
            raise ControlError(exc.code, problem) from None
        return json.loads(raw) if raw else None

    # faults
    def faults(self) -> list[dict[str, Any]]:
        return self._call("GET", "/faults")

    def add_faults(self, rules: Any) -> list[dict[str, Any]]:
        return self._call("POST", "/faults", _rules_body(rules))

    def set_faults(self, rules: Any) -> list[dict[str, Any]]:
        return self._call("PUT", "/faults", _rules_body(rules))

    def clear_faults(self) -> None:
        self._call("DELETE", "/faults")

    # records
    def records(self, stream: str, include_deleted: bool = True) -> list[dict[str, Any]]:
        return self._call("GET", f"/records/{quote(stream)}", query={"include_deleted": int(include_deleted)})

    def record(self, stream: str, record_id: str) -> dict[str, Any]:
        return self._call("GET", f"/records/{quote(stream)}/{quote(record_id)}")

    def create(self, stream: str, **fields: Any) -> dict[str, Any]:
        return self._call("POST", f"/records/{quote(stream)}", fields)

    def upsert(self, stream: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
        return self._call("POST", f"/records/{quote(stream)}", dict(fields or {}))

    def update(self, stream: str, record_id: str, **fields: Any) -> dict[str, Any]:
        return self._call("POST", f"/records/{quote(stream)}/{quote(record_id)}", fields)

    def touch(self, stream: str, record_id: str) -> dict[str, Any]:
        return self._call("POST", f"/records/{quote(stream)}/{quote(record_id)}", {})

    def delete(self, stream: str, record_id: str) -> dict[str, Any]:
        return self._call("DELETE", f"/records/{quote(stream)}/{quote(record_id)}")

    # what the dealer sent
    def received(self, kind: str | None = None) -> Any:
        return self._call("GET", "/received", query={"kind": kind} if kind else None)

    def clear_received(self) -> None:
        self._call("DELETE", "/received")

    def requests(self) -> list[dict[str, Any]]:
        return self._call("GET", "/requests")

    def clear_requests(self) -> None:
        self._call("DELETE", "/requests")

    # clock, tokens, cursors, reset
    def clock(self) -> dict[str, Any]:
        return self._call("GET", "/clock")

    def advance_clock(self, seconds: float) -> dict[str, Any]:
        return self._call("POST", "/clock", {"advance": seconds})

    def set_clock(self, instant: str) -> dict[str, Any]:
        return self._call("POST", "/clock", {"set": instant})

    def freeze_clock(self, frozen: bool = True) -> dict[str, Any]:
        return self._call("POST", "/clock", {"frozen": frozen})

    def revoke_tokens(self) -> int:
        return int(self._call("DELETE", "/tokens")["revoked"])

    def expire_cursors(self) -> None:
        self._call("DELETE", "/cursors")

    def reset(self) -> dict[str, Any]:
        return self._call("POST", "/reset", {})

    def summary(self) -> dict[str, Any]:
        return self._call("GET", "")


def _rules_body(rules: Any) -> dict[str, Any]:
    if isinstance(rules, str):
        return {"spec": rules}
    if isinstance(rules, dict):
        return {"rules": [rules]}
    return {"rules": list(rules)}


class EmulatorProcess:
    """The console script in a subprocess; waits for its ``listening on`` line."""

    def __init__(
        self,
        args: Sequence[str] = (),
        *,
        env: dict[str, str] | None = None,
        startup_timeout: float = 15.0,
        stderr: Any = subprocess.DEVNULL,
    ) -> None:
        self.args = [sys.executable, "-m", "crm_portal_emulator.cli", *args]
        self.env = {**os.environ, **(env or {})}
        self.startup_timeout = startup_timeout
        self.stderr = stderr
        self.process: subprocess.Popen[str] | None = None
        self.base_url = ""
        self.control: ControlClient | None = None

    def start(self) -> "EmulatorProcess":
        """Start it and read the URL it listens on."""
        self.process = subprocess.Popen(
            self.args, stdout=subprocess.PIPE, stderr=self.stderr, stdin=subprocess.DEVNULL,
            text=True, env=self.env,
        )
        line: list[str] = []
        reader = threading.Thread(target=lambda: line.append(self.process.stdout.readline()), daemon=True)  # type: ignore[union-attr]
        reader.start()
        reader.join(self.startup_timeout)
        match = _LISTENING.match(line[0]) if line else None
        if match is None:
            self.stop()
            raise RuntimeError(f"the emulator did not start: {line[0] if line else 'no output'}")
        self.base_url = match.group(1)
        self.control = ControlClient(self.base_url)
        return self

    def stop(self, timeout: float = 10.0) -> int | None:
        """SIGTERM, wait; returns the exit code."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()
        return self.process.returncode

    def __enter__(self) -> "EmulatorProcess":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
