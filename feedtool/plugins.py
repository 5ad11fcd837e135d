"""Plugins by name: the enrichers and renderers ``feedtool.toml`` may list.

A name is looked up, in this order:

1. among the built-ins, which register themselves with ``@enricher`` /
   ``@renderer`` when their stage package (``feedtool.enrich``,
   ``feedtool.render``) is imported;
2. among the entry points of installed distributions, in the group
   ``feedtool.enrichers`` or ``feedtool.renderers``;
3. as a dotted name, ``package.module:function`` or ``package.module.function``.

A plugin says what must run before it: ``needs`` names plugins that must be
enabled and listed earlier, ``after`` ones that must be listed earlier when
they are enabled. ``check`` verifies a list once, at config load, so a bad
list fails before any article is read.

This module sits below every stage (it imports none of them by name at import
time); the stages register into ``ENRICHERS`` and ``RENDERERS`` defined here,
which is how ``feedtool.config`` checks names without importing a stage.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from feedtool.errors import ConfigError

#: The attribute a decorated function carries its declaration in.
_DECLARATION = "__feedtool_plugin__"


@dataclass(frozen=True, slots=True)
class Plugin:
    """A named enricher or renderer and what must run before it."""

    name: str
    function: Callable[..., Any]
    needs: tuple[str, ...] = ()
    after: tuple[str, ...] = ()


class Registry:
    """The plugins of one kind ('enricher' or 'renderer'), found by name."""

    def __init__(self, kind: str, group: str, builtins: str) -> None:
        self.kind = kind
        self.group = group
        self._builtins = builtins
        self._plugins: dict[str, Plugin] = {}
        self._checked: set[tuple[str, ...]] = set()
        # Bumped whenever ``_plugins`` changes: ``builtin_names`` is asked per
        # rendered page (which feeds and sections to link), so it is cached.
        self._version = 0
        self._builtin_names: tuple[tuple[int, int], tuple[str, ...]] | None = None

    def register(
        self, name: str, *, needs: Sequence[str] = (), after: Sequence[str] = ()
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """The decorator behind ``@enricher`` and ``@renderer``."""

        def add(function: Callable[..., Any]) -> Callable[..., Any]:
            plugin = Plugin(name, function, tuple(needs), tuple(after))
            self._plugins[name] = plugin
            self._version += 1
            setattr(function, _DECLARATION, plugin)
            return function

        return add

    def names(self) -> tuple[str, ...]:
        """The names registered so far: the built-ins, then plugins loaded by name."""
        self._load_builtins()
        return tuple(self._plugins)

    def builtin_names(self) -> tuple[str, ...]:
        """The names of feedtool's own plugins, in registration order."""
        self._load_builtins()
        cached = self._builtin_names
        key = (id(self._plugins), self._version)
        if cached is None or cached[0] != key:
            inside = self._builtins + "."
            cached = self._builtin_names = (
                key,
                tuple(
                    name
                    for name, plugin in self._plugins.items()
                    if getattr(plugin.function, "__module__", "").startswith(inside)
                ),
            )
        return cached[1]

    def get(self, name: str) -> Plugin:
        """The plugin called ``name``; ``ConfigError`` saying how to fix it when none is."""
        self._load_builtins()
        plugin = self._plugins.get(name)
        if plugin is None:
            plugin = self._plugins[name] = self._find(name)
            self._version += 1
        return plugin

    def __getitem__(self, name: str) -> Callable[..., Any]:
        return self.get(name).function

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        try:
            self.get(name)
        except ConfigError:
            return False
        return True

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def check(self, enabled: Sequence[str]) -> None:
        """Raise ``ConfigError`` unless every name loads and comes after what it needs."""
        key = tuple(enabled)
        if key in self._checked:
            return
        for position, name in enumerate(key):
            plugin = self.get(name)
            earlier = key[:position]
            for needed in plugin.needs:
                if needed not in earlier:
                    where = "earlier in the list" if needed in key else "in the list"
                    raise ConfigError(
                        f"{self.kind} {name!r} needs {needed!r} to run before it",
                        hint=f"put {needed!r} {where}, before {name!r}",
                    )
            for wanted in plugin.after:
                if wanted in key and wanted not in earlier:
                    raise ConfigError(
                        f"{self.kind} {name!r} must run after {wanted!r}",
                        hint=f"list {wanted!r} before {name!r}",
                    )
        self._checked.add(key)

    def _load_builtins(self) -> None:
        # The stage package registers its modules on import; imported by name so
        # that this module (and the config, which uses it) stays below the stages.
        importlib.import_module(self._builtins)

    def _find(self, name: str) -> Plugin:
        # Here, not at the top: only a name that is not built in is looked up,
        # and every build imports this module.
        from importlib.metadata import entry_points

        found = entry_points(group=self.group, name=name)
        try:
            if found:
                loaded = next(iter(found)).load()
            elif "." in name or ":" in name:
                module, _, attribute = name.rpartition(":") if ":" in name else name.rpartition(".")
                loaded = getattr(importlib.import_module(module), attribute)
            else:
                raise ConfigError(
                    f"unknown {self.kind} {name!r}",
                    hint=f"use some of {', '.join(sorted(self._plugins))}, an installed"
                    f" '{self.group}' entry point, or a dotted name 'package.module:function'",
                )
        except ConfigError:
            raise
        except Exception as exc:  # an import error is the plugin's: say which one
            raise ConfigError(
                f"cannot load {self.kind} {name!r}: {type(exc).__name__}: {exc}",
                hint="check that its package is installed and the name is right",
            ) from exc
        if not callable(loaded):
            raise ConfigError(
                f"{self.kind} {name!r} is not a function",
                hint="name the function itself: 'package.module:function'",
            )
        declared = getattr(loaded, _DECLARATION, None)
        if isinstance(declared, Plugin):
            return Plugin(name, loaded, declared.needs, declared.after)
        return Plugin(name, loaded)


def import_modules(package: str, path: Iterable[str]) -> None:
    """Import every public module of ``package``: how a stage registers its built-ins.

    A new built-in enricher or renderer is then one new module, nothing else.
    """
    for module in sorted(pkgutil.iter_modules(path), key=lambda m: m.name):
        if not module.name.startswith("_"):
            importlib.import_module(f"{package}.{module.name}")


ENRICHERS = Registry("enricher", "feedtool.enrichers", "feedtool.enrich")
RENDERERS = Registry("renderer", "feedtool.renderers", "feedtool.render")
