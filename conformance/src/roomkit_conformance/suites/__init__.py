"""The conformance suites, one per component kind.

:data:`SUITES` maps a component kind to the ``"module:Class"`` of its suite; ``roomkit
conformance`` uses it to pick the suite for each installed component. ``audio_stage``
components name their role in their capabilities (``"vad"``, ``"denoiser"`` ...); its suite
runs the checks of the roles claimed.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["SUITES", "suite_for"]

SUITES: Mapping[str, str] = {
    "ai_provider": "roomkit_conformance.suites.ai_provider:AIProviderSuite",
    "audio_stage": "roomkit_conformance.suites.stage_roles:AudioStageSuite",
    "channel": "roomkit_conformance.suites.channel:ChannelSuite",
    "email_provider": "roomkit_conformance.suites.messaging:MessagingProviderSuite",
    "identity_resolver": "roomkit_conformance.suites.identity:IdentityResolverSuite",
    "lock_manager": "roomkit_conformance.suites.lock_manager:RoomLockManagerSuite",
    "messaging_provider": "roomkit_conformance.suites.messaging:MessagingProviderSuite",
    "rcs_provider": "roomkit_conformance.suites.messaging:MessagingProviderSuite",
    "realtime": "roomkit_conformance.suites.realtime:RealtimeBackendSuite",
    "realtime_voice": "roomkit_conformance.suites.realtime_voice:RealtimeVoiceProviderSuite",
    "sms_provider": "roomkit_conformance.suites.messaging:MessagingProviderSuite",
    "store": "roomkit_conformance.suites.store:ConversationStoreSuite",
    "stt": "roomkit_conformance.suites.stt:STTProviderSuite",
    "telemetry": "roomkit_conformance.suites.telemetry:TelemetryProviderSuite",
    "tool_provider": "roomkit_conformance.suites.tool_provider:ToolProviderSuite",
    "tts": "roomkit_conformance.suites.tts:TTSProviderSuite",
    "voice_backend": "roomkit_conformance.suites.voice_backend:VoiceBackendSuite",
}


def suite_for(kind: str) -> str | None:
    """The ``"module:Class"`` of the suite for ``kind``, or ``None`` if there is none yet."""
    return SUITES.get(kind)
