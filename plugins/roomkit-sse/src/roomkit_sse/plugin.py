"""Registers the Server-Sent Events source (imports nothing heavy)."""

from __future__ import annotations

from roomkit.plugins import ComponentDescriptor, PluginInfo, Register, hookimpl
from roomkit_sse.version import __version__

__all__ = ["roomkit_plugin_info", "roomkit_register_sources"]


@hookimpl
def roomkit_plugin_info() -> PluginInfo:
    """Plugin metadata."""
    return PluginInfo(
        name="sse",
        distribution="roomkit-sse",
        version=__version__,
        kernel_api=">=1,<2",
        description="An event source reading a Server-Sent Events stream",
    )


@hookimpl
def roomkit_register_sources(register: Register) -> None:
    """``sse`` as an event source."""
    register(
        ComponentDescriptor(
            kind="source",
            name="sse",
            factory="roomkit_sse.source:SSESource",
            config_model="roomkit_sse.config:SSESourceConfig",
            capabilities=frozenset({"reconnects", "rejects_garbage"}),
            exports=("SSESource",),
            conformance="roomkit_sse.testing:conformance_source",
            description="Reads events from a Server-Sent Events endpoint (httpx-sse)",
        )
    )
