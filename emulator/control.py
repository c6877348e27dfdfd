"""The control API: drive the emulator from tests (not part of the portal contract).

``Controller`` is the in-process form (``Emulator.control``); :func:`handle`
serves the same operations over HTTP under ``/_emulator``.
"""

from __future__ import annotations

import random
import re
from typing import TYPE_CHECKING, Any

from .faults import FaultSpecError
from .messages import Request, Response
from .problems import Problem
from .records import STREAMS
from .seed import SeedContext, fresh_fields
from .store import WRITE_KINDS
from .timefmt import format_instant, parse_instant

if TYPE_CHECKING:
    from .app import Portal

PREFIX = "/_emulator"


class Controller:
    """Operations on a running portal: faults, OEM-side changes, the clock, inspection."""

    def __init__(self, portal: "Portal") -> None:
        self.portal = portal

    # ----- faults --------------------------------------------------------------
    def faults(self) -> list[dict[str, Any]]:
        """The fault rules in force, with counters."""
        return self.portal.faults.describe()

    def add_faults(self, rules: Any) -> list[dict[str, Any]]:
        """Append rules (spec text, dict, or list); return all rules."""
        self._faults_call(self.portal.faults.add, rules)
        return self.faults()

    def set_faults(self, rules: Any) -> list[dict[str, Any]]:
        """Replace all rules; return them."""
        self._faults_call(self.portal.faults.replace, rules)
        return self.faults()

    def clear_faults(self) -> None:
        """No faults."""
        self.portal.faults.clear()

    @staticmethod
    def _faults_call(method: Any, rules: Any) -> None:
        try:
            method(rules)
        except FaultSpecError as exc:
            raise Problem(400, "invalid-fault", str(exc)) from exc

    # ----- records ---------------------------------------------------------------
    def records(self, stream: str, include_deleted: bool = True) -> list[dict[str, Any]]:
        """All records of a stream in stream order, as the API shows them."""
        with self.portal.store.lock:
            items = self.portal.store.stream(stream).ordered()
            return [r.wire() for r in items if include_deleted or not r.deleted]

    def record(self, stream: str, record_id: str) -> dict[str, Any]:
        """One record as the API shows it (404 problem if unknown)."""
        record = self.portal.store.get(stream, record_id)
        if record is None:
            raise Problem(404, "not-found", f"{stream} record {record_id} does not exist")
        return record.wire()

    def upsert(self, stream: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
        """Create a record (realistic fields, overlaid by ``fields``) or update the one with ``fields['id']``."""
        return self.upsert_created(stream, fields)[0]

    def upsert_created(self, stream: str, fields: dict[str, Any] | None = None) -> tuple[dict[str, Any], bool]:
        """:meth:`upsert`, and whether the record was created."""
        fields = dict(fields or {})
        store = self.portal.store
        with store.lock:
            target = store.stream(stream)
            record_id = fields.get("id")
            if record_id is not None and record_id in target.records:
                return store.update(stream, record_id, fields).wire(), False
            new_id = str(record_id) if record_id is not None else target.next_id()
            fields.pop("id", None)
            try:
                base = fresh_fields(stream, self._rng(stream, new_id), self._context(), new_id, fields)
            except ValueError as exc:
                raise Problem(400, "invalid-fields", f"cannot make a {stream} record from these fields: {exc}") from exc
            return store.create(stream, base, new_id).wire(), True

    def create(self, stream: str, **fields: Any) -> dict[str, Any]:
        """A new record; fields not given are made up realistically."""
        return self.upsert(stream, fields)

    def update(self, stream: str, record_id: str, **fields: Any) -> dict[str, Any]:
        """Change fields of a record (version+1); no fields: a plain re-save."""
        if not fields:
            return self.portal.store.touch(stream, record_id).wire()
        return self.portal.store.update(stream, record_id, fields).wire()

    def touch(self, stream: str, record_id: str) -> dict[str, Any]:
        """Re-save a record unchanged (version+1, updated_at now)."""
        return self.portal.store.touch(stream, record_id).wire()

    def delete(self, stream: str, record_id: str) -> dict[str, Any]:
        """Delete a record: it becomes a tombstone."""
        return self.portal.store.delete(stream, record_id).wire()

    def _rng(self, stream: str, record_id: str) -> random.Random:
        return random.Random(f"{self.portal.config.seed}/{stream}/{record_id}")

    def _context(self) -> SeedContext:
        store = self.portal.store
        owners = [r.fields for r in store.streams["owners"].records.values() if not r.deleted]
        return SeedContext(
            dealer_code=self.portal.config.dealer_code,
            now=self.portal.clock.now_s(),
            owners=sorted(owners, key=lambda o: o["vin"]),
            vins={o["vin"] for o in owners},
            phones={o["owner"]["phone"] for o in owners},
        )

    # ----- what the dealer sent ------------------------------------------------------
    def received(self, kind: str | None = None) -> Any:
        """Dealer writes stored so far: a dict of lists, or one list for ``kind``."""
        with self.portal.store.lock:
            if kind is None:
                return {k: [dict(item) for item in v] for k, v in self.portal.store.received.items()}
            if kind not in WRITE_KINDS:
                raise Problem(404, "not-found", f"no such write kind {kind!r}", kinds=list(WRITE_KINDS))
            return [dict(item) for item in self.portal.store.received[kind]]

    def clear_received(self) -> None:
        """Forget the dealer's writes and their idempotency keys."""
        self.portal.store.clear_received()
        self.portal.idempotency.clear()

    def requests(self) -> list[dict[str, Any]]:
        """The API requests seen so far (method, path, status, fault, headers of interest)."""
        return self.portal.requests()

    def clear_requests(self) -> None:
        """Forget the request log."""
        self.portal.clear_requests()

    # ----- clock, tokens, cursors -------------------------------------------------------
    def clock(self) -> dict[str, Any]:
        """The server clock."""
        now = self.portal.clock.now()
        return {"now": format_instant(now), "epoch": now, "frozen": self.portal.clock.frozen}

    def advance_clock(self, seconds: float) -> dict[str, Any]:
        """Move the server clock forward (tokens and cursors expire naturally)."""
        try:
            self.portal.clock.advance(float(seconds))
        except ValueError as exc:
            raise Problem(400, "clock-backwards", str(exc)) from exc
        return self.clock()

    def set_clock(self, instant: str) -> dict[str, Any]:
        """Move the server clock forward to an RFC 3339 instant."""
        try:
            self.portal.clock.set(parse_instant(instant))
        except ValueError as exc:
            raise Problem(400, "clock-backwards", str(exc)) from exc
        return self.clock()

    def freeze_clock(self, frozen: bool = True) -> dict[str, Any]:
        """Stop (or restart) the clock's running with real time."""
        self.portal.clock.set_frozen(bool(frozen))
        return self.clock()

    def revoke_tokens(self) -> int:
        """Every token answers 401 from now on; return how many were revoked."""
        return self.portal.tokens.revoke_all()

    def expire_cursors(self) -> None:
        """Every cursor issued so far answers 410."""
        self.portal.cursors.expire_all()

    def reset(self) -> None:
        """Seeded data again; no writes, keys, faults or request log. Cursors expire; tokens stay."""
        portal = self.portal
        with portal.store.lock:
            portal.store.restore({"streams": {}})
            portal.seed_data()
            portal.idempotency.clear()
        portal.faults.clear()
        portal.clear_requests()
        portal.cursors.expire_all()

    def summary(self) -> dict[str, Any]:
        """Who the portal is and what it holds."""
        portal = self.portal
        with portal.store.lock:
            counts = {name: len(s.records) for name, s in portal.store.streams.items()}
            received = {k: len(v) for k, v in portal.store.received.items()}
        return {
            "dealer_code": portal.config.dealer_code,
            "client_id": portal.config.client_id,
            "seed": portal.config.seed,
            "token_ttl": portal.config.token_ttl,
            "cursor_ttl": portal.config.cursor_ttl,
            "clock": self.clock(),
            "records": counts,
            "received": received,
            "faults": self.faults(),
        }


# ----- HTTP form ----------------------------------------------------------------------
_RECORD = re.compile(rf"^{PREFIX}/records/([^/]+)(?:/([^/]+))?$")


def _body(req: Request) -> Any:
    return req.json() if req.body.strip() else {}


def _stream_name(name: str) -> str:
    if name not in STREAMS:
        raise Problem(404, "unknown-stream", f"there is no stream {name!r}", streams=list(STREAMS))
    return name


def _not_allowed(allowed: str) -> Problem:
    return Problem(405, "method-not-allowed", f"use {allowed}", headers={"Allow": allowed})


def handle(portal: "Portal", req: Request) -> Response:
    """Serve one control request."""
    ctl = Controller(portal)
    path, method = req.path.rstrip("/") or PREFIX, req.method
    if path == PREFIX:
        return Response.json(200, ctl.summary())
    if path == f"{PREFIX}/faults":
        return _faults(ctl, req)
    match = _RECORD.match(path)
    if match:
        return _records(ctl, req, _stream_name(match.group(1)), match.group(2))
    if path == f"{PREFIX}/received":
        if method == "GET":
            return Response.json(200, ctl.received(req.param("kind")))
        if method == "DELETE":
            ctl.clear_received()
            return Response(204)
        raise _not_allowed("GET, DELETE")
    if path == f"{PREFIX}/requests":
        if method == "GET":
            return Response.json(200, ctl.requests())
        if method == "DELETE":
            ctl.clear_requests()
            return Response(204)
        raise _not_allowed("GET, DELETE")
    if path == f"{PREFIX}/clock":
        return _clock(ctl, req)
    if path == f"{PREFIX}/tokens" and method == "DELETE":
        return Response.json(200, {"revoked": ctl.revoke_tokens()})
    if path == f"{PREFIX}/cursors" and method == "DELETE":
        ctl.expire_cursors()
        return Response(204)
    if path == f"{PREFIX}/reset" and method == "POST":
        ctl.reset()
        return Response.json(200, ctl.summary())
    raise Problem(404, "not-found", f"no control resource {req.path}")


def _faults(ctl: Controller, req: Request) -> Response:
    if req.method == "GET":
        return Response.json(200, ctl.faults())
    if req.method == "DELETE":
        ctl.clear_faults()
        return Response(204)
    if req.method not in ("POST", "PUT"):
        raise _not_allowed("GET, POST, PUT, DELETE")
    body = _body(req)
    rules = body.get("spec", body.get("rules")) if isinstance(body, dict) and ("spec" in body or "rules" in body) else body
    replace = req.method == "PUT" or (isinstance(body, dict) and body.get("replace") is True)
    return Response.json(200, ctl.set_faults(rules) if replace else ctl.add_faults(rules))


def _records(ctl: Controller, req: Request, stream: str, record_id: str | None) -> Response:
    method = req.method
    if record_id is None:
        if method == "GET":
            include = req.param("include_deleted") not in ("0", "false", "no")
            return Response.json(200, ctl.records(stream, include))
        if method == "POST":
            body = _body(req)
            if not isinstance(body, dict):
                raise Problem(400, "invalid-body", "send the record's fields as a JSON object")
            record, created = ctl.upsert_created(stream, body)
            return Response.json(201 if created else 200, record)
        raise _not_allowed("GET, POST")
    if method == "GET":
        return Response.json(200, ctl.record(stream, record_id))
    if method in ("POST", "PATCH"):
        body = _body(req)
        if not isinstance(body, dict):
            raise Problem(400, "invalid-body", "send the fields to change as a JSON object")
        body.pop("id", None)
        return Response.json(200, ctl.update(stream, record_id, **body))
    if method == "DELETE":
        return Response.json(200, ctl.delete(stream, record_id))
    raise _not_allowed("GET, POST, PATCH, DELETE")


def _clock(ctl: Controller, req: Request) -> Response:
    if req.method == "GET":
        return Response.json(200, ctl.clock())
    if req.method != "POST":
        raise _not_allowed("GET, POST")
    body = _body(req)
    if not isinstance(body, dict):
        raise Problem(400, "invalid-body", 'send {"advance": seconds} or {"set": "RFC 3339"}')
    if "frozen" in body:
        ctl.freeze_clock(bool(body["frozen"]))
    if "advance" in body:
        try:
            seconds = float(body["advance"])
        except (TypeError, ValueError) as exc:
            raise Problem(400, "invalid-body", "advance is a number of seconds") from exc
        ctl.advance_clock(seconds)
    if "set" in body:
        ctl.set_clock(str(body["set"]))
    return Response.json(200, ctl.clock())
