"""The running application: settings, plugins, the database, the actor — built lazily.

A command gets it with :func:`current` and writes through :meth:`App.transaction`::

    app = current()
    with app.transaction() as tx:
        tx.conn.execute("UPDATE customers SET city = ? WHERE id = ?", (city, id))
        tx.audit("update", "customer", [id])
        tx.fire("on_customer_updated", customer=row, changes=changes)
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sys
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping

from .errors import CrmError

if TYPE_CHECKING:  # pragma: no cover
    from .config import Config
    from .identity import Actor
    from .plugins import Plugins
    from .store import Store
    from .workdays import Calendar


class App:
    """Everything one ``crm`` invocation needs, each part made on first use."""

    def __init__(
        self,
        *,
        environ: Mapping[str, str] | None = None,
        extra_plugins: Iterable[object] = (),
        err: Callable[[str], None] | None = None,
    ):
        self.environ = dict(os.environ if environ is None else environ)
        self.extra_plugins = list(extra_plugins)
        self.db_option: str | None = None
        self.config_option: str | None = None
        self.as_option: str | None = None
        self.verbose = 0
        self.quiet = False
        self._err = err
        self.warnings: list[str] = []
        self.command_path = "crm"
        #: name → (target, help) of every command, core and plugins' (filled by the CLI)
        self.command_registry: dict | None = None

    def configure(self, *, db=None, config=None, as_=None, verbose=0, quiet=False, **_ignored) -> None:
        self.db_option, self.config_option, self.as_option = db, config, as_
        self.verbose, self.quiet = verbose or 0, bool(quiet)

    # -- messages -----------------------------------------------------------------
    def echo_err(self, message: str) -> None:
        if self._err is not None:
            self._err(message)
        else:
            print(message, file=sys.stderr, flush=True)

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)
            self.echo_err(f"crm: warning: {message}")

    def info(self, message: str) -> None:
        """A progress/status line on stderr, unless --quiet."""
        if not self.quiet:
            self.echo_err(message)

    # -- parts --------------------------------------------------------------------
    @cached_property
    def config(self) -> "Config":
        from .config import load_config, resolve_config_path

        path = resolve_config_path(self.config_option, self.environ)
        if (self.config_option or self.environ.get("CRM_CONFIG")) and not path.exists():
            from .errors import ConfigError

            given = "--config" if self.config_option else "CRM_CONFIG"
            raise ConfigError(f"{path}: no such config file ({given}); check the path, or leave {given} out"
                              " to use the defaults")
        return load_config(path, self.environ)

    @cached_property
    def calendar(self) -> "Calendar":
        """The working days: the config's ``[calendar]`` dates over chinesecalendar's."""
        from .workdays import Calendar

        return Calendar.from_config(self.config.section("calendar"))

    @cached_property
    def plugins(self) -> "Plugins":
        from .config import Key, check_keys
        from .plugins import load_plugins

        plugins = load_plugins(self.config, self.environ, self.extra_plugins, warn=self.warn)
        schema: dict[str, Key] = {}

        def register(dotted: str, kind: str, **limits) -> None:
            if "choices" in limits and limits["choices"] is not None:
                limits["choices"] = tuple(limits["choices"])
            schema[dotted] = Key(kind, **limits)

        plugins.call_each("register_config_keys", register=register)
        check_keys(self.config, schema)  # a plugin's broken key: one line, exit 2
        return plugins

    @property
    def hook(self):
        return self.plugins.hook

    @cached_property
    def db_path(self) -> Path:
        from .store import default_db_path

        chosen = self.db_option or self.environ.get("CRM_DB") or self.config.get("db.path")
        return Path(chosen).expanduser() if chosen else default_db_path()

    @property
    def db_path_source(self) -> str:
        """Where the database path came from, for messages."""
        if self.db_option:
            return "--db"
        if self.environ.get("CRM_DB"):
            return "CRM_DB"
        return "db.path in the config" if self.config.get("db.path") else "the default location"

    def migration_sets(self) -> list:
        from .schema import migrations as core

        sets = [core]
        self.plugins.call_each("register_migrations", register=sets.append)
        return sets

    def open_store(self, *, migrate: bool = True, create: bool = False) -> "Store":
        """The database; a missing file is an error (exit 2) unless ``create`` (``crm db migrate``,
        ``crm db restore``: the commands that make one, see docs/storage.md)."""
        from .store import Store

        if not create and not self.db_path.exists():
            from .errors import BadInput

            raise BadInput(f"{self.db_path}: no database here ({self.db_path_source}); check the path,"
                           " or create a new database with 'crm db migrate'")
        store = Store(self.db_path, busy_timeout_seconds=float(self.config.get("db.busy_timeout_seconds")))
        if migrate:
            from . import migrations

            sets = self.migration_sets()
            if migrations.pending(store, sets):
                migrations.apply(store, sets)
        return store

    @cached_property
    def store(self) -> "Store":
        return self.open_store()

    @cached_property
    def session_file(self) -> Path:
        from .login import session_path

        return session_path(self.db_path, self.environ)

    @cached_property
    def actor(self) -> "Actor":
        from .identity import resolve_actor

        def session():  # read only once PINs are in use: no hashlib, platformdirs or file look-up before
            from .login import read_session

            return read_session(self.session_file)

        name = self.as_option or self.environ.get("CRM_USER") or self.config.get("user") or None
        return resolve_actor(self.store, name, session=session,
                             now=self.now().isoformat(timespec="seconds"),
                             may_act_for_others=lambda who: self.permissions.allows(who.role, "act-for-others"))

    # -- policy -------------------------------------------------------------------
    @cached_property
    def permissions(self):
        """The permission table (crm/permissions.py) with the plugins' rows and the config's changes."""
        from .permissions import Table

        overrides = dict(self.config.get("permissions") or {})
        overrides.setdefault("personal-data.see", self.config.get("privacy.unmasked_roles") or [])
        if self.config.get("identity.anonymous") == "write":  # a single-person dealer (docs/privacy.md)
            from .permissions import NONE, STAFF

            overrides.setdefault("write", [*STAFF, NONE])
        table = Table(overrides=overrides)
        self.plugins.call_each("register_permissions", register=table.register, config=self.config)
        table.validate()
        return table

    def may(self, action: str) -> bool:
        """Whether the actor's role has ``action`` in the permission table."""
        return self.permissions.allows(self.actor.role, action)

    def setting_up(self) -> bool:
        """First-time setup: no active manager or IT yet, so the table is not enforced."""
        return not self.store.scalar("SELECT 1 FROM staff WHERE active AND role IN ('manager', 'it') LIMIT 1")

    def require(self, action: str) -> None:
        """Refuse (exit 2, naming the action and the role) unless the table allows it."""
        if self.setting_up():
            return
        self.permissions.check(self.actor, action)

    def require_role_grant(self, role: str) -> None:
        """Granting ``role`` (or touching staff who have it) needs ``staff.higher-role`` unless
        the actor's own role may already do everything ``role`` may."""
        if not self.permissions.covers(self.actor.role, role):
            self.require("staff.higher-role")

    def unmasked_file(self, kind: str, *, unmasked: bool | None = None, filters: dict | None = None,
                      fmt: str | None = None, action: str = "export.unmasked") -> bool:
        """The one check: may this identity write personal data unmasked to a file now?

        Every command that writes customers' phones, e-mail, WeChat ids or addresses to a file
        asks it once (after checking the path, before writing) and masks the rows unless it
        returns True. ``unmasked``: False asks for a masked file (``export.masked``); True
        insists on an unmasked one (refused, exit 2, with how to ask the manager); None takes
        unmasked when allowed, else masked. Allowed: a role in ``action``'s row (the manager;
        ``group.export_personal`` for a group export), first-time setup when insisting, or an
        approved request of the actor's for exactly this ``kind``, ``filters`` and ``fmt``
        (``crm export request``), which this uses up and audits (crm/archive/export_requests.py).
        """
        if unmasked is False:
            self.require("export.masked")
            return False
        if self.permissions.allows(self.actor.role, action) or (unmasked and self.setting_up()):
            return True
        from .archive import export_requests

        approved = export_requests.usable(self.store, self.actor.staff_id, kind, filters, fmt, self.timestamp())
        if approved is not None:
            with self.transaction() as tx:
                export_requests.use(tx, approved["id"])
            self.info(f"using export request {approved['id']} (approved by the manager)")
            return True
        if unmasked:
            from .errors import PermissionDenied

            try:
                self.permissions.check(self.actor, action)
            except PermissionDenied as refused:
                given = " ".join(f"--filter {k}={v}" for k, v in json.loads(
                    export_requests.canonical_filters(filters)).items())
                raise PermissionDenied(
                    f"{refused.message}; ask the manager: crm export request {kind} {given + ' ' if given else ''}"
                    f"{'--file-format ' + fmt + ' ' if fmt else ''}--reason '…', then run this again once approved"
                ) from None
        self.require("export.masked")
        return False

    @property
    def may_see_personal_data(self) -> bool:
        return self.may("personal-data.see")

    def mask(self, row: dict) -> dict:
        """``row`` as the actor may see it (phones, e-mail, address masked unless allowed)."""
        if self.may_see_personal_data:
            return row
        from .masking import mask_row

        return mask_row(row)

    def require_role(self, roles, doing: str) -> None:
        """Older form of :meth:`require` (a list of roles); prefer a row in the permission table."""
        from .identity import require_role

        require_role(self.actor, roles, doing)

    @cached_property
    def log(self):
        """The ``crm`` logger (rotating file, 0600, secrets redacted): ``app.log.info(...)``."""
        from .logfile import setup_logger

        logger, self.redactor = setup_logger(self.config, self.environ)
        return logger

    def add_secret(self, secret: str | None) -> None:
        """Register a secret so that the log never contains it."""
        self.log  # make sure the redactor exists
        self.redactor.add_secret(secret)

    # -- time ---------------------------------------------------------------------
    @cached_property
    def tz(self):
        from zoneinfo import ZoneInfo

        return ZoneInfo(self.config.get("timezone") or "Asia/Shanghai")

    def now(self) -> dt.datetime:
        """Now in the dealer's time zone (``CRM_NOW`` replays a given moment, e.g. in the demo)."""
        fixed = self.environ.get("CRM_NOW")
        if fixed:
            try:
                moment = dt.datetime.fromisoformat(fixed)
            except ValueError:
                from .errors import ConfigError

                raise ConfigError(f"CRM_NOW={fixed!r} is not an ISO date-time") from None
            return moment if moment.tzinfo else moment.replace(tzinfo=self.tz)
        return dt.datetime.now(self.tz)

    def today(self) -> dt.date:
        return self.now().date()

    def timestamp(self) -> str:
        return self.now().isoformat(timespec="seconds")

    # -- writing ------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self) -> Iterator["Transaction"]:
        """One write transaction (``BEGIN IMMEDIATE``) with its audit record."""
        store = self.store
        actor = self.actor
        with store.transaction():
            before = store.conn.total_changes
            setting_up = self.setting_up()  # as the transaction starts: adding the first manager ends it
            tx = Transaction(self, store, actor)
            yield tx
            if store.conn.total_changes - before > tx.audit_changes and not setting_up:
                # a change besides the audit record (a masked export, a search or a login only
                # audit): somebody without a staff identity may not (permission ``write``)
                self.permissions.check(actor, "write")
            if not tx.audited and store.conn.total_changes != before:
                tx.audit("write")

    # -- output -------------------------------------------------------------------
    def progress(self, iterable: Iterable, *, total: int | None = None, label: str = "") -> Iterable:
        """Show a progress bar on a terminal; stay silent under cron, pipes or --quiet."""
        if self.quiet or not sys.stderr.isatty():
            return iterable
        from rich.progress import track

        return track(iterable, total=total, description=label, console=None, transient=True)


class Transaction:
    """A write in progress: the connection, the audit trail and the plugins' hooks."""

    def __init__(self, app: App, store: "Store", actor: "Actor"):
        self.app = app
        self.store = store
        self.conn = store.conn
        self.actor = actor
        self.audited = False
        self.audit_changes = 0  # rows the audit records themselves changed
        self.now = app.timestamp()
        self.command = _command_path(app)

    @property
    def db(self):
        return self.store.db

    def audit(
        self,
        action: str,
        entity: str | None = None,
        ids: Iterable[Any] = (),
        count: int | None = None,
        detail: dict | None = None,
    ) -> None:
        """Record who did what to which records. Never put personal data in ``detail``."""
        from .archive.audit_chain import append

        ids = list(ids)
        before = self.conn.total_changes
        append(self.conn, [{
            "at": self.now, "actor": self.actor.code, "principal": self.actor.principal, "role": self.actor.role,
            "command": self.command, "action": action, "entity": entity,
            "record_ids": json.dumps(ids[:1000]) if ids else None,
            "count": count if count is not None else (len(ids) if ids else None),
            "detail": json.dumps(detail, ensure_ascii=False, default=str) if detail else None,
        }])
        self.audit_changes += self.conn.total_changes - before
        self.audited = True

    def fire(self, event: str, *, strict: bool = False, **kwargs) -> list:
        """Tell every plugin about an archive event; each runs in its own savepoint.

        ``strict``: a plugin that fails stops the command (exit 1, naming the plugin) and the
        whole transaction rolls back — for events that must happen everywhere or nowhere
        (``on_customer_forgotten``).
        """
        return self.app.plugins.call_each(event, savepoint=self.store.savepoint, strict=strict, tx=self, **kwargs)

    def ask(self, service: str, **kwargs) -> Any:
        """Ask for a service hook (``open_complaint``...); None when no plugin provides it."""
        return self.app.plugins.call_first(service, savepoint=self.store.savepoint, tx=self, **kwargs)


def _command_path(app: App) -> str:
    import click

    ctx = click.get_current_context(silent=True)
    return ctx.command_path if ctx is not None else app.command_path


def current() -> App:
    """The :class:`App` of the running command."""
    import click

    ctx = click.get_current_context(silent=True)
    while ctx is not None:
        if isinstance(ctx.obj, App):
            return ctx.obj
        ctx = ctx.parent
    raise CrmError("no crm application is running")
