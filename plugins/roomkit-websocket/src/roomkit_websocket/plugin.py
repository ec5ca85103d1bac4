"""Registers the WebSocket event source (imports nothing heavy)."""

from __future__ import annotations

from roomkit.plugins import ComponentDescriptor, PluginInfo, Register, hookimpl
from roomkit_websocket.version import __version__

__all__ = ["roomkit_plugin_info", "roomkit_register_sources"]


@hookimpl
def roomkit_plugin_info() -> PluginInfo:
    """Plugin metadata."""
    return PluginInfo(
        name="websocket",
        distribution="roomkit-websocket",
        version=__version__,
        kernel_api=">=1,<2",
        description="An event source reading a WebSocket stream",
    )


@hookimpl
def roomkit_register_sources(register: Register) -> None:
    """``websocket`` as an event source."""
    register(
        ComponentDescriptor(
            kind="source",
            name="websocket",
            factory="roomkit_websocket.source:WebSocketSource",
            config_model="roomkit_websocket.config:WebSocketSourceConfig",
            capabilities=frozenset({"reconnects", "rejects_garbage"}),
            exports=("WebSocketSource",),
            conformance="roomkit_websocket.testing:conformance_source",
            description="Reads messages from a WebSocket server (websockets)",
        )
    )
