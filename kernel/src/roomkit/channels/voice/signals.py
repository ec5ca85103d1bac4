"""What a voice channel hands the room: transcripts as inbound messages, DTMF presses and
recordings as stored (not broadcast) events of their own type."""

from __future__ import annotations

import logging
from typing import Any

from roomkit.channels.voice.runtime import VoiceRuntime
from roomkit.channels.voice.session import LiveSession
from roomkit.models.content import SystemContent, TextContent
from roomkit.models.enums import EventType
from roomkit.models.event import InboundMessage
from roomkit.voice.auth import auth_context
from roomkit.voice.base import TranscriptionResult, VoiceSession
from roomkit.voice.events import DTMFDetectedEvent, RecordingStartedEvent

__all__ = ["route_transcript", "store_signal"]

logger = logging.getLogger("roomkit.channels.voice")


async def route_transcript(
    rt: VoiceRuntime, live: LiveSession, text: str, result: TranscriptionResult
) -> None:
    """Send a complete turn to the room as the caller's inbound message (the session's
    ``metadata["auth"]`` is the :data:`~roomkit.voice.auth.auth_context` meanwhile)."""
    engine = rt.hooks.engine
    session = live.session
    if engine is None:
        logger.warning("voice channel %s is not registered; transcript dropped", rt.channel_id)
        return
    metadata: dict[str, Any] = {"voice_session_id": session.id}
    if result.confidence is not None:
        metadata["stt_confidence"] = result.confidence
    language = result.language or rt.room_languages.get(live.room_id)
    if language:
        metadata["language"] = language
    message = InboundMessage(
        channel_id=rt.channel_id,
        sender_id=session.participant_id,
        content=TextContent(body=text),
        metadata=metadata,
    )
    auth = session.metadata.get("auth")
    token = auth_context.set(auth if isinstance(auth, dict) else None)
    try:
        await engine.process_inbound(message, room_id=live.room_id)
    except Exception as exc:
        await rt.report("routing a transcript", exc, session, live.room_id)
    finally:
        auth_context.reset(token)


async def store_signal(rt: VoiceRuntime, session: VoiceSession, room_id: str, event: Any) -> None:
    """Store a DTMF press or a recording start/stop as a room event (visibility ``none``)."""
    engine = rt.hooks.engine
    if engine is None:
        return
    if isinstance(event, DTMFDetectedEvent):
        kind, body = EventType.DTMF, f"DTMF {event.digit}"
        data: dict[str, Any] = {"digit": event.digit, "duration_ms": event.duration_ms}
    elif isinstance(event, RecordingStartedEvent):
        kind, body, data = EventType.RECORDING_STARTED, "recording started", {"id": event.id}
    else:
        kind, body = EventType.RECORDING_STOPPED, "recording stopped"
        data = {"id": event.id, "urls": list(event.urls), "seconds": event.duration_seconds}
    try:
        await engine.send_event(
            room_id,
            SystemContent(body=body, code=str(kind), data=data),
            channel_id=rt.channel_id,
            event_type=kind,
            participant_id=session.participant_id,
            visibility="none",
            metadata={"session_id": session.id},
            run_hooks=False,
        )
    except Exception as exc:
        await rt.report(f"storing {kind}", exc, session, room_id)
