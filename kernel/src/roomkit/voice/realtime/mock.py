"""A scripted realtime voice provider and an in-memory realtime transport, for tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from roomkit.errors import VoiceSessionError
from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.backends.mock import MockVoiceBackend
from roomkit.voice.base import VoiceSession
from roomkit.voice.realtime.provider import RealtimeVoiceProvider

__all__ = ["MockRealtimeCall", "MockRealtimeProvider", "MockRealtimeTransport"]


@dataclass
class MockRealtimeCall:
    """One call made to :class:`MockRealtimeProvider`."""

    method: str
    session_id: str
    args: dict[str, Any] = field(default_factory=dict)


class MockRealtimeProvider(RealtimeVoiceProvider):
    """Records every call (``calls``, ``sent_audio``); ``simulate_*`` plays the model's side.

    ``sessions`` holds the settings each live session was connected with.
    """

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[MockRealtimeCall] = []
        self.sent_audio: list[tuple[str, bytes]] = []
        self.sessions: dict[str, dict[str, Any]] = {}

    @property
    def name(self) -> str:
        return "MockRealtimeProvider"

    def _live(self, session: VoiceSession) -> None:
        if session.id not in self.sessions:
            raise VoiceSessionError(f"realtime session {session.id!r} is not connected")

    async def connect(
        self,
        session: VoiceSession,
        *,
        system_prompt: str | None = None,
        voice: str | None = None,
        tools: list[dict[str, Any]] | None = None,
        temperature: float | None = None,
        input_sample_rate: int = 16000,
        output_sample_rate: int = 24000,
        server_vad: bool = True,
        provider_config: dict[str, Any] | None = None,
    ) -> None:
        settings = {
            "system_prompt": system_prompt,
            "voice": voice,
            "tools": tools,
            "temperature": temperature,
            "input_sample_rate": input_sample_rate,
            "output_sample_rate": output_sample_rate,
            "server_vad": server_vad,
            "provider_config": provider_config,
        }
        self.sessions[session.id] = settings
        self.calls.append(MockRealtimeCall("connect", session.id, settings))

    async def send_audio(self, session: VoiceSession, audio: bytes) -> None:
        self._live(session)
        AudioFrame(bytes(audio))  # the PCM16 check a real provider applies
        self.sent_audio.append((session.id, bytes(audio)))

    async def inject_text(self, session: VoiceSession, text: str, *, role: str = "user") -> None:
        self._live(session)
        self.calls.append(MockRealtimeCall("inject_text", session.id, {"text": text, "role": role}))

    async def submit_tool_result(self, session: VoiceSession, call_id: str, result: str) -> None:
        self._live(session)
        self.calls.append(
            MockRealtimeCall(
                "submit_tool_result", session.id, {"call_id": call_id, "result": result}
            )
        )

    async def interrupt(self, session: VoiceSession) -> None:
        self.calls.append(MockRealtimeCall("interrupt", session.id))

    async def reconfigure(
        self,
        session: VoiceSession,
        *,
        system_prompt: str | None = None,
        voice: str | None = None,
        tools: list[dict[str, Any]] | None = None,
        temperature: float | None = None,
        provider_config: dict[str, Any] | None = None,
    ) -> None:
        self._live(session)
        changes = {
            "system_prompt": system_prompt,
            "voice": voice,
            "tools": tools,
            "temperature": temperature,
            "provider_config": provider_config,
        }
        changes = {k: v for k, v in changes.items() if v is not None}
        self.sessions[session.id].update(changes)
        self.calls.append(MockRealtimeCall("reconfigure", session.id, changes))

    async def send_event(self, session: VoiceSession, event: dict[str, Any]) -> None:
        self._live(session)
        self.calls.append(MockRealtimeCall("send_event", session.id, dict(event)))

    async def disconnect(self, session: VoiceSession) -> None:
        self.sessions.pop(session.id, None)
        self.calls.append(MockRealtimeCall("disconnect", session.id))

    async def close(self) -> None:
        self.sessions.clear()

    # -- the model's side ------------------------------------------------------------------
    async def simulate_audio(self, session: VoiceSession, audio: bytes) -> None:
        """The model speaks ``audio``."""
        await self.emit("audio", session, audio)

    async def simulate_transcription(
        self, session: VoiceSession, text: str, role: str = "assistant", is_final: bool = True
    ) -> None:
        """A transcript of the user (``role="user"``) or of the model."""
        await self.emit("transcription", session, text, role, is_final)

    async def simulate_speech_start(self, session: VoiceSession) -> None:
        """The provider's VAD heard the user start speaking."""
        await self.emit("speech_start", session)

    async def simulate_speech_end(self, session: VoiceSession) -> None:
        """The user stopped speaking."""
        await self.emit("speech_end", session)

    async def simulate_tool_call(
        self,
        session: VoiceSession,
        call_id: str,
        name: str,
        arguments: dict[str, Any] | None = None,
    ) -> None:
        """The model calls a tool."""
        await self.emit("tool_call", session, call_id, name, dict(arguments or {}))

    async def simulate_response_start(self, session: VoiceSession) -> None:
        """The model starts a response."""
        await self.emit("response_start", session)

    async def simulate_response_end(self, session: VoiceSession) -> None:
        """The model finished a response."""
        await self.emit("response_end", session)

    async def simulate_error(self, session: VoiceSession, code: str, message: str) -> None:
        """The provider reports an error."""
        await self.emit("error", session, code, message)


class MockRealtimeTransport(MockVoiceBackend):
    """The caller's side of a realtime session in memory: ``accept`` binds a session to a
    (fake) connection; ``simulate_client_audio`` / ``simulate_client_disconnect`` act as the
    caller; ``sent_messages`` records :meth:`send_message`."""

    def __init__(self) -> None:
        super().__init__()
        self.sent_messages: list[tuple[str, Any]] = []
        self.connections: dict[str, Any] = {}

    @property
    def name(self) -> str:
        return "MockRealtimeTransport"

    async def accept(self, session: VoiceSession, connection: Any) -> None:
        self.connections[session.id] = connection
        self.track_session(session)

    async def send_message(self, session: VoiceSession, message: Any) -> None:
        """Send a control / text message to the client."""
        self.require_session(session)
        self.sent_messages.append((session.id, message))

    async def simulate_client_audio(self, session: VoiceSession, audio: bytes) -> None:
        """The caller speaks ``audio`` (PCM16, 16 kHz mono)."""
        await self.deliver_audio(session, AudioFrame(bytes(audio)))

    async def simulate_client_disconnect(self, session: VoiceSession) -> None:
        """The caller hangs up."""
        self.connections.pop(session.id, None)
        await self.simulate_disconnect(session)
