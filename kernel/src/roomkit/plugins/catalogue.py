"""The catalogue: every installed component, by kind and name, and every plugin-exported name.

Built once per process on first use (:func:`get_catalogue`) from plugin discovery. Building it
imports plugin modules only; a component's own module is imported when it is created or when
one of its exported names is looked up (:func:`resolve_export`).
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from roomkit.errors import PluginError
from roomkit.plugins.descriptors import ComponentDescriptor
from roomkit.plugins.kinds import COMPONENT_KINDS
from roomkit.plugins.known import KNOWN_EXPORTS, install_hint
from roomkit.plugins.manager import DiscoveryOptions, PluginRecord, discover
from roomkit.plugins.missing import missing_name

__all__ = [
    "Catalogue",
    "Conflict",
    "Provided",
    "get_catalogue",
    "reset_catalogue",
    "resolve_export",
]


@dataclass(frozen=True)
class Provided:
    """A component descriptor together with the plugin that registered it."""

    plugin: PluginRecord
    descriptor: ComponentDescriptor


@dataclass(frozen=True)
class Conflict:
    """A component ``kind``/``name`` (or an exported name) claimed by more than one plugin."""

    what: str
    plugins: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.what} is provided by several plugins: {', '.join(self.plugins)}"


class Catalogue:
    """What the installed plugins provide, and what went wrong while finding them."""

    def __init__(self, records: Iterable[PluginRecord]) -> None:
        self._records = tuple(records)
        self._components: dict[tuple[str, str], list[Provided]] = {}
        self._exports: dict[str, list[Provided]] = {}
        for record in self._records:
            if not record.ok:
                continue
            for descriptor in record.components:
                provided = Provided(record, descriptor)
                self._components.setdefault((descriptor.kind, descriptor.name), []).append(provided)
                for export in descriptor.exports:
                    self._exports.setdefault(export, []).append(provided)

    @classmethod
    def load(
        cls,
        *,
        autoload: bool | None = None,
        block: Iterable[str] = (),
        strict: bool | None = None,
        modules: Mapping[str, ModuleType | str] | None = None,
    ) -> Catalogue:
        """Discover plugins and build a catalogue.

        ``autoload``, ``block`` and ``strict`` default to the environment variables
        ``ROOMKIT_DISABLE_PLUGIN_AUTOLOAD``, ``ROOMKIT_PLUGINS_BLOCK`` and
        ``ROOMKIT_PLUGINS_STRICT``; ``modules`` registers extra plugin modules by name. In strict
        mode any plugin problem or conflict raises :class:`~roomkit.errors.PluginError`.
        """
        options = DiscoveryOptions(
            autoload=autoload, block=frozenset(block), strict=strict, modules=modules or {}
        )
        catalogue = cls(discover(options))
        if options.resolved_strict():
            problems = catalogue.problems()
            if problems:
                raise PluginError(
                    "plugin problems (strict mode):\n" + "\n".join(f"- {p}" for p in problems)
                )
        return catalogue

    @property
    def plugins(self) -> tuple[PluginRecord, ...]:
        """Every plugin found, healthy or not, in discovery order."""
        return self._records

    def plugin(self, name: str) -> PluginRecord:
        """The record of plugin ``name``; :class:`PluginError` if there is none."""
        for record in self._records:
            if record.name == name:
                return record
        installed = ", ".join(r.name for r in self._records) or "none"
        raise PluginError(f"plugin {name!r} is not installed; installed: {installed}")

    def components(self, kind: str | None = None) -> list[Provided]:
        """Every available component, optionally of one kind, sorted by kind and name."""
        found = [
            provided
            for (component_kind, _), providers in self._components.items()
            if kind is None or component_kind == kind
            for provided in providers
        ]
        return sorted(found, key=lambda p: (p.descriptor.kind, p.descriptor.name))

    def names(self, kind: str) -> list[str]:
        """The sorted names of the available components of ``kind``."""
        return sorted({name for (k, name) in self._components if k == kind})

    def find(self, kind: str, name: str) -> Provided | None:
        """The component ``kind``/``name``; ``None`` if absent, PluginError if ambiguous."""
        providers = self._components.get((kind, name))
        if not providers:
            return None
        if len(providers) > 1:
            plugins = ", ".join(p.plugin.name for p in providers)
            raise PluginError(
                f"{kind} {name!r} is provided by several plugins ({plugins}); block all but one "
                "with ROOMKIT_PLUGINS_BLOCK=<name>"
            )
        return providers[0]

    def exports(self) -> dict[str, Provided]:
        """Plugin-exported public names (first provider of each), sorted."""
        return {name: providers[0] for name, providers in sorted(self._exports.items())}

    def conflicts(self) -> list[Conflict]:
        """Components and exported names that more than one plugin claims."""
        found = [
            Conflict(f"{kind} {name!r}", tuple(p.plugin.name for p in providers))
            for (kind, name), providers in sorted(self._components.items())
            if len(providers) > 1
        ]
        found.extend(
            Conflict(f"export {name!r}", tuple(p.plugin.name for p in providers))
            for name, providers in sorted(self._exports.items())
            if len({p.plugin.name for p in providers}) > 1
        )
        return found

    def problems(self) -> list[str]:
        """Human-readable problems: unhealthy plugins (except blocked ones) and conflicts."""
        problems = [
            f"plugin {r.name!r} is {r.status}: {r.error}"
            for r in self._records
            if r.status not in ("ok", "blocked")
        ]
        problems.extend(str(conflict) for conflict in self.conflicts())
        return problems

    def resolve_export(self, name: str) -> Any:
        """Import and return the plugin-exported object ``name``.

        A known first-party name whose plugin is missing or unhealthy raises
        :class:`~roomkit.plugins.missing.PluginNotInstalledError` naming the distribution (an
        ImportError under ``from roomkit import``, an AttributeError otherwise, so ``hasattr``
        is False); a name nobody provides raises AttributeError.
        """
        providers = self._exports.get(name)
        if providers:
            return _import_export(name, providers[0])
        distribution = KNOWN_EXPORTS.get(name)
        if distribution is None:
            raise AttributeError(f"module 'roomkit' has no attribute {name!r}")
        for record in self._records:
            declared = record.info.distribution if record.info else record.distribution
            if declared == distribution and not record.ok:
                raise missing_name(
                    f"{name} is provided by {distribution}, which is installed but "
                    f"{record.status}: {record.error}",
                    name=name,
                    distribution=distribution,
                )
        raise missing_name(
            f"{name} is provided by the {distribution} plugin, which is not installed; "
            f"{install_hint(distribution)}",
            name=name,
            distribution=distribution,
        )

    def check_kind(self, kind: str) -> None:
        """Raise PluginError unless ``kind`` is a component kind the kernel knows."""
        if kind not in COMPONENT_KINDS:
            raise PluginError(
                f"unknown component kind {kind!r}; kinds: {', '.join(COMPONENT_KINDS)}"
            )


def _import_export(name: str, provided: Provided) -> Any:
    """``name`` from the factory's module, else from the config model's module."""
    refs = [provided.descriptor.factory, provided.descriptor.config_model]
    modules = list(dict.fromkeys(ref.partition(":")[0] for ref in refs if ref))
    for module_name in modules:
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            raise ImportError(
                f"{name} comes from plugin {provided.plugin.name!r} but importing "
                f"{module_name} failed: {exc}",
                name=module_name,
            ) from exc
        if hasattr(module, name):
            return getattr(module, name)
    raise ImportError(
        f"plugin {provided.plugin.name!r} declares export {name!r} but "
        f"{' and '.join(modules)} have no such attribute",
        name=modules[0],
    )


_lock = threading.RLock()
_catalogue: Catalogue | None = None
_building = threading.local()


def get_catalogue(*, reload: bool = False) -> Catalogue:
    """The process-wide catalogue, discovered on first use (or again with ``reload=True``)."""
    global _catalogue
    with _lock:
        if _catalogue is None or reload:
            if getattr(_building, "active", False):
                raise PluginError(
                    "the plugin catalogue is being built; a plugin module must not look up "
                    "components or plugin-exported names while it is imported"
                )
            _building.active = True
            try:
                _catalogue = Catalogue.load()
            finally:
                _building.active = False
        return _catalogue


def reset_catalogue(catalogue: Catalogue | None = None) -> None:
    """Forget the process-wide catalogue (or replace it), e.g. after installing a plugin."""
    global _catalogue
    with _lock:
        _catalogue = catalogue


def resolve_export(name: str) -> Any:
    """Resolve a plugin-exported public name of ``roomkit`` (used by ``roomkit.__getattr__``)."""
    if getattr(_building, "active", False):
        raise AttributeError(f"module 'roomkit' has no attribute {name!r} (plugins are loading)")
    return get_catalogue().resolve_export(name)
