"""Settings of one emulator instance."""

from __future__ import annotations

from dataclasses import dataclass, field

from .seed import Volumes

DEFAULT_DEALER_CODE = "BJ001"
DEFAULT_CLIENT_ID = "demo-client"
DEFAULT_CLIENT_SECRET = "demo-secret"
DEFAULT_SECRET_ENV = "CRM_PORTAL_SECRET"


@dataclass(frozen=True)
class EmulatorConfig:
    """Everything that shapes an emulator; the secret is kept out of ``repr``."""

    seed: int = 1
    dealer_code: str = DEFAULT_DEALER_CODE
    client_id: str = DEFAULT_CLIENT_ID
    client_secret: str = field(default=DEFAULT_CLIENT_SECRET, repr=False)
    volumes: Volumes = field(default_factory=Volumes)
    token_ttl: int = 300
    cursor_ttl: int = 600
    start_time: float | None = None
    frozen_clock: bool = False
    state_file: str | None = None
    control_api: bool = True
