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
import math
import os
import re
from dataclasses import dataclass
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
    "identity": {"session_hours": 8, "anonymous": "read"},
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

#: kinds of value a config key can have (see :class:`Key`)
KINDS = ("str", "int", "number", "bool", "list", "table", "time", "timezone")


@dataclass(frozen=True)
class Key:
    """What one config key must hold: the one schema that the core's keys and every
    plugin's keys (``register_config_keys``) are checked against when crm starts.

    *kind*: ``str``, ``int`` (whole number), ``number`` (int or float; never inf or nan),
    ``bool``, ``list`` (of strings, or of *items*), ``table``, ``time`` ("HH:MM") or
    ``timezone`` (an IANA name such as ``Asia/Shanghai``).  *low*/*high* bound numbers
    (inclusive; *above* is an exclusive lower bound), *choices* the allowed strings (of a
    ``str``, or of a ``list``'s items).

    >>> Key("number", above=0).problem(float("inf")), Key("list").problem("orders")
    ('a finite number greater than 0', 'a list of strings, like ["a", "b"]')
    >>> Key("int", low=0).problem(5) is None, Key("timezone").problem("Mars/Base")
    (True, 'a known time zone such as "Asia/Shanghai"')
    """

    kind: str
    low: float | None = None
    high: float | None = None
    above: float | None = None
    choices: tuple[str, ...] | None = None
    items: str = "str"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown config key kind {self.kind!r} (one of {', '.join(KINDS)})")

    def expected(self) -> str:
        bounds = []
        if self.above is not None:
            bounds.append(f"greater than {self.above:g}")
        if self.low is not None:
            bounds.append(f"at least {self.low:g}")
        if self.high is not None:
            bounds.append(f"at most {self.high:g}")
        if self.kind in ("int", "number"):
            noun = "a whole number" if self.kind == "int" else "a finite number"
            return " ".join([noun, " and ".join(bounds)]).strip()
        if self.kind == "list":
            if self.choices:
                return f"a list of {', '.join(self.choices)}"
            return 'a list of strings, like ["a", "b"]' if self.items == "str" else f"a list of {self.items}s"
        if self.kind == "str" and self.choices:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        return {"str": "a string", "bool": "true or false", "table": "a table", "time": 'a time of day like "09:00"',
                "timezone": 'a known time zone such as "Asia/Shanghai"'}[self.kind]

    def problem(self, value: Any) -> str | None:
        """``None`` when *value* fits, else what was expected."""
        return None if self._fits(value) else self.expected()

    def _fits(self, value: Any) -> bool:
        kind = self.kind
        if kind in ("int", "number"):
            if isinstance(value, bool) or not isinstance(value, (int, float) if kind == "number" else int):
                return False
            if not math.isfinite(value):
                return False
            return ((self.low is None or value >= self.low) and (self.high is None or value <= self.high)
                    and (self.above is None or value > self.above))
        if kind == "list":
            if not isinstance(value, list):
                return False
            item = Key(self.items, choices=self.choices) if self.items != "str" else None
            return all((isinstance(v, str) and (not self.choices or v in self.choices)) if item is None
                       else item._fits(v) for v in value)
        if kind == "str":
            return isinstance(value, str) and (not self.choices or value in self.choices)
        if kind == "bool":
            return isinstance(value, bool)
        if kind == "table":
            return isinstance(value, dict)
        if kind == "time":
            return isinstance(value, str) and bool(TIME_OF_DAY.match(value))
        return isinstance(value, str) and _known_zone(value)


def _known_zone(name: str) -> bool:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


#: The core's keys.  Plugins add theirs through the ``register_config_keys`` hook.
SCHEMA: dict[str, Key] = {
    "dealer_code": Key("str"),
    "dealer_name": Key("str"),
    "locale": Key("str"),
    "timezone": Key("timezone"),
    "user": Key("str"),
    "db": Key("table"),
    "db.path": Key("str"),
    "db.busy_timeout_seconds": Key("number", above=0, high=86400),
    "quiet_hours": Key("table"),
    "quiet_hours.not_before": Key("time"),
    "quiet_hours.not_after": Key("time"),
    "quiet_hours.breaks": Key("list"),
    "plugins": Key("table"),
    "plugins.enabled": Key("list"),
    "plugins.disabled": Key("list"),
    "privacy": Key("table"),
    "privacy.unmasked_roles": Key("list"),
    "identity": Key("table"),
    # somebody without a staff identity may only read (masked), or also write (a single-person dealer)
    "identity.anonymous": Key("str", choices=("read", "write")),
    "log": Key("table"),
    "log.path": Key("str"),
    "log.max_bytes": Key("int", low=1024),
    "log.backups": Key("int", low=0, high=1000),
    "calendar": Key("table"),
    "group": Key("table"),
    "group.key_file": Key("str"),
}
_MISSING = object()


def _builtin_default(dotted: str) -> Any:
    node: Any = DEFAULTS
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return _MISSING
        node = node[part]
    return node


def check_keys(config: "Config", schema: Mapping[str, Key]) -> None:
    """Check every key of *schema* that the config sets: one line naming the file, the line,
    the key, what it must be and what it is (``ConfigError``, exit 2)."""
    for dotted, key in schema.items():
        value = config.get(dotted, _MISSING)
        if value is _MISSING or value == _builtin_default(dotted):
            continue  # crm's own defaults are good (checking the time zone's costs a zoneinfo import)
        why = key.problem(value)
        if why is not None:
            shown = repr(value)
            shown = shown if len(shown) <= 40 else shown[:39] + "…"
            raise ConfigError(f"{_where(config, dotted)} must be {why}, not {shown}")


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

    check_keys(config, SCHEMA)
    quiet = config.get("quiet_hours")
    breaks = quiet.get("breaks", [])
    for item in breaks:
        start, _, end = str(item).partition("-")
        if not (TIME_OF_DAY.match(start.strip()) and TIME_OF_DAY.match(end.strip()) and start < end):
            fail("quiet_hours.breaks", f'has {item!r}; write each break as "HH:MM-HH:MM"')
    calendar = config.get("calendar", {})
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
    contact = config.get("contact", {})
    if contact != {}:  # no [contact] table: nothing to check, and crm.archive.contact stays unimported
        from .archive.contact import check_config as check_contact

        problem = check_contact(contact)
        if problem:
            dotted, _, why = problem.partition(": ")
            fail(dotted, why)
