"""The configuration: a TOML file, overridden by environment variables.

Where the file is, first match wins:

1. ``--config PATH`` on the command line,
2. the ``CRM_CONFIG`` environment variable,
3. ``config.toml`` in the platform's user config dir (``platformdirs.user_config_dir("crm")``).

A missing file is fine (defaults apply); a broken one is an error naming the file and line.
Environment overrides: ``CRM_DEALER_CODE``, ``CRM_LOCALE``, ``CRM_PORTAL_URL``, and for
any key ``CRM__SECTION__KEY=value`` (double underscores; the value is parsed as TOML when it
can be, else kept as a string).
"""

from __future__ import annotations

import copy
import os
import re
from pathlib import Path
from typing import Any, Mapping

from .errors import ConfigError

DEFAULTS: dict[str, Any] = {
    "dealer_code": "",
    "dealer_name": "",
    "locale": "zh_CN",
    "timezone": "Asia/Shanghai",
    "user": "",
    "db": {"path": "", "busy_timeout_seconds": 30},
    "quiet_hours": {"not_before": "09:00", "not_after": "20:00", "breaks": ["12:00-14:00"]},
    "plugins": {"enabled": [], "disabled": []},
    "privacy": {"unmasked_roles": ["manager", "satisfaction", "appointment", "callback", "archive"]},
    "identity": {"session_hours": 8},
    "permissions": {},
    "log": {"path": "", "max_bytes": 1_000_000, "backups": 5},
}

#: Short environment variables for the most common keys.
ENV_ALIASES = {
    "CRM_DEALER_CODE": "dealer_code",
    "CRM_LOCALE": "locale",
    "CRM_PORTAL_URL": "portal.url",
}

SECRET_KEY = re.compile(r"secret|password|passwd|token|api_?key|private", re.IGNORECASE)
REDACTED = "********"
TIME_OF_DAY = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def default_config_path() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir("crm", appauthor=False)) / "config.toml"


def resolve_config_path(explicit: str | os.PathLike | None, environ: Mapping[str, str]) -> Path:
    if explicit:
        return Path(explicit)
    if environ.get("CRM_CONFIG"):
        return Path(environ["CRM_CONFIG"])
    return default_config_path()


class Config:
    """Settings, read-only once loaded. Plugins read their own section with :meth:`section`."""

    def __init__(self, data: dict[str, Any], path: Path | None = None, *, file_exists: bool = False):
        self.data = data
        self.path = path
        self.file_exists = file_exists

    # -- access -----------------------------------------------------------------
    def get(self, dotted: str, default: Any = None) -> Any:
        node: Any = self.data
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        return node

    def section(self, name: str) -> dict[str, Any]:
        """The ``[name]`` table of the file (a plugin's own settings), or ``{}``."""
        value = self.data.get(name, {})
        return value if isinstance(value, dict) else {}

    @property
    def dealer_code(self) -> str:
        return str(self.get("dealer_code") or "")

    @property
    def locale(self) -> str:
        return str(self.get("locale") or "zh_CN")

    def redacted(self) -> dict[str, Any]:
        """The settings with every secret-looking value replaced, for display."""
        return _redact(copy.deepcopy(self.data))

    def line_of(self, dotted: str) -> int | None:
        """The line in the config file where ``dotted``'s last key is set, if any."""
        if not (self.path and self.file_exists):
            return None
        return _line_of(self.path, dotted)


def _redact(node: Any, key: str = "") -> Any:
    if isinstance(node, dict):
        return {k: _redact(v, k) for k, v in node.items()}
    if isinstance(node, list):
        return [_redact(v, key) for v in node]
    if key and SECRET_KEY.search(key) and not key.endswith("_env") and node not in ("", None):
        return REDACTED
    return node


def _line_of(path: Path, dotted: str) -> int | None:
    key = dotted.split(".")[-1]
    pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
    try:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.match(line):
                return number
    except OSError:
        return None
    return None


def _merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = value
    return base


def _set_dotted(data: dict[str, Any], dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    node = data
    for part in parts[:-1]:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise ConfigError(f"environment override {dotted}: {part} is not a table")
    node[parts[-1]] = value


def _parse_env_value(raw: str) -> Any:
    import tomllib

    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw


def load_config(path: Path, environ: Mapping[str, str]) -> Config:
    """Read ``path`` (if it exists), apply defaults and environment overrides, validate."""
    import tomllib

    data = copy.deepcopy(DEFAULTS)
    exists = path.is_file()
    if path.exists() and not exists:
        raise ConfigError(f"{path}: the config path is not a file")
    if exists:
        try:
            raw = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ConfigError(f"{path}: the config file is not UTF-8 text (byte {exc.start})") from None
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read the config file: {exc.strerror}") from None
        try:
            file_data = tomllib.loads(raw)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: invalid TOML: {exc}") from None
        _merge(data, file_data)
    for env_name, dotted in ENV_ALIASES.items():
        if environ.get(env_name):
            _set_dotted(data, dotted, environ[env_name])
    for env_name, raw in environ.items():
        if env_name.startswith("CRM__") and len(env_name) > 5:
            dotted = ".".join(part.lower() for part in env_name[5:].split("__") if part)
            _set_dotted(data, dotted, _parse_env_value(raw))
    config = Config(data, path, file_exists=exists)
    _validate(config)
    return config


def _where(config: Config, dotted: str) -> str:
    line = config.line_of(dotted)
    if config.file_exists and line:
        return f"{config.path}, line {line}: {dotted}"
    if config.file_exists:
        return f"{config.path}: {dotted}"
    return f"config {dotted}"


def _validate(config: Config) -> None:
    def fail(dotted: str, why: str) -> None:
        raise ConfigError(f"{_where(config, dotted)} {why}")

    for key in ("dealer_code", "dealer_name", "locale", "timezone", "user"):
        if not isinstance(config.get(key), str):
            fail(key, "must be a string")
    quiet = config.get("quiet_hours")
    if not isinstance(quiet, dict):
        fail("quiet_hours", "must be a table")
    for key in ("not_before", "not_after"):
        value = quiet.get(key)
        if not (isinstance(value, str) and TIME_OF_DAY.match(value)):
            fail(f"quiet_hours.{key}", f"must be a time of day like \"09:00\", not {value!r}")
    breaks = quiet.get("breaks", [])
    if not isinstance(breaks, list):
        fail("quiet_hours.breaks", 'must be a list like ["12:00-14:00"]')
    for item in breaks:
        start, _, end = str(item).partition("-")
        if not (TIME_OF_DAY.match(start.strip()) and TIME_OF_DAY.match(end.strip()) and start < end):
            fail("quiet_hours.breaks", f'has {item!r}; write each break as "HH:MM-HH:MM"')
    plugins = config.get("plugins")
    if not isinstance(plugins, dict):
        fail("plugins", "must be a table")
    for key in ("enabled", "disabled"):
        value = plugins.get(key, [])
        if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            fail(f"plugins.{key}", "must be a list of plugin names")
    timeout = config.get("db.busy_timeout_seconds")
    if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or timeout < 0:
        fail("db.busy_timeout_seconds", "must be a number of seconds")
    calendar = config.get("calendar", {})
    if not isinstance(calendar, dict):
        fail("calendar", "must be a table")
    from .workdays import calendar_from_config

    for key, kinds in (("holidays", (list, dict)), ("workdays", list)):
        value = calendar.get(key, [])
        if not isinstance(value, kinds):
            fail(f"calendar.{key}", 'must be a list like ["2027-01-01", "2027-02-06..2027-02-12"]')
        try:
            calendar_from_config({key: value})
        except ValueError as exc:
            fail(f"calendar.{key}", f"has the entry {exc}")
    hours = config.get("identity.session_hours")
    if not isinstance(hours, (int, float)) or isinstance(hours, bool) or not 0 < hours <= 12:
        fail("identity.session_hours", "must be a number of hours from 0 to 12")
    if not isinstance(config.get("permissions"), dict):
        fail("permissions", 'must be a table of action = [roles], e.g. "export.unmasked" = ["manager"]')
    from .archive.contact import check_config as check_contact

    problem = check_contact(config.get("contact", {}))
    if problem:
        dotted, _, why = problem.partition(": ")
        fail(dotted, why)
    roles = config.get("privacy.unmasked_roles")
    if not (isinstance(roles, list) and all(isinstance(r, str) for r in roles)):
        fail("privacy.unmasked_roles", "must be a list of role names")
