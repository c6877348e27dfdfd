"""OAuth2 client credentials: the client registry and short-lived bearer tokens."""

from __future__ import annotations

import hmac
import secrets
import threading
from dataclasses import dataclass

from .problems import Problem

BEARER_CHALLENGE = 'Bearer realm="dealer-portal"'


@dataclass(frozen=True)
class Client:
    """A registered API client and the dealer it belongs to."""

    client_id: str
    secret: str
    dealer_code: str


@dataclass
class Token:
    """An issued access token."""

    client_id: str
    dealer_code: str
    expires_at: float


class TokenIssuer:
    """Checks client credentials, issues tokens and checks them on each call."""

    def __init__(self, client: Client, ttl: int) -> None:
        self.client = client
        self.ttl = ttl
        self._tokens: dict[str, Token] = {}
        self._lock = threading.Lock()

    def issue(self, client_id: str, secret: str, now: float) -> tuple[str, Token]:
        """A new token for valid credentials; a 401 ``invalid_client`` problem otherwise."""
        id_ok = hmac.compare_digest(client_id.encode("utf-8"), self.client.client_id.encode("utf-8"))
        secret_ok = hmac.compare_digest(secret.encode("utf-8"), self.client.secret.encode("utf-8"))
        if not (id_ok and secret_ok):
            raise Problem(
                401, "invalid-client", "client authentication failed",
                error="invalid_client", error_description="client authentication failed",
            )
        value = secrets.token_urlsafe(32)
        token = Token(self.client.client_id, self.client.dealer_code, now + self.ttl)
        with self._lock:
            self._tokens = {k: t for k, t in self._tokens.items() if t.expires_at > now}
            self._tokens[value] = token
        return value, token

    def check(self, authorization: str | None, now: float) -> Token:
        """The token of an ``Authorization: Bearer`` header, or a 401 problem."""
        if not authorization or not authorization.lower().startswith("bearer "):
            raise Problem(
                401, "unauthorized", "an access token is required (Authorization: Bearer ...)",
                headers={"WWW-Authenticate": BEARER_CHALLENGE},
            )
        value = authorization[7:].strip()
        with self._lock:
            token = self._tokens.get(value)
        if token is None or token.expires_at <= now:
            raise Problem(
                401, "invalid-token", "the access token is invalid or has expired; get a new token",
                headers={"WWW-Authenticate": BEARER_CHALLENGE + ', error="invalid_token"'},
            )
        return token

    def revoke(self, authorization: str | None) -> None:
        """Forget the token of this header (the token-expiry fault)."""
        if authorization and authorization.lower().startswith("bearer "):
            with self._lock:
                self._tokens.pop(authorization[7:].strip(), None)

    def revoke_all(self) -> int:
        """Forget every token; return how many there were."""
        with self._lock:
            count = len(self._tokens)
            self._tokens.clear()
            return count
