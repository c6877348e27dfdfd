"""Checks of the dealer's write bodies; every failure becomes a 422 with ``errors``."""

from __future__ import annotations

import re
from typing import Any, Callable

from .problems import Problem
from .timefmt import format_instant, parse_date, parse_instant
from .vin import is_valid as vin_is_valid

FOLLOWUP_OUTCOMES = ("reached", "no_answer", "invalid_number", "not_interested", "appointment", "purchased")
EVENT_TYPES = ("responded", "investigating", "solution_proposed", "customer_confirmed", "resolved", "followed_up")
CALLBACK_RESULTS = ("satisfied", "neutral", "dissatisfied", "unreachable")
NOTE_MAX = 2000
PHONE = re.compile(r"^(?:\+?86[- ]?)?1[3-9]\d{9}$|^0\d{2,3}-?\d{7,8}$")


class Checker:
    """Collects field errors of one body and builds the normalized result."""

    def __init__(self, body: Any) -> None:
        if not isinstance(body, dict):
            raise Problem(422, "validation-failed", "the body must be a JSON object",
                          errors=[{"field": "", "message": "expected an object"}])
        self.body = body
        self.errors: list[dict[str, str]] = []
        self.out: dict[str, Any] = {}

    def fail(self, name: str, message: str) -> None:
        """Record one field error."""
        self.errors.append({"field": name, "message": message})

    def _take(self, name: str, required: bool, convert: Callable[[Any], Any], expected: str) -> None:
        value = self.body.get(name)
        if value is None:
            if required:
                self.fail(name, "is required")
            else:
                self.out[name] = None
            return
        try:
            self.out[name] = convert(value)
        except (ValueError, TypeError):
            self.fail(name, f"must be {expected}")

    def instant(self, name: str, required: bool = True) -> None:
        """An RFC 3339 date-time with offset, normalized to UTC ``Z``."""
        self._take(name, required, lambda v: format_instant(parse_instant(v)), "an RFC 3339 date-time with offset")

    def date(self, name: str, required: bool = True) -> None:
        """A ``YYYY-MM-DD`` date."""
        self._take(name, required, lambda v: parse_date(v).isoformat(), "a YYYY-MM-DD date")

    def choice(self, name: str, options: tuple[str, ...], required: bool = True) -> None:
        """One of fixed strings."""
        def convert(value: Any) -> str:
            if value not in options:
                raise ValueError
            return value
        self._take(name, required, convert, "one of " + ", ".join(options))

    def text(self, name: str, required: bool = False, limit: int = NOTE_MAX) -> None:
        """A string of at most ``limit`` characters."""
        def convert(value: Any) -> str:
            if not isinstance(value, str) or len(value) > limit:
                raise ValueError
            return value
        self._take(name, required, convert, f"a string of at most {limit} characters")

    def vin(self, name: str, required: bool = True) -> None:
        """A 17-character VIN with a correct check digit."""
        def convert(value: Any) -> str:
            if not isinstance(value, str) or not vin_is_valid(value.upper()):
                raise ValueError
            return value.upper()
        self._take(name, required, convert, "a 17-character VIN with a correct check digit")

    def phone(self, name: str, required: bool = True) -> None:
        """A Chinese mobile (optionally +86) or landline number."""
        def convert(value: Any) -> str:
            if not isinstance(value, str) or not PHONE.match(value.strip()):
                raise ValueError
            return value.strip()
        self._take(name, required, convert, "a Chinese mobile (11 digits, optional +86) or landline number")

    def score(self, name: str, required: bool = True) -> None:
        """An integer 0..10."""
        def convert(value: Any) -> int:
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
                raise ValueError
            return value
        self._take(name, required, convert, "an integer from 0 to 10")

    def result(self) -> dict[str, Any]:
        """The normalized body, or a 422 problem listing every error."""
        if self.errors:
            names = ", ".join(e["field"] for e in self.errors)
            raise Problem(422, "validation-failed", f"invalid fields: {names}", errors=self.errors)
        return self.out


def followup(body: Any) -> dict[str, Any]:
    """``POST /leads/{id}/followups``."""
    check = Checker(body)
    check.instant("contacted_at")
    check.choice("outcome", FOLLOWUP_OUTCOMES)
    check.text("note")
    check.date("next_contact_on", required=False)
    return check.result()


def complaint_event(body: Any) -> dict[str, Any]:
    """``POST /complaints/{id}/events``."""
    check = Checker(body)
    check.instant("at")
    check.choice("type", EVENT_TYPES)
    check.text("note")
    check.text("responsible_dept", limit=100)
    return check.result()


def callback(body: Any) -> dict[str, Any]:
    """``POST /callbacks``; the score may be null only when the customer was unreachable."""
    check = Checker(body)
    check.vin("vin")
    check.phone("phone")
    check.date("visit_on")
    check.instant("called_at")
    check.choice("result", CALLBACK_RESULTS)
    check.score("score", required=body.get("result") != "unreachable" if isinstance(body, dict) else True)
    check.text("note")
    return check.result()


def completion(body: Any) -> dict[str, Any]:
    """``POST /campaigns/{id}/completions``."""
    check = Checker(body)
    check.vin("vin")
    check.date("completed_on")
    return check.result()
