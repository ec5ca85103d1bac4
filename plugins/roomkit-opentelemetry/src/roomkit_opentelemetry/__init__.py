"""roomkit-opentelemetry: RoomKit spans and metrics through OpenTelemetry.

Importing this package is cheap: the provider (and the OpenTelemetry SDK it uses) is imported
on first use, so listing plugins never pays for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from roomkit.lazy import lazy_exports
from roomkit_opentelemetry.version import __version__

_EXPORTS: dict[str, str] = {
    "OpenTelemetryConfig": "roomkit_opentelemetry.config",
    "OpenTelemetryProvider": "roomkit_opentelemetry.provider",
    "extract_context": "roomkit_opentelemetry.propagation",
    "inject_headers": "roomkit_opentelemetry.propagation",
}

__all__ = [
    "OpenTelemetryConfig",
    "OpenTelemetryProvider",
    "__version__",
    "extract_context",
    "inject_headers",
]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())


if TYPE_CHECKING:
    from roomkit_opentelemetry.config import OpenTelemetryConfig
    from roomkit_opentelemetry.propagation import extract_context, inject_headers
    from roomkit_opentelemetry.provider import OpenTelemetryProvider
