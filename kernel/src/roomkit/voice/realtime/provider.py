"""Speech-to-speech providers (OpenAI Realtime, Gemini Live ...): the contract.

A provider holds one live model connection per session. Audio goes in with
:meth:`RealtimeVoiceProvider.send_audio`; what the model does comes back through callbacks
(``on_audio``, ``on_transcription``, ``on_speech_start`` ...), which an implementation fires
with the ``emit_*`` helpers. Callbacks may be sync or async; one that raises is logged.
"""

from __future__ import annotations

import inspect
import logging
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

from roomkit.errors import ConfigurationError
from roomkit.voice.base import VoiceSession

__all__ = ["RealtimeVoiceProvider"]

logger = logging.getLogger("roomkit.voice.realtime")

_KINDS = (
    "audio",
    "transcription",
    "speech_start",
    "speech_end",
    "tool_call",
    "response_start",
    "response_end",
    "error",
)


class RealtimeVoiceProvider(ABC):
    """The contract of a speech-to-speech model. Implement :meth:`connect`,
    :meth:`send_audio`, :meth:`inject_text`, :meth:`submit_tool_result`, :meth:`interrupt`
    and :meth:`disconnect`; :meth:`reconfigure` defaults to reconnecting with the new
    settings. Keep all per-session state keyed by ``session.id``."""

    def __init__(self) -> None:
        self._callbacks: dict[str, list[Callable[..., Any]]] = {k: [] for k in _KINDS}

    @property
    def _cbs(self) -> dict[str, list[Callable[..., Any]]]:
        callbacks = self.__dict__.get("_callbacks")
        if callbacks is None:  # a subclass that did not call super().__init__()
            callbacks = self.__dict__["_callbacks"] = {k: [] for k in _KINDS}
        return callbacks

    @property
    def name(self) -> str:
        """A short name for logs (the class name unless overridden)."""
        return type(self).__name__

    # -- the contract ----------------------------------------------------------------------
    @abstractmethod
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
        """Open the model connection of ``session``."""

    @abstractmethod
    async def send_audio(self, session: VoiceSession, audio: bytes) -> None:
        """Stream caller audio (PCM16 at the input rate) to the model."""

    @abstractmethod
    async def inject_text(self, session: VoiceSession, text: str, *, role: str = "user") -> None:
        """Add text to the conversation (a message typed elsewhere, an instruction)."""

    @abstractmethod
    async def submit_tool_result(self, session: VoiceSession, call_id: str, result: str) -> None:
        """Answer the tool call ``call_id``."""

    @abstractmethod
    async def interrupt(self, session: VoiceSession) -> None:
        """Stop the model's current response."""

    @abstractmethod
    async def disconnect(self, session: VoiceSession) -> None:
        """Close the model connection of ``session`` (idempotent)."""

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
        """Change a live session's settings (default: reconnect with them)."""
        await self.disconnect(session)
        await self.connect(
            session,
            system_prompt=system_prompt,
            voice=voice,
            tools=tools,
            temperature=temperature,
            provider_config=provider_config,
        )

    async def send_event(self, session: VoiceSession, event: dict[str, Any]) -> None:
        """Send a raw provider protocol event (providers with such a protocol override)."""
        raise ConfigurationError(f"{self.name} takes no raw protocol events")

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Release every connection (optional)."""

    # -- callbacks -------------------------------------------------------------------------
    def on_audio(self, callback: Callable[..., Any]) -> None:
        """``callback(session, audio_bytes)``: model speech (PCM16 at the output rate)."""
        self._cbs["audio"].append(callback)

    def on_transcription(self, callback: Callable[..., Any]) -> None:
        """``callback(session, text, role, is_final)``."""
        self._cbs["transcription"].append(callback)

    def on_speech_start(self, callback: Callable[..., Any]) -> None:
        """``callback(session)``: the provider's VAD heard the user start speaking."""
        self._cbs["speech_start"].append(callback)

    def on_speech_end(self, callback: Callable[..., Any]) -> None:
        """``callback(session)``: the user stopped speaking."""
        self._cbs["speech_end"].append(callback)

    def on_tool_call(self, callback: Callable[..., Any]) -> None:
        """``callback(session, call_id, name, arguments)``."""
        self._cbs["tool_call"].append(callback)

    def on_response_start(self, callback: Callable[..., Any]) -> None:
        """``callback(session)``: the model started a response."""
        self._cbs["response_start"].append(callback)

    def on_response_end(self, callback: Callable[..., Any]) -> None:
        """``callback(session)``: the model finished a response."""
        self._cbs["response_end"].append(callback)

    def on_error(self, callback: Callable[..., Any]) -> None:
        """``callback(session, code, message)``."""
        self._cbs["error"].append(callback)

    async def emit(self, kind: str, *args: Any) -> None:
        """Call the ``kind`` callbacks in order (for implementations)."""
        for callback in list(self._cbs[kind]):
            try:
                result = callback(*args)
                if inspect.isawaitable(result):
                    await result
            except Exception:
                logger.exception("%s: %s callback failed", self.name, kind)
