"""roomkit-sse: ``SSESource``, an event source that reads a Server-Sent Events stream.

Importing this package is cheap: the source (and httpx) load on first use.
``from roomkit.sources import SSESource`` resolves here when the plugin is installed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from roomkit.lazy import lazy_exports
from roomkit_sse.version import __version__

_EXPORTS: dict[str, str] = {
    "SSESource": "roomkit_sse.source",
    "SSESourceConfig": "roomkit_sse.config",
}

__all__ = ["SSESource", "SSESourceConfig", "__version__"]

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())

if TYPE_CHECKING:
    from roomkit_sse.config import SSESourceConfig
    from roomkit_sse.source import SSESource
