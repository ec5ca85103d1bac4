"""Plugin discovery: load every plugin in isolation and ask it what it provides.

Discovery walks the ``roomkit.plugins`` entry-point group with stevedore, one plugin at a time,
so that a plugin that fails to import, fails pluggy's hookimpl validation, registers nonsense,
or targets another kernel plugin API is *reported* (a :class:`PluginRecord` with a status and a
reason) and skipped, never fatal. Plugins that pass are registered into one pluggy
``PluginManager`` of the ``roomkit`` project.

Only plugin modules (``roomkit_<name>.plugin``) are imported here. Component modules and vendor
SDKs are named by lazy ``"module:attr"`` references and imported when a component is created.
"""

from __future__ import annotations

import difflib
import importlib
import importlib.metadata
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from types import ModuleType
from typing import Any, Literal

import pluggy
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version
from pydantic import ValidationError
from stevedore import ExtensionManager, NamedExtensionManager

from roomkit.plugins import hookspecs
from roomkit.plugins.api import (
    DISABLE_AUTOLOAD_ENV,
    ENTRY_POINT_GROUP,
    PLUGIN_API_VERSION,
    PLUGINS_BLOCK_ENV,
    PLUGINS_STRICT_ENV,
)
from roomkit.plugins.descriptors import ComponentDescriptor, PluginInfo
from roomkit.plugins.markers import PROJECT_NAME

__all__ = [
    "BUILTIN_MODULE",
    "BUILTIN_NAME",
    "DiscoveryOptions",
    "PluginRecord",
    "PluginStatus",
    "discover",
    "env_flag",
    "env_list",
    "new_plugin_manager",
]

PluginStatus = Literal["ok", "broken", "incompatible", "invalid", "blocked"]

BUILTIN_NAME = "builtin"
BUILTIN_MODULE = "roomkit.plugins.builtin"


@dataclass(frozen=True)
class PluginRecord:
    """What discovery learnt about one plugin.

    ``status`` is ``"ok"`` (registered), ``"broken"`` (its module or a hook raised),
    ``"invalid"`` (it breaks the plugin contract: bad hookimpl, unknown hook, bad descriptor),
    ``"incompatible"`` (its ``kernel_api`` range excludes this kernel) or ``"blocked"``
    (named in the block list; never imported). ``error`` says why when it is not ok.
    ``load_ms`` is the time spent importing the plugin module and calling its hooks.
    """

    name: str
    module: str
    status: PluginStatus
    distribution: str | None = None
    dist_version: str | None = None
    error: str | None = None
    info: PluginInfo | None = None
    components: tuple[ComponentDescriptor, ...] = ()
    load_ms: float = 0.0

    @property
    def ok(self) -> bool:
        """Whether the plugin is registered and its components are available."""
        return self.status == "ok"

    @property
    def version(self) -> str | None:
        """The plugin's version (from its metadata hook, else its distribution)."""
        return self.info.version if self.info is not None else self.dist_version

    @property
    def kernel_api(self) -> str | None:
        """The kernel plugin-API range the plugin declares, if it got that far."""
        return self.info.kernel_api if self.info is not None else None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (used by ``roomkit plugins list --json``)."""
        return {
            "name": self.name,
            "module": self.module,
            "distribution": self.info.distribution if self.info else self.distribution,
            "version": self.version,
            "kernel_api": self.kernel_api,
            "status": self.status,
            "error": self.error,
            "components": [f"{c.kind}:{c.name}" for c in self.components],
            "load_ms": round(self.load_ms, 2),
        }


@dataclass(frozen=True)
class DiscoveryOptions:
    """How to discover plugins; ``None`` fields fall back to the environment variables."""

    autoload: bool | None = None
    block: frozenset[str] = field(default_factory=frozenset)
    strict: bool | None = None
    modules: Mapping[str, ModuleType | str] = field(default_factory=dict)

    def resolved_autoload(self) -> bool:
        """Autoload unless disabled here or by ``ROOMKIT_DISABLE_PLUGIN_AUTOLOAD=1``."""
        if self.autoload is not None:
            return self.autoload
        return not env_flag(DISABLE_AUTOLOAD_ENV)

    def resolved_block(self) -> frozenset[str]:
        """The block list: this option plus ``ROOMKIT_PLUGINS_BLOCK``."""
        return self.block | frozenset(env_list(PLUGINS_BLOCK_ENV))

    def resolved_strict(self) -> bool:
        """Strict if asked here or by ``ROOMKIT_PLUGINS_STRICT=1``."""
        if self.strict is not None:
            return self.strict
        return env_flag(PLUGINS_STRICT_ENV)


def env_flag(name: str) -> bool:
    """Whether environment variable ``name`` is set to a true value (1, true, yes, on)."""
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str) -> list[str]:
    """The comma-separated, non-empty items of environment variable ``name``."""
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def new_plugin_manager() -> pluggy.PluginManager:
    """A pluggy manager of the ``roomkit`` project with the kernel's hookspecs."""
    pm = pluggy.PluginManager(PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    return pm


class _PluginProblem(Exception):
    def __init__(self, status: PluginStatus, message: str) -> None:
        super().__init__(message)
        self.status = status


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _distributions() -> dict[tuple[str, str], tuple[str, str]]:
    """Map ``(entry point name, value)`` to ``(distribution name, version)``."""
    found: dict[tuple[str, str], tuple[str, str]] = {}
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        dist = ep.dist
        if dist is not None:
            found.setdefault((ep.name, ep.value), (dist.metadata["Name"], dist.version))
    return found


def _load_entry_point(name: str) -> list[tuple[str, ModuleType | None, str | None]]:
    """Load the entry point(s) called ``name``: ``(value, module or None, error)`` each."""
    failures: list[tuple[str, str]] = []

    def on_failure(
        _manager: ExtensionManager[Any], ep: importlib.metadata.EntryPoint, err: BaseException
    ) -> None:
        failures.append((ep.value, _describe(err)))

    try:
        manager: NamedExtensionManager[Any] = NamedExtensionManager(
            ENTRY_POINT_GROUP,
            names=[name],
            on_load_failure_callback=on_failure,
            on_missing_entrypoints_callback=None,
        )
    except (Exception, SystemExit) as exc:  # an assert or sys.exit() at import time
        return [("?", None, _describe(exc))]
    loaded: list[tuple[str, ModuleType | None, str | None]] = []
    for ext in manager.extensions:
        if isinstance(ext.plugin, ModuleType):
            loaded.append((ext.entry_point.value, ext.plugin, None))
        else:
            message = "entry point must name a module (roomkit_<name>.plugin), not an object"
            loaded.append((ext.entry_point.value, None, message))
    loaded.extend((value, None, error) for value, error in failures)
    return loaded


def _import_module(value: ModuleType | str) -> tuple[str, ModuleType | None, str | None]:
    if isinstance(value, ModuleType):
        return value.__name__, value, None
    try:
        return value, importlib.import_module(value), None
    except (Exception, SystemExit) as exc:
        return value, None, _describe(exc)


def _check_hookimpls(pm: pluggy.PluginManager, module: ModuleType, name: str) -> None:
    known = set(hookspecs.FAMILY_KINDS) | {"roomkit_plugin_info"}
    for caller in pm.get_hookcallers(module) or []:
        if not caller.has_spec():
            guess = difflib.get_close_matches(caller.name, sorted(known), n=1)
            hint = f"; did you mean {guess[0]!r}?" if guess else ""
            raise _PluginProblem("invalid", f"unknown hook {caller.name!r}{hint}")
    for attr, value in vars(module).items():
        if (
            attr in known
            and callable(value)
            and getattr(value, f"{PROJECT_NAME}_impl", None) is None
        ):
            raise _PluginProblem(
                "invalid", f"function {attr!r} is not decorated with @roomkit.plugins.hookimpl"
            )


def _impls(pm: pluggy.PluginManager, hook: str, module: ModuleType) -> list[Any]:
    caller = getattr(pm.hook, hook)
    return [impl for impl in caller.get_hookimpls() if impl.plugin is module]


def _call(impl: Any, **kwargs: Any) -> Any:
    return impl.function(**{arg: kwargs[arg] for arg in impl.argnames})


def _plugin_info(pm: pluggy.PluginManager, module: ModuleType, name: str) -> PluginInfo:
    impls = _impls(pm, "roomkit_plugin_info", module)
    if not impls:
        raise _PluginProblem("invalid", "no roomkit_plugin_info() hookimpl")
    try:
        raw = _call(impls[0])
    except Exception as exc:
        raise _PluginProblem("broken", f"roomkit_plugin_info raised {_describe(exc)}") from exc
    try:
        info = raw if isinstance(raw, PluginInfo) else PluginInfo.model_validate(raw)
    except ValidationError as exc:
        raise _PluginProblem(
            "invalid", f"roomkit_plugin_info returned bad metadata: {exc}"
        ) from exc
    if info.name != name:
        raise _PluginProblem(
            "invalid",
            f"PluginInfo.name {info.name!r} differs from its entry point name {name!r}",
        )
    return info


def _check_api(info: PluginInfo) -> None:
    try:
        spec = SpecifierSet(info.kernel_api)
    except InvalidSpecifier as exc:
        raise _PluginProblem(
            "invalid", f"kernel_api {info.kernel_api!r} is not a PEP 440 specifier"
        ) from exc
    if not spec.contains(Version(PLUGIN_API_VERSION), prereleases=True):
        raise _PluginProblem(
            "incompatible",
            f"plugin supports kernel plugin API {info.kernel_api}; "
            f"this kernel provides {PLUGIN_API_VERSION}",
        )


def _components(pm: pluggy.PluginManager, module: ModuleType) -> tuple[ComponentDescriptor, ...]:
    collected: list[ComponentDescriptor] = []
    seen: set[tuple[str, str]] = set()
    for hook in hookspecs.REGISTRATION_HOOKS:
        allowed = hookspecs.FAMILY_KINDS[hook]
        for impl in _impls(pm, hook, module):
            register = _Collector(hook, allowed, seen, collected)
            try:
                _call(impl, register=register)
            except _PluginProblem:
                raise
            except Exception as exc:
                raise _PluginProblem("broken", f"{hook} raised {_describe(exc)}") from exc
    return tuple(collected)


class _Collector:
    """The ``register`` callable handed to one registration hook."""

    def __init__(
        self,
        hook: str,
        allowed: frozenset[str],
        seen: set[tuple[str, str]],
        sink: list[ComponentDescriptor],
    ) -> None:
        self._hook = hook
        self._allowed = allowed
        self._seen = seen
        self._sink = sink

    def __call__(self, descriptor: ComponentDescriptor) -> None:
        if not isinstance(descriptor, ComponentDescriptor):
            raise _PluginProblem(
                "invalid",
                f"{self._hook} registered a {type(descriptor).__name__}, "
                "expected a ComponentDescriptor",
            )
        if descriptor.kind not in self._allowed:
            raise _PluginProblem(
                "invalid",
                f"{self._hook} cannot register kind {descriptor.kind!r}; "
                f"it registers {', '.join(sorted(self._allowed))}",
            )
        key = (descriptor.kind, descriptor.name)
        if key in self._seen:
            raise _PluginProblem(
                "invalid", f"{descriptor.kind} {descriptor.name!r} registered twice"
            )
        bad = [name for name in descriptor.exports if not name.isidentifier()]
        if bad:
            raise _PluginProblem("invalid", f"exports are not identifiers: {', '.join(bad)}")
        self._seen.add(key)
        self._sink.append(descriptor)


def _register(
    pm: pluggy.PluginManager,
    name: str,
    value: str,
    module: ModuleType,
    dist: tuple[str, str] | None,
) -> PluginRecord:
    started = time.perf_counter()
    dist_name, dist_version = dist if dist else (None, None)
    info: PluginInfo | None = None
    try:
        try:
            pm.register(module, name=name)
        except pluggy.PluginValidationError as exc:
            raise _PluginProblem("invalid", f"hookimpl validation failed: {exc}") from exc
        except ValueError as exc:  # name or module already registered
            raise _PluginProblem("invalid", str(exc)) from exc
        try:
            _check_hookimpls(pm, module, name)
            info = _plugin_info(pm, module, name)
            _check_api(info)
            components = _components(pm, module)
        except _PluginProblem:
            pm.unregister(module)
            raise
    except _PluginProblem as problem:
        return PluginRecord(
            name=name,
            module=value,
            status=problem.status,
            distribution=dist_name,
            dist_version=dist_version,
            error=str(problem),
            info=info,
            load_ms=(time.perf_counter() - started) * 1000,
        )
    return PluginRecord(
        name=name,
        module=value,
        status="ok",
        distribution=dist_name,
        dist_version=dist_version,
        info=info,
        components=components,
        load_ms=(time.perf_counter() - started) * 1000,
    )


def _entry_point_names() -> list[tuple[str, str]]:
    names: dict[tuple[str, str], None] = {}
    ExtensionManager.ENTRY_POINT_CACHE.pop(ENTRY_POINT_GROUP, None)
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        names.setdefault((ep.name, ep.value), None)
    return sorted(names, key=lambda item: (item[0] != BUILTIN_NAME, item[0], item[1]))


def discover(
    options: DiscoveryOptions | None = None,
) -> tuple[pluggy.PluginManager, list[PluginRecord]]:
    """Find, load and check every plugin; return the manager and one record per plugin.

    Order: the built-in plugin first, then entry points by name, then ``options.modules``.
    """
    options = options or DiscoveryOptions()
    block = options.resolved_block()
    pm = new_plugin_manager()
    records: list[PluginRecord] = []
    dists = _distributions()

    candidates: list[tuple[str, Callable[[], list[tuple[str, ModuleType | None, str | None]]]]]
    candidates = []
    if options.resolved_autoload():
        seen_names: set[str] = set()
        for name, value in _entry_point_names():
            if name in seen_names:
                continue
            seen_names.add(name)
            candidates.append((name, _loader_for_entry_point(name, value)))
    else:
        candidates.append((BUILTIN_NAME, lambda: [_import_module(BUILTIN_MODULE)]))
    for name, target in options.modules.items():
        candidates.append((name, _loader_for_module(target)))

    for name, load in candidates:
        if name in block:
            value = _blocked_value(name, dists)
            dist = _dist_for(name, value, dists)
            records.append(
                PluginRecord(
                    name=name,
                    module=value,
                    status="blocked",
                    distribution=dist[0] if dist else None,
                    dist_version=dist[1] if dist else None,
                    error="blocked by configuration",
                )
            )
            continue
        started = time.perf_counter()
        results = load()
        import_ms = (time.perf_counter() - started) * 1000
        for value, loaded, error in results:
            dist = _dist_for(name, value, dists)
            if loaded is None:
                records.append(
                    PluginRecord(
                        name=name,
                        module=value,
                        status="broken",
                        distribution=dist[0] if dist else None,
                        dist_version=dist[1] if dist else None,
                        error=f"import failed: {error}",
                        load_ms=import_ms,
                    )
                )
                continue
            record = _register(pm, name, value, loaded, dist)
            records.append(replace(record, load_ms=record.load_ms + import_ms))
    return pm, records


def _loader_for_entry_point(
    name: str, value: str
) -> Callable[[], list[tuple[str, ModuleType | None, str | None]]]:
    def load() -> list[tuple[str, ModuleType | None, str | None]]:
        loaded = _load_entry_point(name)
        return loaded or [(value, None, "entry point could not be found")]

    return load


def _loader_for_module(
    target: ModuleType | str,
) -> Callable[[], list[tuple[str, ModuleType | None, str | None]]]:
    def load() -> list[tuple[str, ModuleType | None, str | None]]:
        return [_import_module(target)]

    return load


def _blocked_value(name: str, dists: Mapping[tuple[str, str], tuple[str, str]]) -> str:
    for ep_name, value in dists:
        if ep_name == name:
            return value
    return BUILTIN_MODULE if name == BUILTIN_NAME else "?"


def _dist_for(
    name: str, value: str, dists: Mapping[tuple[str, str], tuple[str, str]]
) -> tuple[str, str] | None:
    return dists.get((name, value))
