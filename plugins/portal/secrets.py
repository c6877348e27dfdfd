"""Where the portal's client secret comes from — never the config file, never the database.

In order:

1. the environment variable named by ``portal.client_secret_env`` (default
   ``CRM_PORTAL_SECRET``), when set and not empty;
2. ``portal.client_secret_command``: a password command (``pass show crm/portal``,
   ``secret-tool lookup service crm-portal``…) run without a shell; its stdout, stripped,
   is the secret;
3. the system keyring (service ``crm-portal``, user = the client id), only when the
   ``keyring`` package is installed and answers (it often cannot under cron: any failure
   falls through quietly).

Error messages name where we looked, never what we found.
"""

from __future__ import annotations

import shlex
import subprocess
from typing import Mapping

from crm.errors import ConfigError

DEFAULT_ENV = "CRM_PORTAL_SECRET"
KEYRING_SERVICE = "crm-portal"


def read_secret(section: dict, environ: Mapping[str, str], client_id: str) -> str:
    if section.get("client_secret") not in (None, ""):
        raise ConfigError("portal.client_secret must not be written in the config file; put the secret in "
                          f"the environment variable {section.get('client_secret_env') or DEFAULT_ENV} or use "
                          "portal.client_secret_command")
    env_name = str(section.get("client_secret_env") or DEFAULT_ENV)
    value = environ.get(env_name, "")
    if value.strip():
        return value.strip()
    command = section.get("client_secret_command")
    if command:
        return _from_command(command)
    secret = _from_keyring(client_id)
    if secret:
        return secret
    raise ConfigError(f"no portal client secret: set the environment variable {env_name}, or "
                      "portal.client_secret_command, or store it in the keyring "
                      f"(service {KEYRING_SERVICE!r}, user {client_id!r})")


def _from_command(command) -> str:
    argv = command if isinstance(command, list) else shlex.split(str(command))
    if not argv:
        raise ConfigError("portal.client_secret_command is empty")
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        raise ConfigError(f"portal.client_secret_command: {argv[0]!r} not found") from None
    except subprocess.TimeoutExpired:
        raise ConfigError("portal.client_secret_command did not finish within 30 s") from None
    except OSError as exc:
        raise ConfigError(f"portal.client_secret_command: {exc.strerror}") from None
    if done.returncode != 0:
        # stderr is not repeated: a password manager may echo things we must not log
        raise ConfigError(f"portal.client_secret_command exited {done.returncode}")
    secret = done.stdout.strip().splitlines()[0].strip() if done.stdout.strip() else ""
    if not secret:
        raise ConfigError("portal.client_secret_command printed nothing")
    return secret


def _from_keyring(client_id: str) -> str | None:
    try:
        import keyring  # optional
    except Exception:
        return None
    try:
        return keyring.get_password(KEYRING_SERVICE, client_id) or None
    except Exception:  # no backend under cron, locked keyring, D-Bus missing…
        return None
