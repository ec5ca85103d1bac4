"""``RealtimeVoiceChannel``: a room's speech-to-speech channel (OpenAI Realtime, Gemini Live).

The caller's audio arrives through a transport (a :class:`~roomkit.voice.VoiceBackend`) and is
streamed to the realtime provider; the model's speech goes back through the transport. The
provider's transcripts become room events of this channel (``emit_transcription_events``), its
tool calls fire ``ON_REALTIME_TOOL_CALL`` and are answered by ``tool_handler``, and text
injected with :meth:`RealtimeVoiceChannel.inject_text` fires ``ON_REALTIME_TEXT_INJECTED``. On
an agent handoff the live sessions of the room are reconfigured (prompt, voice) in place.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Any

from roomkit.channels.base import Channel
from roomkit.errors import AudioFormatError, ConfigurationError, VoiceSessionError
from roomkit.models.content import SystemContent, TextContent
from roomkit.models.context import RoomContext
from roomkit.models.enums import (
    ChannelCategory,
    ChannelDirection,
    ChannelMediaType,
    ChannelType,
    EventType,
    HookTrigger,
)
from roomkit.models.event import EventSource, RoomEvent
from roomkit.models.hooks import ChannelOutput
from roomkit.models.room import ChannelBinding, ChannelCapabilities
from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.backends.base import VoiceBackend
from roomkit.voice.base import VoiceSession
from roomkit.voice.events import SessionStartedEvent
from roomkit.voice.realtime.events import (
    RealtimeErrorEvent,
    RealtimeSpeechEvent,
    RealtimeToolCallEvent,
    RealtimeTranscriptionEvent,
)
from roomkit.voice.realtime.provider import RealtimeVoiceProvider

if TYPE_CHECKING:
    from roomkit.channels.engine import RoomEngine

__all__ = ["RealtimeToolHandler", "RealtimeVoiceChannel"]

logger = logging.getLogger("roomkit.channels.realtime_voice")

#: ``async handler(session, name, arguments) -> result`` (a str, or anything JSON-encodable).
RealtimeToolHandler = Callable[[VoiceSession, str, dict[str, Any]], Awaitable[Any]]


class RealtimeVoiceChannel(Channel):
    """Speech-to-speech sessions between callers (``transport``) and a realtime ``provider``."""

    channel_type = ChannelType.REALTIME_VOICE
    category = ChannelCategory.TRANSPORT
    direction = ChannelDirection.BIDIRECTIONAL

    def __init__(
        self,
        channel_id: str,
        *,
        provider: RealtimeVoiceProvider,
        transport: VoiceBackend,
        system_prompt: str | None = None,
        voice: str | None = None,
        tools: list[dict[str, Any]] | None = None,
        temperature: float | None = None,
        input_sample_rate: int = 16000,
        output_sample_rate: int = 24000,
        transport_sample_rate: int | None = None,
        emit_transcription_events: bool = True,
        tool_handler: RealtimeToolHandler | None = None,
        mute_on_tool_call: bool = False,
        tool_result_max_length: int = 16384,
    ) -> None:
        super().__init__(channel_id)
        if not isinstance(provider, RealtimeVoiceProvider):
            raise ConfigurationError(
                "RealtimeVoiceChannel provider must be a RealtimeVoiceProvider"
            )
        if not isinstance(transport, VoiceBackend):
            raise ConfigurationError("RealtimeVoiceChannel transport must be a VoiceBackend")
        if tool_result_max_length <= 0:
            raise ConfigurationError("tool_result_max_length must be > 0")
        self._provider = provider
        self._transport = transport
        self._settings: dict[str, Any] = {
            "system_prompt": system_prompt,
            "voice": voice,
            "tools": tools,
            "temperature": temperature,
        }
        self._input_rate = input_sample_rate
        self._output_rate = output_sample_rate
        self._transport_rate = transport_sample_rate or input_sample_rate
        self._emit_transcripts = emit_transcription_events
        self._tool_handler = tool_handler
        self._mute_on_tool_call = mute_on_tool_call
        self._max_result = tool_result_max_length
        self._engine: RoomEngine | None = None
        self._sessions: dict[str, VoiceSession] = {}
        self._rooms: dict[str, str] = {}
        self._format_errors: set[str] = set()
        transport.on_audio_received(self._on_client_audio)
        transport.on_client_disconnected(self._on_client_gone)
        provider.on_audio(self._on_model_audio)
        provider.on_transcription(self._on_transcription)
        provider.on_speech_start(self._on_speech_start)
        provider.on_speech_end(self._on_speech_end)
        provider.on_tool_call(self._on_tool_call)
        provider.on_error(self._on_error)

    # -- what the channel is ---------------------------------------------------------------
    @property
    def provider(self) -> RealtimeVoiceProvider:
        """The speech-to-speech model."""
        return self._provider

    @property
    def tool_handler(self) -> RealtimeToolHandler | None:
        """What answers the model's tool calls."""
        return self._tool_handler

    @property
    def session_rooms(self) -> dict[str, str]:
        """Session id -> room id of the live sessions (a copy)."""
        return dict(self._rooms)

    @property
    def supports_streaming_delivery(self) -> bool:
        """Room events are injected whole."""
        return False

    def capabilities(self) -> ChannelCapabilities:
        """Audio and text."""
        return ChannelCapabilities(
            media_types=[ChannelMediaType.TEXT, ChannelMediaType.AUDIO], supports_audio=True
        )

    def on_register(self, engine: RoomEngine) -> None:
        """Keep the engine (hooks, transcripts)."""
        self._engine = engine

    def set_framework(self, framework: Any) -> None:
        """RoomKit 0.6.7's name of :meth:`on_register`."""
        self.on_register(framework)

    # -- sessions --------------------------------------------------------------------------
    async def start_session(
        self,
        room_id: str,
        participant_id: str,
        connection: Any,
        *,
        metadata: dict[str, Any] | None = None,
    ) -> VoiceSession:
        """Accept the caller's ``connection`` on the transport and open the model session."""
        session = VoiceSession.new(room_id, participant_id, self.channel_id, metadata=metadata)
        await self._transport.accept(session, connection)
        try:
            await self._open(session, room_id)
        except BaseException:
            await self._transport.disconnect(session)
            raise
        return session

    async def connect_session(self, session: Any, room_id: str, binding: ChannelBinding) -> None:
        """Open the model session of a session the transport already has."""
        if not isinstance(session, VoiceSession):
            raise VoiceSessionError(f"expected a VoiceSession, got {type(session).__name__}")
        await self._open(session, room_id)

    async def _open(self, session: VoiceSession, room_id: str) -> None:
        if session.id in self._sessions:
            raise VoiceSessionError(f"realtime session {session.id!r} is already open")
        await self._provider.connect(
            session,
            **self._settings,
            input_sample_rate=self._input_rate,
            output_sample_rate=self._output_rate,
        )
        self._sessions[session.id] = session
        self._rooms[session.id] = room_id
        event = SessionStartedEvent(
            room_id, self.channel_id, ChannelType.REALTIME_VOICE, session.participant_id, session
        )
        await self._fire(HookTrigger.ON_SESSION_STARTED, event, room_id)

    async def end_session(self, session: VoiceSession) -> None:
        """Close the model session and hang up the caller."""
        if self._sessions.pop(session.id, None) is None:
            return
        self._rooms.pop(session.id, None)
        self._format_errors.discard(session.id)
        try:
            await self._provider.disconnect(session)
        finally:
            if session.is_active:
                await self._transport.disconnect(session)

    async def disconnect_session(self, session: Any, room_id: str) -> None:
        """Same as :meth:`end_session`."""
        await self.end_session(session)

    def get_room_sessions(self, room_id: str) -> list[VoiceSession]:
        """The live sessions of ``room_id``."""
        return [self._sessions[sid] for sid, rid in self._rooms.items() if rid == room_id]

    def resolve_trace_room(self, session_id: str | None) -> str | None:
        """The room of a session's protocol traces."""
        return self._rooms.get(session_id or "")

    async def reconfigure_session(
        self,
        session: VoiceSession,
        *,
        system_prompt: str | None = None,
        voice: str | None = None,
        tools: list[dict[str, Any]] | None = None,
        temperature: float | None = None,
        provider_config: dict[str, Any] | None = None,
    ) -> None:
        """Change a live session's prompt, voice, tools ... without hanging up."""
        self._live(session)
        await self._provider.reconfigure(
            session,
            system_prompt=system_prompt,
            voice=voice,
            tools=tools,
            temperature=temperature,
            provider_config=provider_config,
        )

    async def inject_text(self, session: VoiceSession, text: str, *, role: str = "user") -> None:
        """Add text to the model's conversation; fires ``ON_REALTIME_TEXT_INJECTED``."""
        room_id = self._live(session)
        await self._provider.inject_text(session, text, role=role)
        event = RealtimeTranscriptionEvent(session, text, role, True)
        await self._fire(HookTrigger.ON_REALTIME_TEXT_INJECTED, event, room_id)

    async def apply_agent_handoff(
        self,
        room_id: str,
        agent: Channel,
        *,
        system_prompt: str | None = None,
        voice: str | None = None,
        greet: bool = False,
        language: str | None = None,
    ) -> None:
        """Reconfigure the room's sessions for the new agent; with ``greet``, have the model
        greet as it (the agent's ``greeting`` instruction is injected)."""
        greeting = getattr(agent, "greeting", None)
        for session in self.get_room_sessions(room_id):
            await self._provider.reconfigure(session, system_prompt=system_prompt, voice=voice)
            if greet and isinstance(greeting, str) and greeting:
                await self._provider.inject_text(session, greeting, role="system")

    async def set_language(self, room_id: str, language: str) -> None:
        """Tell the room's sessions to speak ``language``."""
        for session in self.get_room_sessions(room_id):
            await self._provider.inject_text(
                session, f"From now on, speak {language}.", role="system"
            )

    async def deliver(
        self, event: RoomEvent, binding: ChannelBinding, context: RoomContext
    ) -> ChannelOutput:
        """Messages of other channels in the room are injected into its sessions as text."""
        if event.source.channel_id == self.channel_id or event.type is not EventType.MESSAGE:
            return ChannelOutput.empty()
        text = self.extract_text(event)
        if text:
            for session in self.get_room_sessions(context.room.id):
                await self._provider.inject_text(session, text, role="user")
        return ChannelOutput.empty()

    async def deliver_stream(
        self,
        text_stream: AsyncIterator[str],
        event: RoomEvent,
        binding: ChannelBinding,
        context: RoomContext,
    ) -> ChannelOutput:
        """A streamed message is injected once it is complete (the model reads whole turns)."""
        text = "".join([piece async for piece in text_stream])
        if text and event.source.channel_id != self.channel_id:
            for session in self.get_room_sessions(context.room.id):
                await self._provider.inject_text(session, text, role="user")
        return ChannelOutput.empty()

    async def close(self) -> None:
        """End every session and close the provider."""
        for session in list(self._sessions.values()):
            await self.end_session(session)
        await self._provider.close()

    def _live(self, session: VoiceSession) -> str:
        room_id = self._rooms.get(getattr(session, "id", ""))
        if room_id is None:
            raise VoiceSessionError(
                f"realtime session {getattr(session, 'id', session)!r} is not open on "
                f"{self.channel_id!r}"
            )
        return room_id

    # -- audio -----------------------------------------------------------------------------
    async def _on_client_audio(self, session: VoiceSession, frame: AudioFrame) -> None:
        room_id = self._rooms.get(session.id)
        if room_id is None:
            return
        if frame.sample_rate != self._input_rate or frame.channels != 1:
            if session.id not in self._format_errors:
                self._format_errors.add(session.id)
                error = AudioFormatError(
                    f"realtime session {session.id!r}: the provider takes {self._input_rate} Hz "
                    f"mono, the transport sent {frame.sample_rate} Hz x {frame.channels}"
                )
                await self._report(error, session, room_id)
            return
        self._format_errors.discard(session.id)
        await self._provider.send_audio(session, frame.data)

    async def _on_model_audio(self, session: VoiceSession, audio: bytes) -> None:
        if session.id in self._sessions:
            await self._transport.send_audio(session, audio)

    async def _on_client_gone(self, session: VoiceSession) -> None:
        await self.end_session(session)

    # -- model events ----------------------------------------------------------------------
    async def _on_transcription(
        self, session: VoiceSession, text: str, role: str, is_final: bool
    ) -> None:
        room_id = self._rooms.get(session.id)
        if room_id is None or not text:
            return
        event = RealtimeTranscriptionEvent(session, text, role, is_final)
        trigger = HookTrigger.ON_TRANSCRIPTION if is_final else HookTrigger.ON_PARTIAL_TRANSCRIPTION
        await self._fire(trigger, event, room_id)
        if not is_final:
            return
        await self._transport.send_transcription(session, text, role)
        if self._emit_transcripts and self._engine is not None:
            inbound = role == "user"
            await self._engine.send_event(
                room_id,
                TextContent(body=text),
                channel_id=self.channel_id,
                participant_id=session.participant_id if inbound else None,
                metadata={"session_id": session.id, "role": role},
            )

    async def _on_speech_start(self, session: VoiceSession) -> None:
        room_id = self._rooms.get(session.id)
        if room_id is None:
            return
        self._transport.interrupt(session)  # the caller talks over the model: stop playback
        await self._fire(
            HookTrigger.ON_SPEECH_START, RealtimeSpeechEvent(session, "start"), room_id
        )

    async def _on_speech_end(self, session: VoiceSession) -> None:
        room_id = self._rooms.get(session.id)
        if room_id is not None:
            await self._fire(
                HookTrigger.ON_SPEECH_END, RealtimeSpeechEvent(session, "end"), room_id
            )

    async def _on_tool_call(
        self, session: VoiceSession, call_id: str, name: str, arguments: dict[str, Any]
    ) -> None:
        room_id = self._rooms.get(session.id)
        if room_id is None:
            return
        event = RealtimeToolCallEvent(session, call_id, name, arguments)
        await self._fire(HookTrigger.ON_REALTIME_TOOL_CALL, event, room_id)
        if self._mute_on_tool_call:
            self._transport.set_input_muted(session, True)
        try:
            if self._tool_handler is None:
                result: Any = {"error": f"no tool handler for {name!r}"}
            else:
                try:
                    result = await self._tool_handler(session, name, arguments)
                except Exception as exc:
                    await self._report(exc, session, room_id)
                    result = {"error": f"tool {name!r} failed: {type(exc).__name__}"}
            text = result if isinstance(result, str) else json.dumps(result, default=str)
            if len(text) > self._max_result:
                text = text[: self._max_result]
            if session.id in self._sessions:
                await self._provider.submit_tool_result(session, call_id, text)
        finally:
            if self._mute_on_tool_call:
                self._transport.set_input_muted(session, False)

    async def _on_error(self, session: VoiceSession, code: str, message: str) -> None:
        room_id = self._rooms.get(session.id)
        if room_id is not None:
            error = RealtimeErrorEvent(session, code, message)
            await self._report(RuntimeError(f"{code}: {message}"), session, room_id, error)

    # -- engine ----------------------------------------------------------------------------
    async def _fire(self, trigger: HookTrigger, payload: Any, room_id: str) -> None:
        if self._engine is None:
            return
        await self._engine.fire_hook(
            trigger, payload, room_id=room_id, metadata={"channel_id": self.channel_id}
        )

    async def _report(
        self, error: BaseException, session: VoiceSession, room_id: str, detail: Any = None
    ) -> None:
        logger.warning("realtime session %s: %r", session.id, error)
        if self._engine is None:
            return
        payload = RoomEvent(
            room_id=room_id,
            type=EventType.SYSTEM,
            source=EventSource(
                channel_id=self.channel_id,
                channel_type=ChannelType.REALTIME_VOICE,
                direction=ChannelDirection.INBOUND,
                participant_id=session.participant_id,
            ),
            content=SystemContent(body="realtime voice error", code="realtime_error"),
            metadata={"session_id": session.id},
        )
        context = await self._engine.build_context(room_id)
        await self._engine.report_error(
            f"realtime voice channel {self.channel_id}",
            error,
            payload,
            context,
            session_id=session.id,
            event=detail,
        )
