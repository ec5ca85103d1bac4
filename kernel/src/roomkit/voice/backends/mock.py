"""An in-memory voice backend for tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.backends.base import VoiceBackend
from roomkit.voice.base import AudioChunk, VoiceCapability, VoiceSession

__all__ = ["MockVoiceBackend", "MockVoiceCall"]


@dataclass
class MockVoiceCall:
    """One call made to :class:`MockVoiceBackend` (``method`` and its main arguments)."""

    method: str
    args: dict[str, Any] = field(default_factory=dict)


class MockVoiceBackend(VoiceBackend):
    """Sessions in memory; audio out is recorded, audio in is simulated by the test.

    * ``calls``: every call (:class:`MockVoiceCall`); ``sent_audio``: ``(session_id,
      pcm)`` per :meth:`send_audio`; ``sent_transcriptions``: ``(session_id, text, role)``.
    * ``simulate_audio_received`` / ``simulate_session_ready`` / ``simulate_barge_in`` /
      ``simulate_disconnect`` drive the callbacks as a real transport would.
    * ``start_playing`` / ``stop_playing`` set what :meth:`is_playing` reports.
    """

    def __init__(self, *, capabilities: VoiceCapability = VoiceCapability.NONE) -> None:
        super().__init__()
        self._capabilities = capabilities
        self.calls: list[MockVoiceCall] = []
        self.sent_audio: list[tuple[str, bytes]] = []
        self.sent_transcriptions: list[tuple[str, str, str]] = []
        self._playing: set[str] = set()

    @property
    def name(self) -> str:
        return "MockVoiceBackend"

    @property
    def capabilities(self) -> VoiceCapability:
        return self._capabilities

    async def connect(
        self,
        room_id: str,
        participant_id: str,
        channel_id: str,
        *,
        metadata: dict[str, Any] | None = None,
    ) -> VoiceSession:
        self.calls.append(
            MockVoiceCall(
                "connect",
                {
                    "room_id": room_id,
                    "participant_id": participant_id,
                    "channel_id": channel_id,
                    "metadata": metadata,
                },
            )
        )
        return self.track_session(
            VoiceSession.new(room_id, participant_id, channel_id, metadata=metadata)
        )

    async def disconnect(self, session: VoiceSession) -> None:
        self.calls.append(MockVoiceCall("disconnect", {"session_id": session.id}))
        self._playing.discard(session.id)
        self.untrack_session(session)

    async def send_audio(
        self, session: VoiceSession, audio: bytes | AsyncIterator[AudioChunk]
    ) -> None:
        self.require_session(session)
        self.calls.append(MockVoiceCall("send_audio", {"session_id": session.id}))
        if isinstance(audio, bytes | bytearray):
            AudioFrame(bytes(audio))  # same PCM16 validation a real transport applies
            data = bytes(audio)
        else:
            data = b"".join([chunk.data async for chunk in audio])
        self.sent_audio.append((session.id, data))

    async def send_transcription(
        self, session: VoiceSession, text: str, role: str = "user"
    ) -> None:
        self.sent_transcriptions.append((session.id, text, role))

    async def cancel_audio(self, session: VoiceSession) -> bool:
        was_playing = session.id in self._playing
        self._playing.discard(session.id)
        self.calls.append(
            MockVoiceCall("cancel_audio", {"session_id": session.id, "was_playing": was_playing})
        )
        return was_playing

    def is_playing(self, session: VoiceSession) -> bool:
        return session.id in self._playing

    def start_playing(self, session: VoiceSession) -> None:
        """Report ``session`` as playing (for barge-in tests)."""
        self._playing.add(session.id)

    def stop_playing(self, session: VoiceSession) -> None:
        """Report ``session`` as no longer playing."""
        self._playing.discard(session.id)

    async def simulate_audio_received(self, session: VoiceSession, frame: AudioFrame) -> None:
        """Deliver ``frame`` as if the caller had spoken it."""
        await self.deliver_audio(session, frame)

    async def simulate_session_ready(self, session: VoiceSession) -> None:
        """Announce that ``session``'s audio path is live."""
        await self.deliver_session_ready(session)

    async def simulate_barge_in(self, session: VoiceSession) -> None:
        """Report the caller talking over playback."""
        self.calls.append(MockVoiceCall("on_barge_in", {"session_id": session.id}))
        await self.deliver_barge_in(session)

    async def simulate_disconnect(self, session: VoiceSession) -> None:
        """The caller hung up: the session ends and ``on_client_disconnected`` fires."""
        self._playing.discard(session.id)
        self.untrack_session(session)
        await self.deliver_disconnected(session)
