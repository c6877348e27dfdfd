"""The contract's endpoints: token, streams and the four dealer writes."""

from __future__ import annotations

import base64
import math
from typing import TYPE_CHECKING, Any, Callable
from urllib.parse import parse_qs, unquote_plus

from . import validation
from .auth import Token
from .cursors import CursorState
from .idempotency import StoredAnswer, check_key, fingerprint
from .messages import Request, Response
from .problems import Problem
from .records import Record
from .timefmt import format_instant, parse_instant

if TYPE_CHECKING:
    from .app import Portal

DEFAULT_LIMIT = 100
MAX_LIMIT = 500


# ----- auth --------------------------------------------------------------------
def _oauth_problem(status: int, error: str, detail: str, headers: dict[str, str] | None = None) -> Problem:
    """A problem that is also an RFC 6749 error response (``error`` member)."""
    return Problem(status, error.replace("_", "-"), detail, headers=headers, error=error, error_description=detail)


def _client_credentials(req: Request, form: dict[str, list[str]]) -> tuple[str, str]:
    basic = req.header("Authorization")
    in_form = "client_id" in form or "client_secret" in form
    if basic and basic.lower().startswith("basic "):
        if in_form:
            raise _oauth_problem(400, "invalid_request", "send the client credentials one way, not both")
        try:
            decoded = base64.b64decode(basic[6:].strip(), validate=True).decode("utf-8")
            client_id, _, secret = decoded.partition(":")
        except (ValueError, UnicodeDecodeError) as exc:
            raise _oauth_problem(401, "invalid_client", "unreadable Basic credentials",
                                 {"WWW-Authenticate": 'Basic realm="dealer-portal"'}) from exc
        return unquote_plus(client_id), unquote_plus(secret)
    client_id = (form.get("client_id") or [""])[0]
    secret = (form.get("client_secret") or [""])[0]
    if not client_id or not secret:
        raise _oauth_problem(401, "invalid_client", "client_id and client_secret are required")
    return client_id, secret


def token(portal: "Portal", req: Request) -> Response:
    """``POST /oauth/token`` (client credentials grant)."""
    content_type = (req.header("Content-Type") or "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise _oauth_problem(400, "invalid_request", "send a form (application/x-www-form-urlencoded)")
    try:
        form = parse_qs(req.body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError as exc:
        raise _oauth_problem(400, "invalid_request", "the form is not UTF-8") from exc
    grant = (form.get("grant_type") or [""])[0]
    if grant != "client_credentials":
        raise _oauth_problem(400, "unsupported_grant_type", "only grant_type=client_credentials is supported")
    client_id, secret = _client_credentials(req, form)
    value, issued = portal.tokens.issue(client_id, secret, portal.clock.now())
    dealer = req.header("X-Dealer-Code")
    if dealer is not None and dealer != issued.dealer_code:
        portal.tokens.revoke("Bearer " + value)
        raise Problem(403, "forbidden-dealer", f"client {client_id} does not act for dealer {dealer}")
    body = {"access_token": value, "token_type": "Bearer", "expires_in": portal.tokens.ttl}
    return Response.json(200, body, {"Cache-Control": "no-store", "Pragma": "no-cache"})


def authorize(portal: "Portal", req: Request) -> Token:
    """The caller's token and dealer: 401 without a valid token, 400/403 for the dealer code."""
    granted = portal.tokens.check(req.header("Authorization"), portal.clock.now())
    dealer = req.header("X-Dealer-Code")
    if not dealer:
        raise Problem(400, "missing-dealer-code", "every request carries X-Dealer-Code")
    if dealer != granted.dealer_code:
        raise Problem(403, "forbidden-dealer", f"this client may not access the data of dealer {dealer}")
    return granted


# ----- streams -------------------------------------------------------------------
def _limit(req: Request) -> int:
    raw = req.param("limit")
    if raw is None:
        return DEFAULT_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise Problem(400, "invalid-parameter", f"limit is an integer from 1 to {MAX_LIMIT}", parameter="limit")
    return int(raw)


def _since(req: Request) -> int | None:
    raw = req.param("updated_since")
    if raw is None or raw == "":
        return None
    try:
        return math.ceil(parse_instant(raw))
    except ValueError:
        raise Problem(400, "invalid-parameter", "updated_since is an RFC 3339 date-time with offset",
                      parameter="updated_since") from None


def read_stream(portal: "Portal", req: Request, name: str, caller: Token) -> Response:
    """``GET /streams/{stream}``: one page in ascending ``(updated_at, id)`` order."""
    stream = portal.store.stream(name)
    limit = _limit(req)
    since = _since(req)
    after: tuple[int, str] | None = None
    raw_cursor = req.param("cursor")
    if raw_cursor:
        state = portal.cursors.decode(raw_cursor, portal.clock.now_s())
        if state.stream != name or state.dealer != caller.dealer_code:
            raise Problem(400, "invalid-cursor", "this cursor belongs to another stream")
        if req.param("updated_since") and since != state.since:
            raise Problem(400, "cursor-mismatch", "updated_since differs from the one the cursor was made for")
        since, after = state.since, (state.last_updated, state.last_id)
    with portal.store.lock:
        records, more = stream.page(since, after, limit)
        portal.store.note_served(records)
        now = portal.clock.now_s()
        data = [record.wire() for record in records]
    next_cursor = None
    if more and records:
        last = records[-1]
        next_cursor = portal.cursors.encode(
            CursorState(name, caller.dealer_code, since, last.updated_at, last.id, now, portal.cursors.generation)
        )
    body = {"data": data, "next_cursor": next_cursor, "server_time": format_instant(now)}
    return Response.json(200, body, {"Cache-Control": "no-store"})


def touch_served(portal: "Portal", name: str, raw_cursor: str, pick: str) -> Record | None:
    """The "changed while paging" fault: re-save a record already served in this pass."""
    try:
        state = portal.cursors.decode(raw_cursor, portal.clock.now_s())
    except Problem:
        return None
    with portal.store.lock:
        stream = portal.store.stream(name)
        if pick == "last":
            target = stream.records.get(state.last_id)
        else:
            first, _ = stream.page(state.since, None, 1)
            target = first[0] if first else None
        if target is None or target.order_key > (state.last_updated, state.last_id):
            return None
        return portal.store.touch(name, target.id)


# ----- writes --------------------------------------------------------------------
def parse_if_match(raw: str | None) -> list[int] | None:
    """Versions of an If-Match header (``3``, ``"3"``, ``W/"3"``, lists); None for ``*``."""
    if raw is None or not raw.strip():
        raise Problem(428, "if-match-required", "a write to an existing record carries If-Match: <version>")
    if raw.strip() == "*":
        return None
    versions = []
    for part in raw.split(","):
        text = part.strip()
        if text.startswith("W/"):
            text = text[2:]
        text = text.strip('"')
        if not text.isdigit():
            raise Problem(400, "invalid-if-match", "If-Match carries the record's version, e.g. If-Match: 3")
        versions.append(int(text))
    return versions


def _check_version(record: Record, stream: str, raw: str | None) -> None:
    versions = parse_if_match(raw)
    if versions is not None and record.version not in versions:
        raise Problem(
            412, "version-mismatch",
            f"{stream} record {record.id} is at version {record.version}; merge and retry",
            headers={"ETag": f'"{record.version}"'},
            current=record.wire(),
        )


def _complaint_sla(portal: "Portal", complaint: Record, event: dict[str, Any]) -> dict[str, Any] | None:
    deadline = {"responded": "respond_due", "resolved": "resolve_due"}.get(event["type"])
    if deadline is None:
        return None
    earlier = [e for e in portal.store.received["complaint_events"]
               if e["complaint_id"] == complaint.id and e["type"] == event["type"]]
    if earlier:
        return None
    due = complaint.fields.get(deadline)
    met = bool(due) and parse_instant(event["at"]) <= parse_instant(due)
    return {"deadline": deadline, "due": due, "met": met}


def _owner_id_for(portal: "Portal", vin: str) -> str | None:
    for record in portal.store.streams["owners"].records.values():
        if not record.deleted and record.fields.get("vin") == vin:
            return record.id
    return None


WriteHandler = Callable[["Portal", Request, "Record | None", dict[str, Any], str], Response]


def _stored(portal: "Portal", kind: str, body: dict[str, Any], target: Record | None, status: int = 201) -> Response:
    stored = portal.store.add_received(kind, body)
    headers = {"ETag": f'"{target.version}"'} if target is not None else {}
    return Response.json(status, stored, headers)


def _followup(portal: "Portal", req: Request, lead: Record | None, body: dict[str, Any], now: str) -> Response:
    assert lead is not None
    data = validation.followup(body)
    return _stored(portal, "followups", {"lead_id": lead.id, **data, "lead_version": lead.version,
                                          "received_at": now}, lead)


def _event(portal: "Portal", req: Request, complaint: Record | None, body: dict[str, Any], now: str) -> Response:
    assert complaint is not None
    data = validation.complaint_event(body)
    sla = _complaint_sla(portal, complaint, data)
    return _stored(portal, "complaint_events", {"complaint_id": complaint.id, **data,
                                                 "complaint_version": complaint.version, "sla": sla,
                                                 "received_at": now}, complaint)


def _callback(portal: "Portal", req: Request, _: Record | None, body: dict[str, Any], now: str) -> Response:
    data = validation.callback(body)
    return _stored(portal, "callbacks", {**data, "owner_id": _owner_id_for(portal, data["vin"]),
                                          "received_at": now}, None)


def _completion(portal: "Portal", req: Request, campaign: Record | None, body: dict[str, Any], now: str) -> Response:
    assert campaign is not None
    data = validation.completion(body)
    if campaign.fields.get("kind") not in ("recall", "service_campaign"):
        raise Problem(422, "not-completable", "only recalls and service campaigns take completions",
                      errors=[{"field": "", "message": "campaign is a marketing event"}])
    if data["vin"] not in campaign.fields.get("vins", []):
        raise Problem(422, "vin-not-in-campaign", f"VIN {data['vin']} is not part of campaign {campaign.id}",
                      errors=[{"field": "vin", "message": "is not part of this campaign"}])
    for done in portal.store.received["completions"]:
        if done["campaign_id"] == campaign.id and done["vin"] == data["vin"]:
            return Response.json(200, dict(done), {"ETag": f'"{campaign.version}"'})
    return _stored(portal, "completions", {"campaign_id": campaign.id, **data,
                                            "campaign_version": campaign.version, "received_at": now}, campaign)


# kind -> (stream of the target record or None, handler)
WRITES: dict[str, tuple[str | None, WriteHandler]] = {
    "followups": ("leads", _followup),
    "complaint_events": ("complaints", _event),
    "callbacks": (None, _callback),
    "completions": ("campaigns", _completion),
}


def write(portal: "Portal", req: Request, kind: str, target_id: str | None, caller: Token) -> Response:
    """A dealer write: idempotency, then 404, If-Match (428/412), then the body (422)."""
    key = check_key(req.header("Idempotency-Key"))
    body = req.json()
    print_ = fingerprint(req.method, req.path, body)
    stream, handler = WRITES[kind]
    with portal.store.lock:
        now = portal.clock.now()
        stored = portal.idempotency.lookup(caller.dealer_code, key, print_, now)
        if stored is not None:
            headers = {**stored.headers, "Idempotent-Replayed": "true"}
            return Response(stored.status, headers, stored.body)
        target = None
        if stream is not None and target_id is not None:
            target = portal.store.live(stream, target_id)
            _check_version(target, stream, req.header("If-Match"))
        answer = handler(portal, req, target, body, format_instant(now))
        if 200 <= answer.status < 300:
            portal.idempotency.remember(
                caller.dealer_code, key, StoredAnswer(print_, answer.status, dict(answer.headers), answer.body, now)
            )
        return answer
