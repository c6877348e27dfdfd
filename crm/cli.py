"""The ``crm`` command: a click group whose subcommands are imported only when used.

Core commands and plugin commands are both listed by name and one-line help, without
importing their modules; ``crm customer show 1`` imports the customer commands and
nothing else.  Errors end as one line on stderr with a stable exit code
(see :mod:`crm.errors`).
"""

from __future__ import annotations

import errno
import importlib
import os
import re
import sqlite3
import sys
from collections.abc import MutableMapping
from typing import Any, Iterable, Mapping

import click

from . import __version__
from .context import App
from .errors import CrmError, ExitCode

#: name → (import path of a typer.Typer or click.Command, one-line help)
CORE_COMMANDS: dict[str, tuple[str, str]] = {
    "customer": ("crm.commands.customer:app", "The customer archive (客户档案): add, show, search, import…"),
    "vehicle": ("crm.commands.vehicle:app", "Vehicles: add, show, edit, transfer ownership"),
    "visit": ("crm.commands.visit:app", "Service visits (repair orders): add, close, list"),
    "staff": ("crm.commands.staff:app", "Staff of the department and their roles"),
    "log": ("crm.commands.log:app", "The interaction log: calls, SMS, visits, gifts"),
    "order": ("crm.commands.order:app", "Purchase orders and contracts (订单/合同): add, list, deliver"),
    "action": ("crm.commands.action:app", "Corrective actions (整改项): raise, list, done, verify"),
    "appointment": ("crm.commands.appointment:app", "Appointments: book, arrive, no-show, cancel; success rate"),
    "card": ("crm.commands.card:app", "Membership cards: issue, renew, list expiring"),
    "plugins": ("crm.commands.plugins:app", "Installed plugins: what they add"),
    "config": ("crm.commands.config:app", "Show the configuration (secrets redacted)"),
    "db": ("crm.commands.db:app", "The database: migrate, backup, restore, check"),
    "export": ("crm.commands.export:app", "Unmasked exports need the manager: request, approve, decline"),
    "audit": ("crm.commands.audit:app", "The audit log: who did what, when; verify its hash chain"),
    "login": ("crm.commands.login:login_command", "Log in with your PIN (a short session; see docs/privacy.md)"),
    "logout": ("crm.commands.login:logout_command", "End your login session"),
    "report": ("crm.commands.report:app", "Reports and KPIs (日报/周报/月报): kpi, daily, weekly, monthly"),
    "today": ("crm.commands.today:command", "What to do today (今日待办): callbacks, complaints, appointments…"),
    "worklog": ("crm.commands.worklog:app", "Your written work (工作日志/周计划): notes, weekly goals, problems"),
}

ROOT_HELP = """\
Customer relations for a car dealer (4S): the archive, callbacks (回访),
complaints (投诉), campaigns and the manufacturer's portal.

\b
Start here:
  crm staff add wangfang --name 王芳 --role callback
  crm customer add --name 张三 --mobile 13812345678
  crm customer search 5678          (mobile tail, plate, VIN, name, pinyin)
  crm customer show 1
  crm plugins list

\b
Settings come from --config / CRM_CONFIG / the user config dir; the database from
--db / CRM_DB / the user data dir.  Act as a staff member with --as or CRM_USER.
Exit codes: 0 ok, 2 bad input, 3 needs a person, 75 try again later, 1 other.
"""


def _load_target(target: Any, name: str) -> click.Command:
    if isinstance(target, str):
        module_name, _, attr = target.partition(":")
        obj = getattr(importlib.import_module(module_name), attr or "app")
    else:
        obj = target
    if isinstance(obj, click.Command):
        return _plain_help(obj)
    import typer

    if isinstance(obj, typer.Typer):
        # Always a group, so a sub-app with one command still reads `crm NAME COMMAND`.
        command = _lazy_typer_group(obj)
        command.name = name
        return _plain_help(command)
    raise CrmError(f"command '{name}' points at {obj!r}, which is neither a typer app nor a click command")


class PlainHelpFormatter(click.HelpFormatter):
    """click's formatter, undoing typer's rich escaping (``\\[required]``) in plain help."""

    def write_dl(self, rows, *args, **kwargs):
        rows = [(term, text.replace("\\[", "[")) for term, text in rows]
        return super().write_dl(rows, *args, **kwargs)


class CrmContext(click.Context):
    formatter_class = PlainHelpFormatter


def _plain_help(command: click.Command) -> click.Command:
    command.context_class = CrmContext
    subcommands = getattr(command, "commands", {})
    if not isinstance(subcommands, LazyCommands):  # those are made plain as they are made
        for sub in subcommands.values():
            _plain_help(sub)
    return command


class LazyCommands(MutableMapping):
    """A typer app's subcommands, each turned into a click command only when asked for.

    typer builds every command of a group up front (inspecting each function's
    signature): ~3 ms a command. ``crm customer show`` needs one of thirteen.
    """

    def __init__(self, app):
        import typer.main

        self._app, self._made, self._infos = app, {}, {}
        for info in app.registered_commands:
            self._infos[info.name or typer.main.get_command_name(info.callback.__name__)] = info
        for info in app.registered_groups:
            self._infos[info.name or info.typer_instance.info.name] = info

    def __getitem__(self, name: str) -> click.Command:
        if name not in self._made:
            import typer.main

            info = self._infos[name]
            options = {"pretty_exceptions_short": self._app.pretty_exceptions_short,
                       "rich_markup_mode": self._app.rich_markup_mode}
            if isinstance(info, typer.models.CommandInfo):
                made = typer.main.get_command_from_info(info, **options)
            else:
                made = typer.main.get_group_from_info(info, suggest_commands=self._app.suggest_commands, **options)
            self._made[name] = _plain_help(made)
        return self._made[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._infos.setdefault(name, None)
        self._made[name] = command

    def __delitem__(self, name: str) -> None:
        self._infos.pop(name)
        self._made.pop(name, None)

    def __iter__(self):
        return iter(self._infos)

    def __len__(self) -> int:
        return len(self._infos)


def _lazy_typer_group(app) -> click.Group:
    """``typer.main.get_group(app)``, with subcommands made on demand (see :class:`LazyCommands`)."""
    import copy

    import typer.main

    if any(not (g.name or g.typer_instance.info.name) for g in app.registered_groups):
        return typer.main.get_group(app)  # nameless sub-apps merge their commands: build eagerly
    shell = copy.copy(app)
    shell.registered_commands, shell.registered_groups = [], []
    group = typer.main.get_group(shell)
    group.commands = LazyCommands(app)
    return group


class CrmGroup(click.Group):
    """The root group: lazy subcommands (core and plugins) and one-line errors."""

    def __init__(self, *args, environ: Mapping[str, str] | None = None,
                 extra_plugins: Iterable[object] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.environ = environ
        self.extra_plugins = list(extra_plugins)

    # -- context --------------------------------------------------------------------
    context_class = CrmContext

    def make_context(self, info_name, args, parent=None, **extra):
        extra.setdefault("obj", App(environ=self.environ, extra_plugins=self.extra_plugins))
        return super().make_context(info_name, args, parent=parent, **extra)

    def parse_args(self, ctx, args):
        rest = super().parse_args(ctx, hoist_global_flags(args))
        ctx.obj.configure(**ctx.params)
        return rest

    # -- lazy commands -----------------------------------------------------------------
    def _registry(self, ctx) -> dict[str, tuple[Any, str]]:
        app: App = ctx.obj
        if app.command_registry is not None:
            return app.command_registry
        registry: dict[str, tuple[Any, str]] = dict(CORE_COMMANDS)
        try:
            plugins = app.plugins
        except CrmError as exc:  # a broken config: core commands still list; running one reports it
            self._broken_config = exc
            app.command_registry = registry
            return registry

        def register(name: str, target: Any, *, help: str = "") -> None:
            if name in registry:
                app.warn(f"a plugin registered the command '{name}', which already exists; ignored")
                return
            registry[name] = (target, help)

        plugins.call_each("register_commands", register=register)
        app.command_registry = registry
        return registry

    def list_commands(self, ctx):
        return sorted(self._registry(ctx))

    _broken_config: CrmError | None = None

    def get_command(self, ctx, name):
        entry = self._registry(ctx).get(name)
        if entry is None:
            if self._broken_config is not None:  # perhaps a plugin's command: say why it is missing
                raise self._broken_config
            return None
        try:
            return _load_target(entry[0], name)
        except CrmError:
            raise
        except Exception as exc:
            ctx.obj.warn(f"command '{name}' failed to load: {type(exc).__name__}: {exc}")
            return None

    def format_commands(self, ctx, formatter):
        rows = [(name, help_) for name, (_, help_) in sorted(self._registry(ctx).items())]
        if rows:
            limit = formatter.width - 6 - max(len(r[0]) for r in rows)
            with formatter.section("Commands"):
                formatter.write_dl([(n, _shorten(h, limit)) for n, h in rows])

    # -- errors -----------------------------------------------------------------------
    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        os.umask(0o077)  # everything crm creates (db, exports, logs, backups) is private
        # A library object left half-done by a failed write (a full disk) may complain when
        # it is collected; the user has had crm's one-line error: keep stderr to that line.
        unraisable, sys.unraisablehook = sys.unraisablehook, _quiet_unraisable
        try:
            return self._main(args, prog_name, complete_var, standalone_mode, **extra)
        finally:
            sys.unraisablehook = unraisable

    def _main(self, args, prog_name, complete_var, standalone_mode, **extra):
        try:
            result = super().main(args=args, prog_name=prog_name or "crm", complete_var=complete_var,
                                  standalone_mode=False, **extra)
        except click.exceptions.Exit as exc:
            code = exc.exit_code
        except click.exceptions.Abort:  # Ctrl-C / Ctrl-D at a prompt, whose line is still open
            if sys.stdin is not None and sys.stdin.isatty():
                click.echo("", err=True)  # the message starts on a line of its own: one line break, no blank line
            _error("aborted")
            code = 130
        except click.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx else "crm"
            _error(f"{_dedupe(exc.format_message())} (see '{where} --help')", prefix=f"{where}: error")
            code = ExitCode.BAD_INPUT
        except click.ClickException as exc:
            _error(exc.format_message())
            code = ExitCode.BAD_INPUT
        except CrmError as exc:
            # exit 3 is not a failure: the work is done and something waits for a person
            _error(exc.message, prefix="crm: attention" if exc.exit_code == ExitCode.NEEDS_ATTENTION else "crm: error")
            code = exc.exit_code
        except sqlite3.Error as exc:
            from .store import translate_sqlite_error

            err = translate_sqlite_error(exc, "database")
            _error(err.message)
            code = err.exit_code
        except KeyboardInterrupt:
            _error("interrupted")
            code = 130
        except BrokenPipeError:
            code = 0
        except OSError as exc:
            if exc.errno not in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG) or os.environ.get("CRM_DEBUG"):
                if os.environ.get("CRM_DEBUG"):
                    raise
                _error(f"internal error: {type(exc).__name__}: {exc} (set CRM_DEBUG=1 for the traceback)")
                code = ExitCode.FAILURE
            else:  # a writer that did not say so itself: still one line and "try again later"
                _error(f"{exc.filename or 'a file'}: the disk is full ({exc.strerror}); try again when there is room")
                code = ExitCode.TEMPORARY_FAILURE
        except Exception as exc:
            if os.environ.get("CRM_DEBUG"):
                raise
            _error(f"internal error: {type(exc).__name__}: {exc} (set CRM_DEBUG=1 for the traceback)")
            code = ExitCode.FAILURE
        else:
            code = result if isinstance(result, int) else 0
        if standalone_mode:
            sys.exit(code)
        return code


def _quiet_unraisable(unraisable) -> None:
    if os.environ.get("CRM_DEBUG"):
        sys.__unraisablehook__(unraisable)


#: the root's flags that mean the same wherever they stand (``crm -v sync run`` = ``crm sync run -v``)
GLOBAL_FLAGS = frozenset({"-q", "--quiet", "--verbose"})


def hoist_global_flags(args: list[str]) -> list[str]:
    """Move ``-v``/``-vv``/``--verbose``/``-q``/``--quiet`` given after a subcommand in front of it,
    so the root reads them whatever their place (nothing after ``--`` moves)."""
    args = list(args)
    end = args.index("--") if "--" in args else len(args)
    moved = [a for a in args[:end] if a in GLOBAL_FLAGS or re.fullmatch(r"-v+", a)]
    if not moved:
        return args
    return moved + [a for a in args[:end] if a not in moved] + args[end:]


def _dedupe(message: str) -> str:
    """Drop a sentence repeated by click and typer ("Did you mean 'list'?" twice)."""
    parts, seen = [], set()
    for part in message.replace("? ", "?\n").replace(". ", ".\n").split("\n"):
        if part.strip() and part.strip() not in seen:
            seen.add(part.strip())
            parts.append(part.strip())
    return " ".join(parts)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit or limit < 10 else text[: limit - 1] + "…"


def _error(message: str, prefix: str = "crm: error") -> None:
    click.echo(f"{prefix}: {' '.join(str(message).split())}", err=True)


def _show_version(ctx, _param, value):
    if value and not ctx.resilient_parsing:
        click.echo(f"crm {__version__}")
        ctx.exit(0)


def _root(**options):
    ctx = click.get_current_context()
    app: App = ctx.obj
    app.command_path = " ".join(["crm"] + ([ctx.invoked_subcommand] if ctx.invoked_subcommand else []))
    if (options.get("as_") or app.environ.get("CRM_USER")) and app.db_path.exists():
        app.actor  # a misspelled --as fails now, before anything is shown or written (no database: see the command)


def make_app(*, environ: Mapping[str, str] | None = None, extra_plugins: Iterable[object] = ()) -> CrmGroup:
    """Build the ``crm`` command. ``environ`` and ``extra_plugins`` serve tests and embedding."""
    params = [
        click.Option(["--db"], metavar="PATH", help="Database file [env: CRM_DB]"),
        click.Option(["--config"], metavar="PATH", help="Config file [env: CRM_CONFIG]"),
        click.Option(["--as", "as_"], metavar="STAFF", help="Act as this staff member [env: CRM_USER]"),
        click.Option(["-v", "--verbose"], count=True, help="Say more (repeat for more)"),
        click.Option(["-q", "--quiet"], is_flag=True, help="Only errors on stderr (cron)"),
        click.Option(["--version"], is_flag=True, expose_value=False, is_eager=True,
                     callback=_show_version, help="Show the version and exit"),
    ]
    return CrmGroup(
        name="crm",
        help=ROOT_HELP,
        params=params,
        callback=_root,
        environ=environ,
        extra_plugins=extra_plugins,
        context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
        no_args_is_help=True,
    )


def main(argv: list[str] | None = None) -> None:
    make_app().main(args=argv, prog_name="crm")


if __name__ == "__main__":  # pragma: no cover
    main()
