"""The portal application: routing, faults and the request log, without sockets."""

from __future__ import annotations

import collections
import re
import threading
import time
import traceback
from typing import Any, Callable

from . import api, control
from .auth import Client, TokenIssuer
from .clock import Clock
from .config import EmulatorConfig
from .cursors import CursorCodec
from .faults import API_PREFIX, FaultPlan, FaultRule, RequestFacts
from .idempotency import IdempotencyCache
from .messages import Request, Response, dump_json
from .problems import Problem
from .seed import seed_records
from .store import Store
from .timefmt import format_instant, http_date

CONTROL_PREFIX = "/_emulator"
REQUEST_LOG_SIZE = 10_000
WRITE_ROUTES = (
    (re.compile(r"^/leads/([^/]+)/followups$"), "followups"),
    (re.compile(r"^/complaints/([^/]+)/events$"), "complaint_events"),
    (re.compile(r"^/callbacks$"), "callbacks"),
    (re.compile(r"^/campaigns/([^/]+)/completions$"), "completions"),
)
STREAM_ROUTE = re.compile(r"^/streams/([^/]+)$")


class Route:
    """What a request path means to the API."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.kind: str | None = None          # "token", "stream", or a write kind
        self.stream: str | None = None
        self.target_id: str | None = None
        self.method = "POST"
        if path == "/oauth/token":
            self.kind = "token"
            return
        match = STREAM_ROUTE.match(path)
        if match:
            self.kind, self.stream, self.method = "stream", match.group(1), "GET"
            return
        for pattern, kind in WRITE_ROUTES:
            match = pattern.match(path)
            if match:
                self.kind = kind
                self.target_id = match.group(1) if match.groups() else None
                return

    @property
    def write_target(self) -> tuple[str, str] | None:
        """(stream, id) of the record a write answers, if any."""
        stream, _ = api.WRITES.get(self.kind or "", (None, None))
        if stream and self.target_id:
            return stream, self.target_id
        return None


class Portal:
    """One emulated portal: data, auth, cursors, faults, and the handling of requests."""

    def __init__(self, config: EmulatorConfig, faults: Any = None) -> None:
        self.config = config
        self.clock = Clock(config.start_time, frozen=config.frozen_clock)
        self.start_epoch = self.clock.now_s()
        self.store = Store(self.clock)
        self.tokens = TokenIssuer(Client(config.client_id, config.client_secret, config.dealer_code), config.token_ttl)
        self.cursors = CursorCodec(config.cursor_ttl)
        self.faults = FaultPlan(faults)
        self.idempotency = IdempotencyCache()
        self.request_log: collections.deque[dict[str, Any]] = collections.deque(maxlen=REQUEST_LOG_SIZE)
        self._log_lock = threading.Lock()
        self.on_request: Callable[[dict[str, Any]], None] | None = None
        self.after_request: Callable[[], None] | None = None
        self.seed_data()

    def seed_data(self) -> None:
        """Fill the streams with the seeded records (at the clock's start instant)."""
        self.store.load(seed_records(self.config.seed, self.config.dealer_code, self.start_epoch, self.config.volumes))

    # ----- handling ------------------------------------------------------------
    def handle(self, req: Request) -> Response:
        """Answer one request (never raises)."""
        started = time.monotonic()
        fault: FaultRule | None = None
        try:
            if req.path == CONTROL_PREFIX or req.path.startswith(CONTROL_PREFIX + "/"):
                if not self.config.control_api:
                    raise Problem(404, "not-found", "the control API is switched off")
                response = control.handle(self, req)
            elif req.path.startswith(API_PREFIX + "/"):
                response, fault = self._handle_api(req)
            else:
                raise Problem(404, "not-found", f"no such resource; the API is under {API_PREFIX}")
        except Problem as problem:
            response = Response.problem(problem, req.path)
        except Exception:  # noqa: BLE001 - a server answers 500, whatever went wrong
            response = Response.problem(Problem(500, "internal-error", "the portal failed"), req.path)
            response.fault = "bug:" + traceback.format_exc(limit=3).replace("\n", " | ")
        self._log(req, response, fault, started)
        if self.after_request is not None:
            self.after_request()
        return response

    def _handle_api(self, req: Request) -> tuple[Response, FaultRule | None]:
        path = req.path[len(API_PREFIX):]
        route = Route(path)
        facts = RequestFacts(
            method=req.method,
            path=path,
            has_cursor=bool(req.param("cursor")),
            has_if_match=req.header("If-Match") is not None,
            is_token=route.kind == "token",
            stream=route.stream,
            write_target=route.write_target,
        )
        rule = self.faults.pick(facts)
        if rule is not None and rule.phase == "before":
            early = self._fault_before(rule, req, route)
            if early is not None:
                early.fault = rule.kind
                return early, rule
        try:
            response = self._route(req, route)
        except Problem as problem:
            response = Response.problem(problem, req.path)
        if rule is not None and rule.phase == "after":
            response = _spoil(rule, response)
        return response, rule

    def _route(self, req: Request, route: Route) -> Response:
        if route.kind is None:
            raise Problem(404, "not-found", f"no such resource: {req.path}")
        if req.method != route.method:
            raise Problem(405, "method-not-allowed", f"use {route.method} here", headers={"Allow": route.method})
        if route.kind == "token":
            return api.token(self, req)
        caller = api.authorize(self, req)
        if route.kind == "stream":
            assert route.stream is not None
            return api.read_stream(self, req, route.stream, caller)
        return api.write(self, req, route.kind, route.target_id, caller)

    def _fault_before(self, rule: FaultRule, req: Request, route: Route) -> Response | None:
        """Answer for a 'before' fault, or None to let the request go on after a side effect."""
        kind = rule.kind
        if kind == "drop":
            return Response(0, transport="drop")
        if kind == "delay":
            time.sleep(rule.seconds)
            return None
        if kind == "precondition_failed":
            target = route.write_target
            record = self.store.get(*target) if target else None
            if record is not None and not record.deleted:
                self.store.touch(*target)
            return None
        if kind == "mutate_while_paging":
            api.touch_served(self, route.stream or "", req.param("cursor") or "", rule.pick)
            return None
        if kind == "expire_token":
            self.tokens.revoke(req.header("Authorization"))
            problem = Problem(401, "invalid-token", "the access token has expired; get a new token",
                              headers={"WWW-Authenticate": 'Bearer realm="dealer-portal", error="invalid_token"'})
            return Response.problem(problem, req.path)
        if kind == "expire_cursor":
            problem = Problem(410, "cursor-expired",
                              "the cursor expired; restart the stream from the last updated_since you stored")
            return Response.problem(problem, req.path)
        status = 429 if kind == "rate_limit" else int(rule.code or 500)
        headers: dict[str, str] = {}
        if rule.retry_after is not None:
            headers["Retry-After"] = (
                http_date(self.clock.now() + rule.retry_after) if rule.retry_format == "date" else str(rule.retry_after)
            )
        slug = "rate-limited" if status == 429 else "injected-fault"
        detail = "too many requests; retry later" if status == 429 else f"the portal answered {status} (injected fault)"
        return Response.problem(Problem(status, slug, detail, headers=headers), req.path)

    # ----- request log -------------------------------------------------------------
    def _log(self, req: Request, response: Response, fault: FaultRule | None, started: float) -> None:
        is_control = req.path.startswith(CONTROL_PREFIX)
        query = {} if req.path.endswith("/oauth/token") else {k: v[0] if len(v) == 1 else v for k, v in req.query.items()}
        entry = {
            "at": format_instant(self.clock.now()),
            "method": req.method,
            "path": req.path,
            "query": query,
            "status": response.status if response.transport != "drop" else None,
            "fault": (fault.kind if fault is not None else None) or response.fault,
            "dealer_code": req.header("X-Dealer-Code"),
            "authorized": bool(req.header("Authorization")),
            "idempotency_key": req.header("Idempotency-Key"),
            "if_match": req.header("If-Match"),
            "ms": round((time.monotonic() - started) * 1000, 1),
        }
        if not is_control:
            with self._log_lock:
                self.request_log.append(entry)
        if self.on_request is not None:
            self.on_request(entry)

    def requests(self) -> list[dict[str, Any]]:
        """The API requests seen so far (control calls excluded), oldest first."""
        with self._log_lock:
            return list(self.request_log)

    def clear_requests(self) -> None:
        """Forget the request log."""
        with self._log_lock:
            self.request_log.clear()


def _spoil(rule: FaultRule, response: Response) -> Response:
    """Apply an 'after' fault to a finished answer."""
    response.fault = rule.kind
    if rule.kind == "lost_response":
        response.transport = "drop"
    elif rule.kind == "truncated":
        response.transport = "truncate"
    elif rule.kind == "malformed_json":
        body = response.body or dump_json({})
        response.body = body[: max(1, len(body) // 2)]
    return response
