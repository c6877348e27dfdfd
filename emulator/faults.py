"""Switchable faults: precise, countable misbehaviour of the portal.

A plan is an ordered list of rules. Each rule matches requests (by kind, method
and path glob), counts them, and fires on a schedule: the next ``times``
matching requests, every ``every``-th one, after skipping ``after`` of them, or
with a seeded ``probability``. For each request the first rule that fires wins;
rules after it do not see that request.

Spec syntax (``--faults`` and the control API's ``spec``)::

    RULE[;RULE...]        RULE = KIND[:KEY=VALUE[,KEY=VALUE...]]

    503:path=/streams/*,times=2
    rate_limit:retry_after=3,every=4
    rate_limit:retry_after=3,retry_format=date
    drop:method=POST,path=/callbacks
    mutate_while_paging:stream=owners
"""

from __future__ import annotations

import fnmatch
import random
import threading
from dataclasses import asdict, dataclass, field
from typing import Any

API_PREFIX = "/api/v1"

# kind -> phase: "before" answers instead of the handler (or acts, then lets it
# run); "after" lets the handler run, then spoils the answer.
KINDS = {
    "status": "before",
    "rate_limit": "before",
    "drop": "before",
    "delay": "before",
    "expire_cursor": "before",
    "expire_token": "before",
    "precondition_failed": "before",
    "mutate_while_paging": "before",
    "lost_response": "after",
    "malformed_json": "after",
    "truncated": "after",
}
ALIASES = {
    "429": "rate_limit", "410": "expire_cursor", "401": "expire_token",
    "412": "precondition_failed", "stale_if_match": "precondition_failed",
    "close": "drop", "reset": "drop", "dropped_connection": "drop",
    "touch_while_paging": "mutate_while_paging", "change_while_paging": "mutate_while_paging",
    "malformed": "malformed_json", "truncate": "truncated", "truncated_body": "truncated",
    "lost": "lost_response",
}
_INT_KEYS = {"code", "retry_after", "times", "every", "after", "seed"}
_FLOAT_KEYS = {"seconds", "probability"}
_STR_KEYS = {"path", "method", "retry_format", "stream", "pick", "name"}


class FaultSpecError(ValueError):
    """A fault spec or rule that cannot be understood."""


@dataclass
class FaultRule:
    """One fault and its schedule. ``times=None`` means without limit."""

    kind: str
    code: int | None = None
    retry_after: int | None = None
    retry_format: str = "seconds"
    seconds: float = 1.0
    path: str = "*"
    method: str | None = None
    stream: str | None = None
    pick: str = "first"
    times: int | None = 1
    every: int = 1
    after: int = 0
    probability: float | None = None
    seed: int | None = None
    name: str | None = None
    seen: int = 0
    fired: int = 0
    _rng: random.Random | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise FaultSpecError(f"unknown fault kind {self.kind!r}; known: {', '.join(sorted(KINDS))}")
        if self.kind == "status" and (self.code is None or not 400 <= self.code <= 599):
            raise FaultSpecError("a status fault needs code=4xx|5xx")
        if self.every < 1 or self.after < 0 or (self.times is not None and self.times < 0):
            raise FaultSpecError("every >= 1, after >= 0, times >= 0")
        if self.probability is not None and not 0 <= self.probability <= 1:
            raise FaultSpecError("probability is between 0 and 1")
        if self.retry_format not in ("seconds", "date"):
            raise FaultSpecError("retry_format is seconds or date")
        if self.pick not in ("first", "last"):
            raise FaultSpecError("pick is first or last")
        if self.path.startswith(API_PREFIX):
            self.path = self.path[len(API_PREFIX):] or "/"
        if self.method:
            self.method = self.method.upper()
        if self.kind == "rate_limit" and self.retry_after is None:
            self.retry_after = 1
        if self.probability is not None:
            self._rng = random.Random(self.seed)

    @property
    def phase(self) -> str:
        """``before`` or ``after`` the request handler."""
        return KINDS[self.kind]

    @property
    def remaining(self) -> int | None:
        """How many more times it may fire (None: without limit)."""
        return None if self.times is None else max(0, self.times - self.fired)

    def applies(self, facts: "RequestFacts") -> bool:
        """Whether this rule looks at the request at all (kind, method, path)."""
        if self.method and facts.method != self.method:
            return False
        if not fnmatch.fnmatchcase(facts.path, self.path):
            return False
        if self.kind == "expire_cursor":
            return facts.has_cursor
        if self.kind == "expire_token":
            return not facts.is_token
        if self.kind == "precondition_failed":
            return facts.write_target is not None and facts.has_if_match
        if self.kind == "mutate_while_paging":
            return facts.has_cursor and (self.stream is None or facts.stream == self.stream)
        if self.kind == "lost_response" and not self.method:
            return facts.method == "POST"
        return True

    def count_and_fire(self) -> bool:
        """Count one matching request; True when the rule fires on it."""
        self.seen += 1
        position = self.seen - self.after
        if position <= 0 or (self.times is not None and self.fired >= self.times):
            return False
        if self._rng is not None and self.probability is not None:
            fires = self._rng.random() < self.probability
        else:
            fires = position % self.every == 0
        if fires:
            self.fired += 1
        return fires

    def describe(self) -> dict[str, Any]:
        """A JSON-ready view, with counters."""
        data = {k: v for k, v in asdict(self).items() if not k.startswith("_") and v is not None}
        data["remaining"] = self.remaining
        return data


@dataclass(frozen=True)
class RequestFacts:
    """What rules match on."""

    method: str
    path: str                      # relative to /api/v1, without the query
    has_cursor: bool = False
    has_if_match: bool = False
    is_token: bool = False
    stream: str | None = None      # for GET /streams/{stream}
    write_target: tuple[str, str] | None = None   # (stream, id) of a write with a target record


def rule_from_dict(data: dict[str, Any]) -> FaultRule:
    """A rule from the JSON form of the control API (same keys as the spec)."""
    if not isinstance(data, dict) or "kind" not in data:
        raise FaultSpecError("a fault rule is an object with a 'kind'")
    values = dict(data)
    kind = str(values.pop("kind"))
    for key in ("seen", "fired", "remaining"):
        values.pop(key, None)
    unknown = set(values) - _INT_KEYS - _FLOAT_KEYS - _STR_KEYS
    if unknown:
        raise FaultSpecError(f"unknown fault keys: {', '.join(sorted(unknown))}")
    kind = ALIASES.get(kind, kind)
    if kind.isdigit():
        values.setdefault("code", int(kind))
        kind = "status"
    scheduled = "every" in values or "probability" in values
    if "times" not in values:
        values["times"] = None if scheduled else 1
    elif values["times"] in ("*", "unlimited", "inf", None):
        values["times"] = None
    try:
        for key in _INT_KEYS & set(values):
            if values[key] is not None:
                values[key] = int(values[key])
        for key in _FLOAT_KEYS & set(values):
            values[key] = float(values[key])
        return FaultRule(kind=kind, **values)
    except (TypeError, ValueError) as exc:
        if isinstance(exc, FaultSpecError):
            raise
        raise FaultSpecError(f"bad value in fault rule {data!r}: {exc}") from exc


def parse_spec(spec: str) -> list[FaultRule]:
    """Rules from the text syntax (see the module doc)."""
    rules = []
    for chunk in spec.replace("\n", ";").split(";"):
        chunk = chunk.strip()
        if not chunk:
            continue
        kind, _, rest = chunk.partition(":")
        data: dict[str, Any] = {"kind": kind.strip()}
        for pair in filter(None, (p.strip() for p in rest.split(","))):
            key, sep, value = pair.partition("=")
            if not sep:
                raise FaultSpecError(f"expected KEY=VALUE, got {pair!r} in {chunk!r}")
            data[key.strip()] = value.strip()
        rules.append(rule_from_dict(data))
    return rules


def coerce_rules(rules: Any) -> list[FaultRule]:
    """Rules from a spec string, a dict, a FaultRule, or a list of any of them."""
    if rules is None:
        return []
    if isinstance(rules, str):
        return parse_spec(rules)
    if isinstance(rules, (FaultRule, dict)):
        rules = [rules]
    out: list[FaultRule] = []
    for item in rules:
        if isinstance(item, FaultRule):
            out.append(item)
        elif isinstance(item, str):
            out.extend(parse_spec(item))
        else:
            out.append(rule_from_dict(item))
    return out


class FaultPlan:
    """The ordered rules in force, shared by all request threads."""

    def __init__(self, rules: Any = None) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = coerce_rules(rules)

    def add(self, rules: Any) -> list[FaultRule]:
        """Append rules; return them."""
        new = coerce_rules(rules)
        with self._lock:
            self._rules.extend(new)
        return new

    def replace(self, rules: Any) -> list[FaultRule]:
        """Put these rules in place of all others."""
        new = coerce_rules(rules)
        with self._lock:
            self._rules = new
        return new

    def clear(self) -> None:
        """No faults any more."""
        with self._lock:
            self._rules = []

    def describe(self) -> list[dict[str, Any]]:
        """The rules with their counters."""
        with self._lock:
            return [rule.describe() for rule in self._rules]

    def pick(self, facts: RequestFacts) -> FaultRule | None:
        """The rule that fires on this request, if any (counting as it goes)."""
        with self._lock:
            for rule in self._rules:
                if rule.applies(facts) and rule.count_and_fire():
                    return rule
        return None
