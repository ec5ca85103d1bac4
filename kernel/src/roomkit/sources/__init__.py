"""Event sources: long-lived connections that feed messages into the kit.

The contract (:class:`SourceProvider`, :class:`BaseSourceProvider`, :class:`SourceHealth`,
:class:`SourceStatus`, :data:`EmitCallback`) lives in the kernel; the kit supervises attached
sources (:meth:`roomkit.RoomKit.attach_source`). Concrete sources are plugins, importable from
here when installed, as in RoomKit 0.6.7: ``WebSocketSource`` (``roomkit-websocket``),
``SSESource`` (``roomkit-sse``), ``WhatsAppPersonalSourceProvider``
(``roomkit-whatsapp-personal``); the NATS JetStream source is ``roomkit_nats.NATSSource``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from roomkit.lazy import lazy_exports

__all__ = [
    "BaseSourceProvider",
    "EmitCallback",
    "MessageParser",
    "MockSourceProvider",
    "SourceHealth",
    "SourceProvider",
    "SourceStatus",
    "backoff_delay",
    "json_message",
]

_EXPORTS = {
    "BaseSourceProvider": "roomkit.sources.base",
    "EmitCallback": "roomkit.sources.base",
    "MessageParser": "roomkit.sources.parsing",
    "MockSourceProvider": "roomkit.sources.mock",
    "SourceHealth": "roomkit.sources.base",
    "SourceProvider": "roomkit.sources.base",
    "SourceStatus": "roomkit.sources.base",
    "backoff_delay": "roomkit.sources.base",
    "json_message": "roomkit.sources.parsing",
}

#: Names of plugin sources that resolve here when their plugin is installed.
PLUGIN_SOURCES = frozenset({"SSESource", "WebSocketSource", "WhatsAppPersonalSourceProvider"})


def _plugin_source(name: str) -> Any:
    if name not in PLUGIN_SOURCES:
        raise AttributeError(f"module 'roomkit.sources' has no attribute {name!r}")
    # lazy: the plugin catalogue (pluggy, entry points) only for plugin names
    from roomkit.plugins.catalogue import resolve_export

    return resolve_export(name)  # names the plugin to install when it is missing


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals(), fallback=_plugin_source)

if TYPE_CHECKING:
    from roomkit.sources.base import (
        BaseSourceProvider,
        EmitCallback,
        SourceHealth,
        SourceProvider,
        SourceStatus,
        backoff_delay,
    )
    from roomkit.sources.mock import MockSourceProvider
    from roomkit.sources.parsing import MessageParser, json_message
