"""roomkit-nats: ``NATSSource``, a NATS JetStream event source (durable consumer,
acknowledged only after the kit stored the event).

Importing this package is cheap: the source (and nats-py) load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from roomkit.lazy import lazy_exports
from roomkit_nats.version import __version__

_EXPORTS: dict[str, str] = {
    "NATSSource": "roomkit_nats.source",
    "NATSSourceConfig": "roomkit_nats.config",
}

__all__ = ["NATSSource", "NATSSourceConfig", "__version__"]

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())

if TYPE_CHECKING:
    from roomkit_nats.config import NATSSourceConfig
    from roomkit_nats.source import NATSSource
