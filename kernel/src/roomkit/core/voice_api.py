"""The kit's voice surface: default speech providers, voice sessions and realtime sessions.

``RoomKit(stt=..., tts=..., voice=...)`` sets the kit-wide speech-to-text and text-to-speech
providers and the default voice backend (used by :meth:`VoiceApiMixin.connect_voice` when the
channel has none). Sessions are opened by the channel's backend and bound to a room by the
channel (:meth:`~roomkit.channels.base.Channel.connect_session`), which fires
``ON_SESSION_STARTED``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, cast

from roomkit.errors import (
    ChannelNotFoundError,
    ConfigurationError,
    RoomNotFoundError,
    VoiceBackendNotConfiguredError,
    VoiceNotConfiguredError,
)
from roomkit.models.content import AudioContent
from roomkit.models.enums import ChannelCategory
from roomkit.models.event import InboundMessage, InboundResult

if TYPE_CHECKING:
    from roomkit.core.framework import RoomKit
    from roomkit.voice.audio_frame import AudioFrame
    from roomkit.voice.backends.base import VoiceBackend
    from roomkit.voice.base import AudioChunk, TranscriptionResult, VoiceSession
    from roomkit.voice.stt.base import STTProvider
    from roomkit.voice.tts.base import TTSProvider

__all__ = ["VoiceApiMixin", "check_voice_components"]

logger = logging.getLogger("roomkit")


def check_voice_components(stt: Any, tts: Any, voice: Any) -> None:
    """Raise :class:`~roomkit.errors.ConfigurationError` for a wrong kind of component."""
    if stt is None and tts is None and voice is None:
        return
    # lazy: the voice contracts load only for a kit given voice components
    from roomkit.voice.backends.base import VoiceBackend
    from roomkit.voice.stt.base import STTProvider  # lazy: as above
    from roomkit.voice.tts.base import TTSProvider  # lazy: as above

    for name, value, kind in (
        ("stt", stt, STTProvider),
        ("tts", tts, TTSProvider),
        ("voice", voice, VoiceBackend),
    ):
        if value is not None and not isinstance(value, kind):
            raise ConfigurationError(
                f"RoomKit {name} must be a {kind.__name__}, got {type(value).__name__}"
            )


class VoiceApiMixin:
    """Voice members of :class:`~roomkit.RoomKit`."""

    _stt: STTProvider | None
    _tts: TTSProvider | None
    _voice: VoiceBackend | None

    def _kit(self) -> RoomKit:
        return cast("RoomKit", self)

    @property
    def stt(self) -> STTProvider | None:
        """The kit's speech-to-text provider (``RoomKit(stt=...)``)."""
        return self._stt

    @property
    def tts(self) -> TTSProvider | None:
        """The kit's text-to-speech provider (``RoomKit(tts=...)``)."""
        return self._tts

    @property
    def voice(self) -> VoiceBackend | None:
        """The kit's default voice backend (``RoomKit(voice=...)``)."""
        return self._voice

    async def transcribe(
        self, audio: AudioContent | AudioChunk | AudioFrame
    ) -> TranscriptionResult:
        """Transcribe ``audio`` with the kit's STT provider."""
        if self._stt is None:
            raise VoiceNotConfiguredError("transcribe() needs RoomKit(stt=...)")
        return await self._stt.transcribe(audio)

    async def synthesize(self, text: str, *, voice: str | None = None) -> AudioContent:
        """Speak ``text`` with the kit's TTS provider (an inline WAV ``AudioContent``)."""
        if self._tts is None:
            raise VoiceNotConfiguredError("synthesize() needs RoomKit(tts=...)")
        return await self._tts.synthesize(text, voice=voice)

    async def connect_voice(
        self,
        room_id: str,
        participant_id: str,
        channel_id: str,
        *,
        metadata: dict[str, Any] | None = None,
        auto_greet: bool = False,
    ) -> VoiceSession:
        """Open a voice session for ``participant_id`` on the voice channel ``channel_id``
        (attached to ``room_id``) and bind it to the room; with ``auto_greet`` the room's
        agent greets the caller. Returns the session."""
        channel = self._kit().get_channel(channel_id)
        backend = getattr(channel, "backend", None) or self._voice
        if backend is None:
            raise VoiceBackendNotConfiguredError(
                f"channel {channel_id!r} has no voice backend and RoomKit(voice=...) is not set"
            )
        binding = await self._kit().get_binding(room_id, channel_id)
        session = await backend.connect(room_id, participant_id, channel_id, metadata=metadata)
        try:
            await channel.connect_session(session, room_id, binding)
        except BaseException:
            await backend.disconnect(session)
            raise
        if auto_greet:
            await self._greet(room_id)
        return session

    async def disconnect_voice(self, session: VoiceSession) -> None:
        """End a session opened with :meth:`connect_voice`."""
        channel = self._kit().get_channel(session.channel_id)
        await channel.disconnect_session(session, session.room_id)

    async def connect_realtime_voice(
        self,
        room_id: str,
        participant_id: str,
        channel_id: str,
        connection: Any,
        *,
        metadata: dict[str, Any] | None = None,
    ) -> Any:
        """Start a speech-to-speech session on the realtime voice channel ``channel_id`` for
        ``participant_id`` talking over ``connection``; returns the session."""
        channel = self._kit().get_channel(channel_id)
        start = getattr(channel, "start_session", None)
        if start is None:
            raise ConfigurationError(f"channel {channel_id!r} is not a realtime voice channel")
        await self._kit().get_binding(room_id, channel_id)
        return await start(room_id, participant_id, connection, metadata=metadata)

    async def disconnect_realtime_voice(self, session: Any) -> None:
        """End a session started with :meth:`connect_realtime_voice`."""
        channel = self._kit().get_channel(session.channel_id)
        end = getattr(channel, "end_session", None)
        if end is None:
            raise ConfigurationError(
                f"channel {session.channel_id!r} is not a realtime voice channel"
            )
        await end(session)

    async def connect_announced_session(
        self, message: InboundMessage, room_id: str | None = None
    ) -> InboundResult:
        """Connect ``message.session`` to its room through the message's channel; fires
        ``ON_SESSION_STARTED`` (through the channel). The room is ``room_id``, else the
        message's, else the one the kit's ``room_router`` picks; nothing is stored."""
        kit = self._kit()
        room_id = room_id or message.room_id
        if room_id is None and kit.room_router is not None:
            room_id = await kit.room_router(message)
        if room_id is None:
            raise RoomNotFoundError(
                "a session message needs a room: give room_id, set the session's room_id, or "
                "configure RoomKit(room_router=...)"
            )
        channel = kit.get_channel(message.channel_id)
        binding = await kit.get_binding(room_id, message.channel_id)
        await channel.connect_session(message.session, room_id, binding)
        return InboundResult(room_id=room_id)

    async def _greet(self, room_id: str) -> None:
        """The room's active agent (else its first agent with a greeting) greets."""
        context = await self._kit().build_context(room_id)
        # lazy: the conversation-state models are built only when a voice session greets
        from roomkit.models.conversation import get_conversation_state

        active = get_conversation_state(context.room).active_agent_id
        agents: list[Any] = []
        for binding in await self._kit().list_bindings(room_id):
            if binding.category is not ChannelCategory.INTELLIGENCE:
                continue
            try:
                channel = self._kit().get_channel(binding.channel_id)
            except ChannelNotFoundError:
                continue
            if getattr(channel, "greeting", None) and hasattr(channel, "generate_greeting"):
                agents.append(channel)
        agents.sort(key=lambda a: a.channel_id != active)
        for agent in agents:
            greeting = await agent.generate_greeting(context)
            if greeting is None:
                continue
            await self._kit().send_event(
                room_id,
                greeting.content,
                channel_id=agent.channel_id,
                participant_id=agent.channel_id,
                metadata=dict(greeting.metadata),
            )
            return
