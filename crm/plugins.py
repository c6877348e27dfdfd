"""Finding, choosing and loading plugins (pluggy), and calling their hooks safely.

Plugins are modules registered under the ``crm`` entry-point group, built-in ones
included.  Which ones load:

- ``CRM_PLUGINS`` set: exactly those (a comma list; empty = none);
- otherwise the config's ``[plugins] enabled`` (empty = all) minus ``disabled``.

A plugin that fails to import or to register is named in a warning and left out; the
rest of crm goes on.
"""

from __future__ import annotations

import contextvars
import dataclasses
import sys
from typing import Any, Callable, Iterable, Mapping

import pluggy

from . import hookspecs
from .errors import ExitCode

#: the savepoint factory of the hook call in progress (``Store.savepoint``), or None
_SAVEPOINT: contextvars.ContextVar[Callable[[str], Any] | None] = contextvars.ContextVar("crm_hook_savepoint",
                                                                                         default=None)
#: whether every implementation's failure fails the command (``call(..., strict=True)``)
_STRICT: contextvars.ContextVar[bool] = contextvars.ContextVar("crm_hook_strict", default=False)

ENTRY_POINT_GROUP = "crm"
BUILTIN_DISTRIBUTION = "crm"


@dataclasses.dataclass
class PluginInfo:
    name: str
    version: str | None
    source: str  # built-in | third-party | registered
    module: str
    status: str = "loaded"  # loaded | disabled | failed
    error: str | None = None
    hooks: list[str] = dataclasses.field(default_factory=list)


def default_warn(message: str) -> None:
    print(f"crm: warning: {message}", file=sys.stderr)


def selected_names(config: Any, environ: Mapping[str, str]) -> tuple[set[str] | None, set[str]]:
    """(names to load or None for all, names disabled)."""
    if "CRM_PLUGINS" in environ:
        chosen = {n.strip() for n in environ["CRM_PLUGINS"].split(",") if n.strip()}
        return chosen, set()
    enabled = set(config.get("plugins.enabled") or []) if config is not None else set()
    disabled = set(config.get("plugins.disabled") or []) if config is not None else set()
    return (enabled or None), disabled


class Plugins:
    """The plugin manager with what was found, loaded, disabled or failed."""

    def __init__(self, warn: Callable[[str], None] = default_warn):
        self.pm = pluggy.PluginManager("crm")
        self.pm.add_hookspecs(hookspecs)
        # historic: every plugin's add_hookspecs runs as it is registered, before check_pending
        self.pm.hook.add_hookspecs.call_historic(kwargs={"pluginmanager": self.pm})
        self.infos: list[PluginInfo] = []
        self.warn = warn

    @property
    def hook(self):
        return self.pm.hook

    def register(self, plugin: object, info: PluginInfo) -> bool:
        """Register one plugin; on failure unregister it, warn, and return False."""
        try:
            self.pm.register(plugin, name=info.name)
            self.pm.check_pending()
        except Exception as exc:  # a misspelled hook, a bad signature, a raising add_hookspecs
            if self.pm.is_registered(plugin):
                self.pm.unregister(plugin)
            info.status, info.error = "failed", f"{type(exc).__name__}: {exc}"
            self.warn(f"plugin '{info.name}' was not loaded: {info.error}")
            self.infos.append(info)
            return False
        for caller in self.pm.get_hookcallers(plugin) or ():
            for impl in caller.get_hookimpls():
                if impl.plugin is plugin and not (impl.wrapper or impl.hookwrapper):
                    self._isolate(caller.name, impl)
        info.hooks = sorted(
            impl_name
            for impl_name, caller in vars(self.pm.hook).items()
            if isinstance(caller, pluggy.HookCaller)
            and any(impl.plugin is plugin for impl in caller.get_hookimpls())
        )
        self.infos.append(info)
        return True

    def load_entry_points(self, chosen: set[str] | None, disabled: set[str]) -> None:
        from importlib.metadata import entry_points

        seen: set[str] = set()
        for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            if ep.name in seen:
                continue
            seen.add(ep.name)
            dist = getattr(ep, "dist", None)
            meta = dist.metadata if dist is not None else None  # parsed once (each access reads the file)
            dist_name = (meta["Name"] if meta is not None else "") or ""
            info = PluginInfo(
                name=ep.name,
                version=meta["Version"] if meta is not None else None,
                source="built-in" if dist_name.lower() == BUILTIN_DISTRIBUTION else "third-party",
                module=ep.value,
            )
            if (chosen is not None and ep.name not in chosen) or ep.name in disabled:
                info.status = "disabled"
                self.infos.append(info)
                continue
            try:
                plugin = ep.load()
            except Exception as exc:
                info.status, info.error = "failed", f"{type(exc).__name__}: {exc}"
                self.warn(f"plugin '{ep.name}' failed to import: {info.error}")
                self.infos.append(info)
                continue
            self.register(plugin, info)
        if chosen:
            for missing in sorted(chosen - seen):
                self.warn(f"plugin '{missing}' is not installed (CRM_PLUGINS / plugins.enabled)")

    def add(self, plugins: Iterable[object]) -> None:
        """Register plugin objects handed over directly (tests, embedding)."""
        for plugin in plugins:
            name = getattr(plugin, "__name__", None) or type(plugin).__name__
            info = PluginInfo(name=name, version=None, source="registered", module=repr(plugin))
            self.register(plugin, info)

    def _isolate(self, hook_name: str, impl: pluggy.HookImpl) -> None:
        """Make a plain implementation run on its own (see :meth:`call`).

        pluggy calls ``impl.function``; crm puts a guard around it once, at registration,
        so that pluggy's own caller still does the ordering, ``firstresult`` and wrappers.
        """
        function, plugin_name, warn = impl.function, impl.plugin_name, self.warn
        service = self._is_service

        def guarded(*args, **kwargs):
            from .errors import BadInput, CrmError

            savepoint = _SAVEPOINT.get()
            try:
                if savepoint is None:
                    return function(*args, **kwargs)
                with savepoint(f"hook_{plugin_name}"):
                    return function(*args, **kwargs)
            except BadInput:
                raise  # the user's input is wrong: the whole command stops, exit 2
            except Exception as exc:
                failure = f"plugin '{plugin_name}' failed in {hook_name}: {type(exc).__name__}: {exc}"
                if _STRICT.get():
                    raise CrmError(failure + "; the command was rolled back, nothing changed") from exc
                if service(hook_name):
                    code = exc.exit_code if isinstance(exc, CrmError) else ExitCode.FAILURE
                    raise CrmError(failure, exit_code=code) from exc
                warn(failure)
                return None

        guarded.__wrapped__ = function  # type: ignore[attr-defined]
        impl.function = guarded  # type: ignore[misc]  # HookImpl.function: pluggy's documented attribute

    def _is_service(self, hook_name: str) -> bool:
        spec = getattr(self.pm.hook, hook_name).spec
        return bool(spec is not None and spec.opts.get("firstresult"))

    def call(self, hook_name: str, savepoint: Callable[[str], Any] | None = None, *, strict: bool = False,
             **kwargs) -> Any:
        """Call ``hook_name`` through pluggy: its order, ``firstresult`` and wrappers.

        Each plain implementation runs on its own (inside a savepoint when ``savepoint``
        is given, so a failing plugin's writes are undone). One that raises is named in a
        warning and the others still run, except in a ``firstresult`` service hook
        (``send_to_portal`` ...), where the failure fails the command (a
        :class:`crm.errors.CrmError` naming the plugin and the hook; exit 1, or the exit
        code of the plugin's own :class:`~crm.errors.CrmError`, e.g. 75). A
        :class:`crm.errors.BadInput` always stops the command (exit 2). With ``strict``
        every implementation's failure fails the command like a service's (for events
        that must happen everywhere or nowhere: ``on_customer_forgotten``). Wrappers
        (``wrapper=True``, ``hookwrapper=True``) are not isolated: what they raise stops
        the command.
        """
        token, strict_token = _SAVEPOINT.set(savepoint), _STRICT.set(strict)
        try:
            return getattr(self.pm.hook, hook_name)(**kwargs)
        finally:
            _SAVEPOINT.reset(token)
            _STRICT.reset(strict_token)

    def call_each(self, hook_name: str, savepoint: Callable[[str], Any] | None = None, *, strict: bool = False,
                  **kwargs) -> list:
        """:meth:`call` for a hook whose every implementation answers: the non-None results in call order."""
        result = self.call(hook_name, savepoint, strict=strict, **kwargs)
        if self._is_service(hook_name):
            return [] if result is None else [result]
        return list(result)

    def call_first(self, hook_name: str, savepoint: Callable[[str], Any] | None = None, **kwargs) -> Any:
        """:meth:`call` for a ``firstresult`` service hook: the first answer, or None."""
        result = self.call(hook_name, savepoint, **kwargs)
        if self._is_service(hook_name):
            return result
        return next(iter(result), None)


def load_plugins(
    config: Any,
    environ: Mapping[str, str],
    extra: Iterable[object] = (),
    warn: Callable[[str], None] = default_warn,
) -> Plugins:
    """Build the plugin manager: entry points as chosen, then ``extra`` plugin objects."""
    plugins = Plugins(warn=warn)
    chosen, disabled = selected_names(config, environ)
    plugins.load_entry_points(chosen, disabled)
    plugins.add(extra)
    return plugins
