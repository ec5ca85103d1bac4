"""The conformance suites, one per component kind.

:data:`SUITES` maps a component kind to the ``"module:Class"`` of its suite; ``roomkit
conformance`` uses it to pick the suite for each installed component. Voice and audio kinds are
added by the modules that define their suites.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["SUITES", "suite_for"]

SUITES: Mapping[str, str] = {
    "ai_provider": "roomkit_conformance.suites.ai_provider:AIProviderSuite",
    "channel": "roomkit_conformance.suites.channel:ChannelSuite",
    "email_provider": "roomkit_conformance.suites.messaging:MessagingProviderSuite",
    "identity_resolver": "roomkit_conformance.suites.identity:IdentityResolverSuite",
    "lock_manager": "roomkit_conformance.suites.lock_manager:RoomLockManagerSuite",
    "messaging_provider": "roomkit_conformance.suites.messaging:MessagingProviderSuite",
    "rcs_provider": "roomkit_conformance.suites.messaging:MessagingProviderSuite",
    "realtime": "roomkit_conformance.suites.realtime:RealtimeBackendSuite",
    "sms_provider": "roomkit_conformance.suites.messaging:MessagingProviderSuite",
    "store": "roomkit_conformance.suites.store:ConversationStoreSuite",
    "telemetry": "roomkit_conformance.suites.telemetry:TelemetryProviderSuite",
    "tool_provider": "roomkit_conformance.suites.tool_provider:ToolProviderSuite",
}


def suite_for(kind: str) -> str | None:
    """The ``"module:Class"`` of the suite for ``kind``, or ``None`` if there is none yet."""
    return SUITES.get(kind)
