"""Registers the OpenTelemetry provider with RoomKit (imports nothing heavy)."""

from __future__ import annotations

from roomkit.plugins import ComponentDescriptor, PluginInfo, hookimpl
from roomkit.plugins.hookspecs import Register
from roomkit_opentelemetry.version import __version__

__all__ = ["roomkit_plugin_info", "roomkit_register_telemetry"]


@hookimpl
def roomkit_plugin_info() -> PluginInfo:
    """Describe the roomkit-opentelemetry distribution."""
    return PluginInfo(
        name="opentelemetry",
        distribution="roomkit-opentelemetry",
        version=__version__,
        kernel_api=">=1,<2",
        description="Spans, W3C trace context and metrics through OpenTelemetry",
    )


@hookimpl
def roomkit_register_telemetry(register: Register) -> None:
    """The ``opentelemetry`` telemetry provider."""
    register(
        ComponentDescriptor(
            kind="telemetry",
            name="opentelemetry",
            factory="roomkit_opentelemetry.provider:OpenTelemetryProvider",
            config_model="roomkit_opentelemetry.config:OpenTelemetryConfig",
            capabilities=frozenset({"records", "traces"}),
            exports=("OpenTelemetryProvider",),
            conformance="roomkit_opentelemetry.testing:otel_telemetry",
            description="OpenTelemetry spans (nested, W3C context) and derived metrics",
        )
    )
