"""A typed reference from one record to another, passed between plugins through the hooks.

``Ref("complaint", 3)`` names complaint ticket 3; ``Ref("callback", 6, 8)`` call 8 of
callback task 6.  Plugins hand these to each other (e.g. the ``about`` of a
``schedule_callback`` request, given back in the ``open_complaint`` request when that call
goes badly) instead of strings both sides would have to build and parse alike.
``str(ref)`` is the text form kept in logs and ``ref`` columns (``complaint:3``).
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True, slots=True)
class Ref:
    kind: str  #: what is referred to: "complaint", "callback", "visit", "survey-response" ...
    id: int  #: its id
    part: int | None = None  #: a part of it, e.g. one call of a callback task

    def __post_init__(self) -> None:
        if not self.kind or ":" in self.kind:
            raise ValueError(f"a reference's kind must be a word without ':' (is {self.kind!r})")
        object.__setattr__(self, "id", int(self.id))
        if self.part is not None:
            object.__setattr__(self, "part", int(self.part))

    def __str__(self) -> str:
        return f"{self.kind}:{self.id}" + ("" if self.part is None else f":{self.part}")

    def is_a(self, kind: str) -> bool:
        return self.kind == kind
