"""Announcing a voice session to the engine as an inbound message."""

from __future__ import annotations

from typing import Any

from roomkit.errors import VoiceSessionError
from roomkit.models.content import SystemContent
from roomkit.models.enums import EventType
from roomkit.models.event import InboundMessage
from roomkit.voice.base import VoiceSession

__all__ = ["parse_voice_session"]


def parse_voice_session(
    session: VoiceSession, channel_id: str, *, metadata: dict[str, Any] | None = None
) -> InboundMessage:
    """The inbound message announcing ``session`` on ``channel_id``.

    ``kit.process_inbound(parse_voice_session(session, "voice"))`` routes it like any message
    (``room_router``, or the session's ``room_id``) and connects the session to that room
    through the channel's ``connect_session``; nothing is stored.
    """
    if not isinstance(session, VoiceSession):
        raise VoiceSessionError(f"expected a VoiceSession, got {type(session).__name__}")
    return InboundMessage(
        channel_id=channel_id,
        sender_id=session.participant_id,
        content=SystemContent(body="voice session started", code="session_started"),
        event_type=EventType.SYSTEM,
        room_id=session.room_id or None,
        metadata={**session.metadata, **(metadata or {}), "session_id": session.id},
        session=session,
    )
