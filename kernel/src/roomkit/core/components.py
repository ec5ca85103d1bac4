"""Turning the constructor's component arguments into instances.

A component may be given as an instance, as ``None`` (the in-memory default), or as a plugin
name (``store="sqlite"``) resolved through ``roomkit.plugins.factory.create_component`` with
its ``<kind>_config`` mapping. The plugin machinery is imported only when a name is used.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from roomkit.errors import ConfigurationError
from roomkit.plugins.kinds import KIT_KINDS as COMPONENT_KINDS

__all__ = ["COMPONENT_KINDS", "resolve_component", "split_config_entry"]


def resolve_component(kind: str, value: Any, config: Mapping[str, Any] | None) -> Any:
    """``value`` itself, or the component a plugin registers under the name ``value``."""
    if isinstance(value, str):
        # lazy: plugin discovery (entry points, pluggy) only when a component is named
        from roomkit.plugins.factory import create_component

        return create_component(kind, value, dict(config or {}))
    if config:
        raise ConfigurationError(
            f"{kind}_config is only used with a plugin name (e.g. {kind}='name'), "
            f"not with an instance"
        )
    return value


def split_config_entry(kind: str, entry: Any) -> tuple[Any, dict[str, Any] | None]:
    """Read one ``from_config`` entry: ``"name"``, ``{"name": ..., "config": {...}}`` or None."""
    if entry is None or isinstance(entry, str):
        return entry, None
    if isinstance(entry, Mapping):
        name = entry.get("name")
        if not isinstance(name, str) or not name:
            raise ConfigurationError(f"{kind}: a mapping entry needs a non-empty 'name'")
        unknown = set(entry) - {"name", "config"}
        if unknown:
            raise ConfigurationError(f"{kind}: unknown keys {sorted(unknown)}")
        config = entry.get("config") or {}
        if not isinstance(config, Mapping):
            raise ConfigurationError(f"{kind}: 'config' must be a mapping")
        return name, dict(config)
    raise ConfigurationError(
        f"{kind}: expected a plugin name or {{'name': ..., 'config': {{...}}}}, got {entry!r}"
    )
