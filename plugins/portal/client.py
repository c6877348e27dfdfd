"""HTTP to the manufacturer's portal: token, retries, rate limits, problem documents.

One :class:`PortalClient` per run. ``requests`` is imported when the client is made, so
``crm --help`` never pays for it. Every failure ends as a :class:`crm.errors.CrmError`
with one line that names the endpoint:

- transient (connection dropped, timeout, 502/503/504, 429 beyond the budget, a body cut
  short) → :class:`PortalUnavailable` (exit 75) once the bounded retries are spent;
- the portal refusing us (400/403/404/422, bad credentials) → :class:`PortalRefused`
  (exit 2) with the problem document's title and detail;
- an answer that is not the JSON the contract promises → :class:`PortalGarbage` (exit 2).

The secret and the token never go into a message: messages carry the method, the path
(no query for the token endpoint) and the problem's title/detail only.
"""

from __future__ import annotations

import email.utils
import json
import random
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from crm.errors import BadInput, CrmError, TemporaryFailure

#: The sleep used between retries; tests replace it (``monkeypatch.setattr(client, "sleep", ...)``).
sleep: Callable[[float], None] = time.sleep

TRANSIENT = (502, 503, 504)


#: How a broken answer ends: that page is dropped, what was stored before stays.
NOT_APPLIED = "this answer was not applied (pages already stored are kept)"

class PortalUnavailable(TemporaryFailure):
    """The portal could not be reached or answered 5xx/429 past the retry budget (exit 75)."""


class PortalRefused(BadInput):
    """The portal refused the request (4xx other than 401/412/429): exit 2."""

    def __init__(self, message: str, *, status: int, problem: dict | None = None):
        super().__init__(message)
        self.status = status
        self.problem = problem or {}


class PortalGarbage(BadInput):
    """The answer was not what the contract promises (malformed JSON, wrong shape): exit 2."""


@dataclass
class Answer:
    status: int
    headers: dict
    body: Any
    replayed: bool = False


@dataclass
class Settings:
    url: str
    client_id: str
    secret: str
    dealer_code: str
    timeout: float = 30.0
    retries: int = 5
    backoff: float = 0.5
    backoff_max: float = 30.0
    max_retry_after: float = 300.0
    on_request: Callable[[str], None] | None = None
    on_token: Callable[[str], None] | None = None
    stats: dict = field(default_factory=lambda: {"requests": 0, "retries": 0, "tokens": 0})


def problem_text(problem: Any) -> str:
    if isinstance(problem, dict):
        parts = [str(problem.get("title") or "").strip(), str(problem.get("detail") or "").strip()]
        text = ": ".join(p for p in parts if p)
        errors = problem.get("errors")
        if isinstance(errors, list) and errors:
            text += " (" + "; ".join(f"{e.get('field')}: {e.get('message')}" for e in errors
                                     if isinstance(e, dict)) + ")"
        return text or "no details"
    return "no details"


def retry_after_seconds(value: str | None, date_header: str | None) -> float | None:
    """``Retry-After`` as seconds: a number, or an HTTP date measured against the server's
    ``Date`` header (the server's clock, never ours). None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    base = None
    if date_header:
        try:
            base = email.utils.parsedate_to_datetime(date_header)
        except (TypeError, ValueError, IndexError):
            base = None
    if base is None or when is None:
        return None
    return max(0.0, (when - base).total_seconds())


class PortalClient:
    """Talks to one portal as one dealer."""

    def __init__(self, settings: Settings, *, sleep_fn: Callable[[float], None] | None = None,
                 rng: random.Random | None = None):
        import requests

        self.requests = requests
        self.s = settings
        self.base = settings.url.rstrip("/")
        self.session = requests.Session()
        self.session.headers["User-Agent"] = "crm-portal-sync/1"
        self.token: str | None = None
        self._sleep = sleep_fn
        self.rng = rng or random.Random()

    # -- plumbing -------------------------------------------------------------------
    def close(self) -> None:
        self.session.close()

    def wait(self, seconds: float) -> None:
        (self._sleep or sleep)(seconds)

    def _backoff(self, attempt: int) -> float:
        cap = min(self.s.backoff_max, self.s.backoff * (2 ** attempt))
        return self.rng.uniform(cap / 2, cap) if cap > 0 else 0.0

    def _note(self, text: str) -> None:
        if self.s.on_request:
            self.s.on_request(text)

    def fetch_token(self) -> str:
        """``POST /oauth/token`` (client credentials), with the same transient retries."""
        path = "/oauth/token"
        data = {"grant_type": "client_credentials", "client_id": self.s.client_id,
                "client_secret": self.s.secret}
        answer = self._send("POST", path, data=data, auth=False)
        if answer.status != 200:
            detail = problem_text(answer.body)
            if answer.status in (400, 401):
                raise PortalRefused(f"portal POST {path}: the portal refused the client credentials "
                                    f"({answer.status} {detail}); check portal.client_id and the secret",
                                    status=answer.status, problem=answer.body)
            raise PortalRefused(f"portal POST {path}: {answer.status} {detail}", status=answer.status,
                                problem=answer.body)
        body = answer.body
        if not isinstance(body, dict) or not isinstance(body.get("access_token"), str) or not body["access_token"]:
            raise PortalGarbage(f"portal POST {path}: the answer holds no access_token")
        self.token = body["access_token"]
        self.s.stats["tokens"] += 1
        if self.s.on_token:
            self.s.on_token(self.token)
        return self.token

    def request(self, method: str, path: str, *, params: dict | None = None, json_body: Any = None,
                headers: dict | None = None, ok: tuple[int, ...] = ()) -> Answer:
        """One API call: token on demand, 401 → new token and repeat once. Answers 2xx and
        any status in ``ok``; other 4xx raise :class:`PortalRefused`."""
        if self.token is None:
            self.fetch_token()
        answer = self._send(method, path, params=params, json_body=json_body, headers=headers)
        if answer.status == 401:
            self.fetch_token()
            answer = self._send(method, path, params=params, json_body=json_body, headers=headers)
            if answer.status == 401:
                raise PortalRefused(f"portal {method} {path}: 401 twice with a fresh token "
                                    f"({problem_text(answer.body)})", status=401, problem=answer.body)
        if 200 <= answer.status < 300 or answer.status in ok:
            return answer
        raise PortalRefused(f"portal {method} {path}: {answer.status} {problem_text(answer.body)}",
                            status=answer.status, problem=answer.body if isinstance(answer.body, dict) else None)

    def _send(self, method: str, path: str, *, params=None, json_body=None, data=None, headers=None,
              auth: bool = True) -> Answer:
        """Send with bounded retries for transient failures; returns the first non-transient answer."""
        requests = self.requests
        url = self.base + path
        attempt = 0
        last = ""
        while True:
            hdrs = {"X-Dealer-Code": self.s.dealer_code, "Accept": "application/json"}
            if auth and self.token:
                hdrs["Authorization"] = f"Bearer {self.token}"
            hdrs.update(headers or {})
            self.s.stats["requests"] += 1
            wait: float | None = None
            try:
                response = self.session.request(method, url, params=params, json=json_body, data=data,
                                                headers=hdrs, timeout=self.s.timeout)
                content = response.content  # a body cut short raises here
            except (requests.ConnectionError, requests.Timeout) as exc:
                last = "the connection timed out" if isinstance(exc, requests.Timeout) else "the connection failed"
                self._note(f"{method} {path} -> {last}")
            except requests.exceptions.ChunkedEncodingError:
                last = "the answer was cut short"
                self._note(f"{method} {path} -> {last}")
            except requests.RequestException as exc:
                raise PortalUnavailable(f"portal {method} {path}: {type(exc).__name__}") from None
            else:
                status = response.status_code
                self._note(f"{method} {path} -> {status}")
                if status == 429:
                    wait = retry_after_seconds(response.headers.get("Retry-After"), response.headers.get("Date"))
                    if wait is None:
                        wait = self._backoff(attempt)
                    if wait > self.s.max_retry_after:
                        raise PortalUnavailable(
                            f"portal {method} {path}: rate limited, Retry-After {wait:.0f} s is beyond "
                            f"portal.max_retry_after ({self.s.max_retry_after:.0f} s); try again later")
                    last = "429 rate limited"
                elif status in TRANSIENT:
                    last = f"{status} {problem_text(_json_or_none(content))}"
                else:
                    body = _parse_body(content, response.headers.get("Content-Type", ""), method, path,
                                       status)
                    if isinstance(body, _Malformed):
                        last = body.reason
                        if attempt >= self.s.retries:
                            raise PortalGarbage(f"portal {method} {path}: {body.reason}; " + NOT_APPLIED)
                    else:
                        return Answer(status, dict(response.headers), body,
                                      response.headers.get("Idempotent-Replayed", "").lower() == "true")
            if attempt >= self.s.retries:
                raise PortalUnavailable(f"portal {method} {path}: {last} after {attempt + 1} attempts; "
                                        "try again later")
            self.s.stats["retries"] += 1
            self.wait(self._backoff(attempt) if wait is None else wait)
            attempt += 1


class _Malformed:
    def __init__(self, reason: str):
        self.reason = reason


def _json_or_none(content: bytes) -> Any:
    try:
        return json.loads(content)
    except (ValueError, UnicodeDecodeError):
        return None


def _parse_body(content: bytes, content_type: str, method: str, path: str, status: int) -> Any:
    if not content:
        return None if status == 204 or status >= 400 else _Malformed(f"{status} with an empty body")
    try:
        return json.loads(content)
    except (ValueError, UnicodeDecodeError):
        if status >= 400:
            return None
        return _Malformed(f"{status} with a body that is not valid JSON ({len(content)} bytes)")


__all__ = ["PortalClient", "Settings", "Answer", "PortalUnavailable", "PortalRefused", "PortalGarbage",
           "retry_after_seconds", "problem_text", "CrmError"]
