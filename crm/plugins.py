"""Finding, choosing and loading plugins (pluggy), and calling their hooks safely.

Plugins are modules registered under the ``crm`` entry-point group, built-in ones
included.  Which ones load:

- ``CRM_PLUGINS`` set: exactly those (a comma list; empty = none);
- otherwise the config's ``[plugins] enabled`` (empty = all) minus ``disabled``.

A plugin that fails to import or to register is named in a warning and left out; the
rest of crm goes on.
"""

from __future__ import annotations

import dataclasses
import sys
from typing import Any, Callable, Iterable, Mapping

import pluggy

from . import hookspecs

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
            dist_name = (dist.metadata["Name"] if dist is not None else "") or ""
            info = PluginInfo(
                name=ep.name,
                version=dist.version if dist is not None else None,
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

    def _results(self, hook_name: str, savepoint: Callable[[str], Any] | None, kwargs: dict,
                 strict: bool = False):
        """Yield each implementation's result, isolating failures (see :meth:`call_each`)."""
        from .errors import BadInput

        caller = getattr(self.pm.hook, hook_name)
        for impl in reversed(caller.get_hookimpls()):
            args = {name: kwargs[name] for name in impl.argnames if name in kwargs}
            try:
                if savepoint is not None:
                    with savepoint(f"hook_{impl.plugin_name}"):
                        result = impl.function(**args)
                else:
                    result = impl.function(**args)
            except BadInput:
                raise  # the user's input is wrong: the whole command stops, exit 2
            except Exception as exc:
                if strict:
                    from .errors import CrmError

                    raise CrmError(f"plugin '{impl.plugin_name}' failed in {hook_name}: {type(exc).__name__}: {exc};"
                                   " the command was rolled back, nothing changed") from exc
                self.warn(f"plugin '{impl.plugin_name}' failed in {hook_name}: {type(exc).__name__}: {exc}")
                continue
            if result is not None:
                yield result

    def call_each(self, hook_name: str, savepoint: Callable[[str], Any] | None = None, *, strict: bool = False,
                  **kwargs) -> list:
        """Call every implementation of ``hook_name``, isolating failures.

        Each implementation runs on its own (inside a savepoint when ``savepoint`` is
        given, so a failing plugin's writes are undone); one that raises is named in a
        warning and the others still run; a :class:`crm.errors.BadInput` stops the
        command.  With ``strict`` a failing plugin stops the command instead (exit 1,
        naming it).  Returns the non-None results in call order.
        """
        return list(self._results(hook_name, savepoint, kwargs, strict))

    def call_first(self, hook_name: str, savepoint: Callable[[str], Any] | None = None, **kwargs) -> Any:
        """Like :meth:`call_each` for a ``firstresult`` service hook: the first answer wins."""
        return next(self._results(hook_name, savepoint, kwargs), None)


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
