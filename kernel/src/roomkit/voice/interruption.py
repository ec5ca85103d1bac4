"""Barge-in policy: whether the user's speech during playback should cut the agent off.

:class:`InterruptionHandler` is a small decision object with no I/O: the voice channel asks it,
while speech overlaps playback, with what it knows (how far playback got, how long the user
has spoken, the transcript once there is one) and acts on the :class:`InterruptionDecision`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from roomkit.errors import ConfigurationError
from roomkit.voice.pipeline.backchannel.base import BackchannelContext, BackchannelDetector
from roomkit.voice.stage import bind_stage

__all__ = [
    "InterruptionConfig",
    "InterruptionDecision",
    "InterruptionHandler",
    "InterruptionStrategy",
]

logger = logging.getLogger("roomkit.voice.interruption")


class InterruptionStrategy(StrEnum):
    """How user speech during playback is handled.

    * ``IMMEDIATE``: any speech interrupts.
    * ``CONFIRMED``: speech interrupts once it lasted ``min_speech_ms``.
    * ``SEMANTIC``: a backchannel detector decides from the transcript; "uh-huh" does not
      interrupt. Without a detector it behaves as ``CONFIRMED``.
    * ``DISABLED``: playback is never interrupted.
    """

    IMMEDIATE = "immediate"
    CONFIRMED = "confirmed"
    SEMANTIC = "semantic"
    DISABLED = "disabled"


@dataclass
class InterruptionConfig:
    """Barge-in settings (RoomKit 0.6.7's fields).

    ``allow_during_first_ms``: speech in the first milliseconds of playback never interrupts.
    ``flush_partial_tts`` / ``keep_partial_transcript`` tell the channel to drop queued audio
    and to keep what was already said in the transcript when it interrupts.
    """

    strategy: InterruptionStrategy = InterruptionStrategy.CONFIRMED
    min_speech_ms: int = 300
    allow_during_first_ms: int = 0
    flush_partial_tts: bool = True
    keep_partial_transcript: bool = True
    backchannel_detector: BackchannelDetector | None = None

    def __post_init__(self) -> None:
        try:
            self.strategy = InterruptionStrategy(self.strategy)
        except ValueError:
            raise ConfigurationError(
                f"InterruptionConfig.strategy must be one of "
                f"{[s.value for s in InterruptionStrategy]}, got {self.strategy!r}"
            ) from None
        for name in ("min_speech_ms", "allow_during_first_ms"):
            value = getattr(self, name)
            if type(value) is not int or value < 0:
                raise ConfigurationError(f"InterruptionConfig.{name} must be an int >= 0")
        detector = self.backchannel_detector
        if detector is not None and not isinstance(detector, BackchannelDetector):
            raise ConfigurationError(
                "InterruptionConfig.backchannel_detector must be a BackchannelDetector"
            )


@dataclass(frozen=True)
class InterruptionDecision:
    """The verdict. ``pending``: SEMANTIC needs the transcript -- ask again when it arrives."""

    should_interrupt: bool
    is_backchannel: bool = False
    reason: str = ""
    pending: bool = False


class InterruptionHandler:
    """Decides barge-in for one session.

    Give each session its own handler; with ``session=`` the backchannel detector is bound
    to that session (its own instance, see :mod:`roomkit.voice.stage`).
    """

    def __init__(
        self,
        config: InterruptionConfig,
        *,
        backchannel_detector: BackchannelDetector | None = None,
        session: Any = None,
    ) -> None:
        self._config = config
        detector = backchannel_detector or config.backchannel_detector
        if detector is not None and session is not None and detector.session_id is None:
            detector = bind_stage(detector, session)  # type: ignore[assignment]
        self._detector = detector
        self._strategy = config.strategy
        if self._strategy is InterruptionStrategy.SEMANTIC and detector is None:
            logger.warning("SEMANTIC interruption without a backchannel detector: using CONFIRMED")

    @property
    def config(self) -> InterruptionConfig:
        """The settings this handler applies."""
        return self._config

    @property
    def backchannel_detector(self) -> BackchannelDetector | None:
        """The detector consulted by the SEMANTIC strategy, if any."""
        return self._detector

    def evaluate(
        self,
        *,
        playback_position_ms: int,
        speech_duration_ms: int = 0,
        speech_text: str = "",
        audio_bytes: bytes | None = None,
        bot_speech_progress: float = 0.0,
    ) -> InterruptionDecision:
        """Should speech heard ``playback_position_ms`` into playback interrupt it?"""
        config = self._config
        strategy = self._strategy
        if playback_position_ms < config.allow_during_first_ms:
            return InterruptionDecision(False, reason="playback too early")
        if strategy is InterruptionStrategy.DISABLED:
            return InterruptionDecision(False, reason="interruptions disabled")
        if strategy is InterruptionStrategy.IMMEDIATE:
            return InterruptionDecision(True, reason="immediate strategy")
        detector = self._detector
        if strategy is InterruptionStrategy.SEMANTIC and detector is not None:
            if not speech_text.strip() and not audio_bytes:
                return InterruptionDecision(False, reason="awaiting transcript", pending=True)
            context = BackchannelContext(
                transcript=speech_text or None,
                speech_duration_ms=float(speech_duration_ms),
                audio_bytes=audio_bytes,
                bot_speech_progress=bot_speech_progress,
                session_id=detector.session_id or "",
            )
            try:
                verdict = detector.classify(context)
            except Exception:
                logger.exception("backchannel detector %s failed; interrupting", detector.name)
                return InterruptionDecision(True, reason="backchannel detector failed")
            if verdict.is_backchannel:
                return InterruptionDecision(False, is_backchannel=True, reason="backchannel")
            return InterruptionDecision(True, reason="not a backchannel")
        if speech_duration_ms >= config.min_speech_ms:
            return InterruptionDecision(True, reason="speech confirmed")
        return InterruptionDecision(False, reason="speech too short")
