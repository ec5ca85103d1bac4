"""Test doubles that ship with RoomKit, so applications test without patching anything.

``MockAIProvider`` answers from a script and records every request; ``MockIdentityResolver``
resolves senders from a table; ``MockTelemetryProvider`` keeps every span and metric. Names load
lazily on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from roomkit.lazy import lazy_exports

__all__ = ["MockAIProvider", "MockIdentityResolver", "MockTelemetryProvider"]

_WHERE = {
    "MockAIProvider": "roomkit.providers.ai.mock",
    "MockIdentityResolver": "roomkit.identity.mock",
    "MockTelemetryProvider": "roomkit.telemetry.mock",
}


__getattr__, __dir__ = lazy_exports(__name__, _WHERE, globals())


if TYPE_CHECKING:
    from roomkit.identity.mock import MockIdentityResolver
    from roomkit.providers.ai.mock import MockAIProvider
    from roomkit.telemetry.mock import MockTelemetryProvider
