"""Voice backends: the audio transports (SIP, RTP, WebRTC, local sound card ...)."""

from __future__ import annotations

import inspect
import logging
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable
from typing import Any

from roomkit.errors import AudioFormatError, VoiceSessionError
from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.base import (
    AudioChunk,
    AudioPlayedCallback,
    AudioReceivedCallback,
    BargeInCallback,
    SessionReadyCallback,
    SpeakerChangeCallback,
    TransportDisconnectCallback,
    VoiceCapability,
    VoiceSession,
    VoiceSessionState,
)

__all__ = [
    "AudioPlayedCallback",
    "AudioReceivedCallback",
    "BargeInCallback",
    "SessionReadyCallback",
    "SpeakerChangeCallback",
    "TransportDisconnectCallback",
    "VoiceBackend",
]

logger = logging.getLogger("roomkit.voice.backend")


class _Registry:
    """Sessions, callbacks and input gates of one backend."""

    def __init__(self) -> None:
        self.sessions: dict[str, VoiceSession] = {}
        self.callbacks: dict[str, list[Callable[..., Any]]] = {
            "audio_received": [],
            "session_ready": [],
            "barge_in": [],
            "disconnected": [],
            "speaker_change": [],
            "audio_played": [],
        }
        self.muted: set[str] = set()
        self.gated: set[str] = set()
        self.trace_emitter: Callable[..., Any] | None = None


class VoiceBackend(ABC):
    """Moves audio between callers and RoomKit.

    A backend implements :meth:`send_audio` and :meth:`disconnect`, plus :meth:`connect` if it
    can open sessions itself (outbound calls, a local sound card); backends that only receive
    sessions (incoming SIP calls) announce them with :meth:`track_session` and
    :meth:`deliver_session_ready`. Inbound audio is handed to RoomKit with
    :meth:`deliver_audio`, which validates the frame, applies mute/gate and awaits every
    ``on_audio_received`` callback in order. The base class keeps the session registry and
    the callback lists; call ``super().__init__()``.

    Never block the event loop: socket and device I/O is async or runs in a thread.
    """

    def __init__(self) -> None:
        self._voice = _Registry()

    @property
    def _registry(self) -> _Registry:
        registry = self.__dict__.get("_voice")
        if registry is None:  # a subclass that did not call super().__init__()
            registry = self.__dict__["_voice"] = _Registry()
        return registry

    # -- what the backend is ----------------------------------------------------------------

    @property
    def name(self) -> str:
        """A short name for logs (the class name unless overridden)."""
        return type(self).__name__

    @property
    def capabilities(self) -> VoiceCapability:
        """What the transport does itself (``NATIVE_AEC`` makes the pipeline skip its AEC ...)."""
        return VoiceCapability.NONE

    @property
    def feeds_aec_reference(self) -> bool:
        """Whether the backend feeds played audio to the AEC itself (at playback time)."""
        return False

    @property
    def supports_playback_callback(self) -> bool:
        """Whether ``on_audio_played`` callbacks fire as audio is actually played."""
        return False

    # -- the contract -----------------------------------------------------------------------

    async def connect(
        self,
        room_id: str,
        participant_id: str,
        channel_id: str,
        *,
        metadata: dict[str, Any] | None = None,
    ) -> VoiceSession:
        """Open a session for a participant (backends that can place calls override this)."""
        raise VoiceSessionError(
            f"{self.name} cannot open sessions itself; its sessions arrive from the transport"
        )

    @abstractmethod
    async def disconnect(self, session: VoiceSession) -> None:
        """End ``session`` (idempotent); implementations finish with :meth:`untrack_session`."""

    @abstractmethod
    async def send_audio(
        self, session: VoiceSession, audio: bytes | AsyncIterator[AudioChunk]
    ) -> None:
        """Play PCM16 ``audio`` (bytes, or a stream of chunks) to ``session``."""

    async def close(self) -> None:
        """Disconnect every session and release the transport."""
        for session in list(self._registry.sessions.values()):
            try:
                await self.disconnect(session)
            except Exception:
                logger.exception("%s: disconnecting session %s failed", self.name, session.id)

    # -- sessions ---------------------------------------------------------------------------

    def get_session(self, session_id: str) -> VoiceSession | None:
        """The live session with this id, if any."""
        return self._registry.sessions.get(session_id)

    def list_sessions(self, room_id: str) -> list[VoiceSession]:
        """The live sessions of a room."""
        return [s for s in self._registry.sessions.values() if s.room_id == room_id]

    def track_session(self, session: VoiceSession) -> VoiceSession:
        """Register a new live session (for :meth:`connect` or an incoming call)."""
        if session.state is VoiceSessionState.CONNECTING:
            session.state = VoiceSessionState.ACTIVE
        self._registry.sessions[session.id] = session
        return session

    def untrack_session(self, session: VoiceSession) -> bool:
        """Mark ``session`` ended and forget it; False if it was not live."""
        registry = self._registry
        known = registry.sessions.pop(session.id, None) is not None
        registry.muted.discard(session.id)
        registry.gated.discard(session.id)
        session.state = VoiceSessionState.ENDED
        return known

    def require_session(self, session: VoiceSession) -> VoiceSession:
        """Raise :class:`~roomkit.errors.VoiceSessionError` unless ``session`` is live here."""
        if self._registry.sessions.get(session.id) is not session or not session.is_active:
            raise VoiceSessionError(
                f"voice session {session.id!r} is not live on {self.name} (ended or unknown)"
            )
        return session

    # -- callbacks --------------------------------------------------------------------------

    def on_audio_received(self, callback: AudioReceivedCallback) -> None:
        """``callback(session, frame)`` for each inbound frame."""
        self._registry.callbacks["audio_received"].append(callback)

    def on_session_ready(self, callback: SessionReadyCallback) -> None:
        """``callback(session)`` when a session's audio path is live."""
        self._registry.callbacks["session_ready"].append(callback)

    def on_barge_in(self, callback: BargeInCallback) -> None:
        """``callback(session)`` when the transport detects speech over playback."""
        self._registry.callbacks["barge_in"].append(callback)

    def on_client_disconnected(self, callback: TransportDisconnectCallback) -> None:
        """``callback(session)`` when the remote side hangs up or the connection drops."""
        self._registry.callbacks["disconnected"].append(callback)

    def on_speaker_change(self, callback: SpeakerChangeCallback) -> None:
        """``callback(session, speaker)`` when the transport reports a new speaker."""
        self._registry.callbacks["speaker_change"].append(callback)

    def on_audio_played(self, callback: AudioPlayedCallback) -> None:
        """``callback(session, frame)`` as outbound frames are played (if supported)."""
        self._registry.callbacks["audio_played"].append(callback)

    def set_trace_emitter(self, emitter: Callable[..., Any] | None) -> None:
        """Set a callable receiving protocol traces (SIP messages ...), or ``None``."""
        self._registry.trace_emitter = emitter

    async def deliver_audio(self, session: VoiceSession, frame: AudioFrame) -> None:
        """Hand an inbound frame to the ``on_audio_received`` callbacks (dropped while the
        session is muted or gated, and once it has ended or is not live on this backend)."""
        if not isinstance(frame, AudioFrame):
            raise AudioFormatError(
                f"inbound audio must be an AudioFrame, got {type(frame).__name__}"
            )
        registry = self._registry
        if registry.sessions.get(session.id) is not session or not session.is_active:
            return
        if session.id in registry.muted or session.id in registry.gated:
            return
        await self._fire("audio_received", session, frame)

    async def deliver_session_ready(self, session: VoiceSession) -> None:
        """Tell the ``on_session_ready`` callbacks that ``session`` is live."""
        await self._fire("session_ready", session)

    async def deliver_barge_in(self, session: VoiceSession) -> None:
        """Tell the ``on_barge_in`` callbacks the caller spoke over playback."""
        await self._fire("barge_in", session)

    async def deliver_disconnected(self, session: VoiceSession) -> None:
        """Tell the ``on_client_disconnected`` callbacks the remote side went away."""
        await self._fire("disconnected", session)

    async def deliver_speaker_change(self, session: VoiceSession, speaker: Any) -> None:
        """Tell the ``on_speaker_change`` callbacks about a new speaker."""
        await self._fire("speaker_change", session, speaker)

    async def deliver_audio_played(self, session: VoiceSession, frame: AudioFrame) -> None:
        """Tell the ``on_audio_played`` callbacks a frame was played."""
        await self._fire("audio_played", session, frame)

    async def _fire(self, kind: str, *args: Any) -> None:
        for callback in list(self._registry.callbacks[kind]):
            try:
                result = callback(*args)
                if inspect.isawaitable(result):
                    await result
            except Exception:
                logger.exception("%s: %s callback failed", self.name, kind)

    # -- playback and input control (defaults for transports without them) -------------------

    async def cancel_audio(self, session: VoiceSession) -> bool:
        """Stop playback to ``session``; True if something was playing."""
        return False

    def is_playing(self, session: VoiceSession) -> bool:
        """Whether audio is being played to ``session``."""
        return False

    def interrupt(self, session: VoiceSession) -> None:  # noqa: B027 - optional hook
        """Flush queued outbound audio of ``session`` (barge-in)."""

    def end_of_response(self, session: VoiceSession) -> None:  # noqa: B027
        """The current response's audio is complete (for outbound pacing)."""

    async def accept(self, session: VoiceSession, connection: Any) -> None:
        """Bind an external connection (a WebSocket ...) to ``session``."""
        raise VoiceSessionError(f"{self.name} does not accept external connections")

    def set_input_muted(self, session: VoiceSession, muted: bool) -> None:
        """Mute or unmute the caller: muted input is dropped by :meth:`deliver_audio`."""
        _toggle(self._registry.muted, session.id, muted)

    def set_input_gated(self, session: VoiceSession, gated: bool) -> None:
        """Gate input (primary-speaker mode): gated input is dropped like muted input."""
        _toggle(self._registry.gated, session.id, gated)

    async def send_transcription(  # noqa: B027 - optional hook
        self, session: VoiceSession, text: str, role: str = "user"
    ) -> None:
        """Show a transcript on the client, if the transport has a UI channel."""


def _toggle(ids: set[str], session_id: str, on: bool) -> None:
    if on:
        ids.add(session_id)
    else:
        ids.discard(session_id)
