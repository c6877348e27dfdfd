"""Transport-neutral requests and responses, so that handling is testable without sockets."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping

from .problems import PROBLEM_CONTENT_TYPE, Problem

JSON_CONTENT_TYPE = "application/json"


def dump_json(data: Any) -> bytes:
    """Compact UTF-8 JSON with Chinese kept readable."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@dataclass
class Request:
    """One HTTP request as the application sees it."""

    method: str
    path: str
    query: dict[str, list[str]] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    client: str = "127.0.0.1"

    def header(self, name: str) -> str | None:
        """A header value, looked up without regard to case."""
        getter = getattr(self.headers, "get", None)
        value = getter(name) if getter else None
        if value is None:
            lowered = name.lower()
            for key, candidate in self.headers.items():
                if key.lower() == lowered:
                    return candidate
        return value

    def param(self, name: str) -> str | None:
        """The first value of a query parameter."""
        values = self.query.get(name)
        return values[0] if values else None

    def json(self) -> Any:
        """The body parsed as JSON, or a 400 problem."""
        content_type = (self.header("Content-Type") or "").split(";")[0].strip().lower()
        if content_type and content_type != JSON_CONTENT_TYPE and not content_type.endswith("+json"):
            raise Problem(415, "unsupported-media-type", f"send JSON (application/json), not {content_type}")
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise Problem(400, "malformed-json", f"the body is not valid JSON: {exc}") from exc


@dataclass
class Response:
    """One HTTP answer, plus what the transport should do to it (faults)."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    transport: str | None = None   # None, "drop" (no answer at all) or "truncate"
    fault: str | None = None       # the fault that shaped this answer, for logs

    @classmethod
    def json(cls, status: int, data: Any, headers: dict[str, str] | None = None) -> "Response":
        """A JSON answer."""
        return cls(status, {"Content-Type": JSON_CONTENT_TYPE, **(headers or {})}, dump_json(data))

    @classmethod
    def problem(cls, problem: Problem, instance: str | None = None) -> "Response":
        """An RFC 9457 problem answer."""
        headers = {"Content-Type": PROBLEM_CONTENT_TYPE, **problem.headers}
        return cls(problem.status, headers, dump_json(problem.document(instance)))
