"""What the parts of a voice channel share: its providers, backend, pipeline, hooks and clock."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from roomkit.channels.voice.hooks import VoiceHooks
from roomkit.errors import ChannelNotFoundError
from roomkit.models.content import SystemContent
from roomkit.models.enums import ChannelDirection, ChannelType, EventType
from roomkit.models.event import EventSource, RoomEvent
from roomkit.voice.backends.base import VoiceBackend
from roomkit.voice.base import VoiceSession
from roomkit.voice.interruption import InterruptionConfig
from roomkit.voice.pipeline.engine import AudioPipeline
from roomkit.voice.stt.base import STTProvider
from roomkit.voice.tts.base import TTSProvider

__all__ = ["VoiceRuntime"]

logger = logging.getLogger("roomkit.channels.voice")


@dataclass
class VoiceRuntime:
    """The collaborators of one voice channel, handed to each session's player and turn taker.

    ``clock`` (seconds, monotonic) times turns and playback: tests pass a fake clock and never
    sleep. ``stt_timeout`` / ``tts_timeout`` bound each provider call (seconds).
    """

    channel_id: str
    stt: STTProvider | None
    tts: TTSProvider | None
    backend: VoiceBackend | None
    pipeline: AudioPipeline
    hooks: VoiceHooks
    interruption: InterruptionConfig
    clock: Callable[[], float]
    stt_timeout: float = 30.0
    tts_timeout: float = 30.0
    max_queued_utterances: int = 16
    voice_map: dict[str, str] = field(default_factory=dict)
    room_voices: dict[str, str] = field(default_factory=dict)
    room_languages: dict[str, str] = field(default_factory=dict)

    def source(self, session: VoiceSession, direction: ChannelDirection) -> EventSource:
        """The event source of something this channel says or hears in ``session``."""
        return EventSource(
            channel_id=self.channel_id,
            channel_type=ChannelType.VOICE,
            direction=direction,
            participant_id=session.participant_id,
        )

    async def report(
        self, stage: str, error: BaseException, session: VoiceSession, room_id: str
    ) -> None:
        """Log ``error`` and hand it to the ``ON_ERROR`` hooks of the session's room."""
        engine = self.hooks.engine
        logger.warning(
            "voice channel %s, session %s: %s failed: %r", self.channel_id, session.id, stage, error
        )
        if engine is None:
            return
        payload = RoomEvent(
            room_id=room_id,
            type=EventType.SYSTEM,
            source=self.source(session, ChannelDirection.INBOUND),
            content=SystemContent(body=f"voice {stage} failed", code="voice_error"),
            metadata={"session_id": session.id},
        )
        try:
            context = await engine.build_context(room_id)
        except Exception:  # the room is gone: logging is all that is left
            return
        await engine.report_error(
            f"voice channel {self.channel_id} {stage}",
            error,
            payload,
            context,
            session_id=session.id,
        )

    def voice_for(self, event: RoomEvent, room_id: str) -> str | None:
        """The TTS voice of ``event``: the voice map's entry for its author, else the author's
        own ``voice`` (an Agent's), else the voice the room's last handoff set, else ``None``
        (the TTS default)."""
        source = event.source.channel_id
        voice = self.voice_map.get(source)
        engine = self.hooks.engine
        if voice is None and engine is not None:
            try:
                declared = getattr(engine.get_channel(source), "voice", None)
            except ChannelNotFoundError:
                declared = None
            voice = declared if isinstance(declared, str) and declared else None
        return voice if voice is not None else self.room_voices.get(room_id)
