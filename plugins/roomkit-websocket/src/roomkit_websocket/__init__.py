"""roomkit-websocket: ``WebSocketSource``, an event source that reads a WebSocket stream.

Importing this package is cheap: the source (and the websockets library) load on first use.
``from roomkit.sources import WebSocketSource`` resolves here when the plugin is installed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from roomkit.lazy import lazy_exports
from roomkit_websocket.version import __version__

_EXPORTS: dict[str, str] = {
    "WebSocketSource": "roomkit_websocket.source",
    "WebSocketSourceConfig": "roomkit_websocket.config",
}

__all__ = ["WebSocketSource", "WebSocketSourceConfig", "__version__"]

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())

if TYPE_CHECKING:
    from roomkit_websocket.config import WebSocketSourceConfig
    from roomkit_websocket.source import WebSocketSource
