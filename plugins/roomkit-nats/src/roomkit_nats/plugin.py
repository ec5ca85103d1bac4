"""Registers the NATS JetStream source (imports nothing heavy)."""

from __future__ import annotations

from roomkit.plugins import ComponentDescriptor, PluginInfo, Register, hookimpl
from roomkit_nats.version import __version__

__all__ = ["roomkit_plugin_info", "roomkit_register_sources"]


@hookimpl
def roomkit_plugin_info() -> PluginInfo:
    """Plugin metadata."""
    return PluginInfo(
        name="nats",
        distribution="roomkit-nats",
        version=__version__,
        kernel_api=">=1,<2",
        description="A NATS JetStream event source (durable consumer, at-least-once)",
    )


@hookimpl
def roomkit_register_sources(register: Register) -> None:
    """``nats`` as an event source."""
    register(
        ComponentDescriptor(
            kind="source",
            name="nats",
            factory="roomkit_nats.source:NATSSource",
            config_model="roomkit_nats.config:NATSSourceConfig",
            capabilities=frozenset({"reconnects", "rejects_garbage"}),
            exports=("NATSSource",),
            conformance="roomkit_nats.testing:conformance_source",
            description="Pulls from a durable JetStream consumer; acks after the event is stored",
        )
    )
