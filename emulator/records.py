"""Records of the streams: common fields, versions and tombstones."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from .timefmt import format_instant

STREAMS = ("leads", "complaints", "owners", "campaigns", "surveys")
ID_PREFIXES = {
    "leads": "LEAD",
    "complaints": "CMP",
    "owners": "OWN",
    "campaigns": "CAM",
    "surveys": "SRV",
}
COMMON_FIELDS = ("id", "updated_at", "version", "deleted")


def format_id(prefix: str, number: int) -> str:
    """``OWN-000001`` style identifiers."""
    return f"{prefix}-{number:06d}"


@dataclass
class Record:
    """One record of a stream. ``fields`` hold everything but the common fields.

    A deleted record keeps its last ``fields`` internally (so that the control API
    can bring it back) but goes on the wire as a bare tombstone.
    """

    id: str
    version: int
    updated_at: int
    deleted: bool = False
    fields: dict[str, Any] = field(default_factory=dict)

    @property
    def order_key(self) -> tuple[int, str]:
        """The stream order: ascending ``(updated_at, id)``."""
        return (self.updated_at, self.id)

    def wire(self) -> dict[str, Any]:
        """The record as the API sends it."""
        stamp = format_instant(self.updated_at)
        if self.deleted:
            return {"id": self.id, "updated_at": stamp, "version": self.version, "deleted": True}
        body: dict[str, Any] = {"id": self.id}
        body.update(copy.deepcopy(self.fields))
        body.update({"updated_at": stamp, "version": self.version, "deleted": False})
        return body

    def to_state(self) -> dict[str, Any]:
        """A JSON-ready form for the state file."""
        return {
            "id": self.id,
            "version": self.version,
            "updated_at": self.updated_at,
            "deleted": self.deleted,
            "fields": self.fields,
        }

    @classmethod
    def from_state(cls, data: dict[str, Any]) -> "Record":
        """The inverse of :meth:`to_state`."""
        return cls(
            id=data["id"],
            version=int(data["version"]),
            updated_at=int(data["updated_at"]),
            deleted=bool(data["deleted"]),
            fields=dict(data["fields"]),
        )
