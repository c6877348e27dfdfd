"""The ``[portal]`` section of the configuration, checked once per command."""

from __future__ import annotations

from crm.errors import ConfigError

STREAMS = ("owners", "leads", "complaints", "campaigns", "surveys")
DEFAULTS = {
    "url": "",
    "client_id": "",
    "client_secret_env": "CRM_PORTAL_SECRET",
    "client_secret_command": "",
    "page_limit": 500,
    "timeout": 30.0,
    "retries": 5,
    "backoff": 0.5,
    "backoff_max": 30.0,
    "max_retry_after": 300.0,
    "streams": list(STREAMS),
}


def portal_section(app) -> dict:
    section = {**DEFAULTS, **app.config.section("portal")}
    if not section.get("url") and app.config.get("portal.url"):
        section["url"] = app.config.get("portal.url")
    return section


def _number(section: dict, key: str, kind, low, high):
    try:
        value = kind(section[key])
    except (TypeError, ValueError):
        raise ConfigError(f"portal.{key} = {section[key]!r} is not a number") from None
    if not low <= value <= high:
        raise ConfigError(f"portal.{key} = {value} must be between {low} and {high}")
    return value


def client_settings(app):
    """Build the HTTP client's settings (reads the secret; registers it with the log)."""
    from .client import Settings
    from .secrets import read_secret

    section = portal_section(app)
    url = str(section.get("url") or "").strip()
    if not url.startswith(("http://", "https://")):
        raise ConfigError("portal.url is not set (e.g. https://portal.example-oem.com/api/v1; "
                          "or CRM_PORTAL_URL)" if not url else f"portal.url {url!r} is not an http(s) URL")
    client_id = str(section.get("client_id") or "").strip()
    if not client_id:
        raise ConfigError("portal.client_id is not set")
    dealer = app.config.dealer_code.strip()
    if not dealer:
        raise ConfigError("dealer_code is not set (the portal needs X-Dealer-Code; or CRM_DEALER_CODE)")
    secret = read_secret(section, app.environ, client_id)
    app.add_secret(secret)
    return Settings(
        url=url, client_id=client_id, secret=secret, dealer_code=dealer,
        timeout=_number(section, "timeout", float, 0.1, 600),
        retries=_number(section, "retries", int, 0, 20),
        backoff=_number(section, "backoff", float, 0, 60),
        backoff_max=_number(section, "backoff_max", float, 0, 3600),
        max_retry_after=_number(section, "max_retry_after", float, 0, 86400),
        on_token=app.add_secret,
    )


def page_limit(app) -> int:
    return _number(portal_section(app), "page_limit", int, 1, 500)


def streams(app, chosen: list[str] | None = None) -> list[str]:
    wanted = chosen or list(portal_section(app).get("streams") or STREAMS)
    for name in wanted:
        if name not in STREAMS:
            raise ConfigError(f"unknown stream {name!r} (streams: {', '.join(STREAMS)})")
    return [s for s in STREAMS if s in wanted]
