"""Plugin discovery: load every plugin in isolation and ask it what it provides.

Discovery reads the ``roomkit.plugins`` entry-point group once
(:func:`importlib.metadata.entry_points` gives each entry point with its distribution),
imports each plugin module on its own, and registers the healthy ones into one pluggy
``PluginManager`` of the ``roomkit`` project. The hooks are then called through pluggy, one
plugin at a time (a subset hook caller that leaves the other plugins out), so that a plugin
that fails to import, fails pluggy's hookimpl validation, raises in a hook, registers
nonsense, or targets another kernel plugin API is *reported* (a :class:`PluginRecord` with a
status and a reason) and skipped, never fatal, and never hides another plugin.

Only plugin modules (``roomkit_<name>.plugin``) are imported here. Component modules and vendor
SDKs are named by lazy ``"module:attr"`` references and imported when a component is created.
"""

from __future__ import annotations

import difflib
import importlib
import importlib.metadata
import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from types import ModuleType
from typing import Any, Literal

import pluggy
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version
from pydantic import ValidationError

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
    ``load_ms`` is the wall time spent importing the plugin module and calling its hooks,
    ``cpu_ms`` the CPU time of the same (what the plugin costs, whatever the machine's load),
    and ``imported`` the top-level modules that importing the plugin module added to
    ``sys.modules`` (a vendor SDK there means the plugin module imports it eagerly).
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
    cpu_ms: float = 0.0
    imported: tuple[str, ...] = ()

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
            "cpu_ms": round(self.cpu_ms, 2),
            "imported": list(self.imported),
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
        #: What was learnt before the problem (the plugin's metadata, if it got that far).
        self.record: PluginRecord | None = None


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


@dataclass(frozen=True)
class _Candidate:
    """A plugin to load: its name, what to import, and the distribution declaring it."""

    name: str
    value: str
    load: Callable[[], object]
    distribution: str | None = None
    dist_version: str | None = None


@dataclass
class _Cost:
    wall_ms: float = 0.0
    cpu_ms: float = 0.0
    imported: tuple[str, ...] = ()


def _top_level_modules() -> set[str]:
    return {name.partition(".")[0] for name in list(sys.modules)}


@contextmanager
def _measure(own_package: str) -> Iterator[_Cost]:
    """Time the block (wall and CPU) and note the top-level modules it imported."""
    cost = _Cost()
    before = _top_level_modules()
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        yield cost
    finally:
        cost.wall_ms = (time.perf_counter() - wall) * 1000
        cost.cpu_ms = (time.process_time() - cpu) * 1000
        added = _top_level_modules() - before - {own_package}
        cost.imported = tuple(sorted(name for name in added if not name.startswith("_")))


def _entry_point_candidates() -> list[_Candidate]:
    """One pass over the entry-point group: built-in first, then by name."""
    candidates = []
    seen: set[tuple[str, str]] = set()
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        if (ep.name, ep.value) in seen:  # the same distribution found twice on sys.path
            continue
        seen.add((ep.name, ep.value))
        dist = ep.dist
        candidates.append(
            _Candidate(
                name=ep.name,
                value=ep.value,
                load=ep.load,
                distribution=dist.metadata["Name"] if dist is not None else None,
                dist_version=dist.version if dist is not None else None,
            )
        )
    return sorted(candidates, key=lambda c: (c.name != BUILTIN_NAME, c.name, c.value))


def _module_candidate(name: str, target: ModuleType | str) -> _Candidate:
    if isinstance(target, ModuleType):
        return _Candidate(name=name, value=target.__name__, load=lambda: target)
    return _Candidate(name=name, value=target, load=lambda: importlib.import_module(target))


def discover(options: DiscoveryOptions | None = None) -> list[PluginRecord]:
    """Find, load and check every plugin; one record per plugin, healthy or not.

    Order: the built-in plugin first, then entry points by name, then ``options.modules``.
    """
    options = options or DiscoveryOptions()
    block = options.resolved_block()
    if options.resolved_autoload():
        candidates = _entry_point_candidates()
    else:
        candidates = [_module_candidate(BUILTIN_NAME, BUILTIN_MODULE)]
    candidates.extend(_module_candidate(n, t) for n, t in options.modules.items())

    pm = new_plugin_manager()
    records: list[PluginRecord] = []
    for candidate in candidates:
        record = PluginRecord(
            name=candidate.name,
            module=candidate.value,
            status="ok",
            distribution=candidate.distribution,
            dist_version=candidate.dist_version,
        )
        if candidate.name in block:
            records.append(replace(record, status="blocked", error="blocked by configuration"))
            continue
        own_package = candidate.value.partition(".")[0]
        with _measure(own_package) as cost:
            try:
                record = _load(pm, candidate, record)
            except _PluginProblem as problem:
                known = problem.record or record
                record = replace(known, status=problem.status, error=str(problem))
        records.append(
            replace(record, load_ms=cost.wall_ms, cpu_ms=cost.cpu_ms, imported=cost.imported)
        )
    return records


def _load(pm: pluggy.PluginManager, candidate: _Candidate, record: PluginRecord) -> PluginRecord:
    """Import, register and ask one plugin; raise _PluginProblem with what went wrong."""
    try:
        loaded = candidate.load()
    except (Exception, SystemExit) as exc:  # an assert or sys.exit() at import time
        raise _PluginProblem("broken", f"import failed: {_describe(exc)}") from exc
    if not isinstance(loaded, ModuleType):
        raise _PluginProblem(
            "broken", "entry point must name a module (roomkit_<name>.plugin), not an object"
        )
    try:
        pm.register(loaded, name=candidate.name)
    except pluggy.PluginValidationError as exc:
        raise _PluginProblem("invalid", f"hookimpl validation failed: {exc}") from exc
    except ValueError as exc:  # name or module already registered by another plugin
        raise _PluginProblem("invalid", str(exc)) from exc
    try:
        _check_hookimpls(pm, loaded)
        info = _plugin_info(pm, loaded, candidate.name)
        record = replace(record, info=info)
        _check_api(info)
        return replace(record, components=_components(pm, loaded))
    except _PluginProblem as problem:
        pm.unregister(loaded)
        problem.record = record
        raise


def _call(pm: pluggy.PluginManager, hook: str, plugin: ModuleType, **kwargs: Any) -> list[Any]:
    """Call ``hook`` of ``plugin`` alone, through pluggy (the other plugins are left out)."""
    others = [other for other in pm.get_plugins() if other is not plugin]
    caller = pm.subset_hook_caller(hook, remove_plugins=others)
    result: list[Any] = caller(**kwargs)
    return result


def _check_hookimpls(pm: pluggy.PluginManager, module: ModuleType) -> None:
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


def _plugin_info(pm: pluggy.PluginManager, module: ModuleType, name: str) -> PluginInfo:
    if not hasattr(module, "roomkit_plugin_info"):
        raise _PluginProblem("invalid", "no roomkit_plugin_info() hookimpl")
    try:
        results = _call(pm, "roomkit_plugin_info", module)
    except Exception as exc:
        raise _PluginProblem("broken", f"roomkit_plugin_info raised {_describe(exc)}") from exc
    if not results:
        raise _PluginProblem("invalid", "roomkit_plugin_info() returned None")
    raw = results[0]
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
    for hook, allowed in hookspecs.FAMILY_KINDS.items():
        if not hasattr(module, hook):
            continue
        register = _Collector(hook, allowed, seen, collected)
        try:
            _call(pm, hook, module, register=register)
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
