"""Building a voice channel by name: ``create_component("channel", "voice", config)``.

The speech components are named plugin components too (``stt="mock"``, ``backend="sip"`` with
``backend_config={...}``), so a whole voice channel can come from a configuration file
(``roomkit serve``) or from ``RoomKit.from_config``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field

from roomkit.channels.voice.channel import VoiceChannel
from roomkit.deferred import DeferredModel
from roomkit.plugins.factory import create_component
from roomkit.voice.interruption import InterruptionConfig, InterruptionStrategy
from roomkit.voice.pipeline.config import AudioPipelineConfig
from roomkit.voice.pipeline.vad.base import VADConfig

__all__ = ["VoiceChannelConfig", "build_voice_channel"]


class VoiceChannelConfig(DeferredModel):
    """A voice channel described by the names of its components."""

    model_config = ConfigDict(extra="forbid")

    channel_id: str = Field(min_length=1, description="The id the channel is registered under")
    stt: str | None = Field(default=None, description="Name of an stt component")
    stt_config: dict[str, Any] = Field(default_factory=dict)
    tts: str | None = Field(default=None, description="Name of a tts component")
    tts_config: dict[str, Any] = Field(default_factory=dict)
    backend: str | None = Field(default=None, description="Name of a voice_backend component")
    backend_config: dict[str, Any] = Field(default_factory=dict)
    vad: str | None = Field(default=None, description="Name of an audio_stage with role vad")
    vad_stage_config: dict[str, Any] = Field(default_factory=dict)
    silence_threshold_ms: int = Field(default=500, ge=0, description="Silence ending speech")
    interruption: Literal["immediate", "confirmed", "semantic", "disabled"] = "confirmed"
    min_speech_ms: int = Field(default=300, ge=0, description="CONFIRMED barge-in threshold")
    streaming: bool = True
    batch_mode: bool = False
    stt_timeout: float = Field(default=30.0, gt=0)
    tts_timeout: float = Field(default=30.0, gt=0)


def build_voice_channel(config: VoiceChannelConfig) -> VoiceChannel:
    """The :class:`VoiceChannel` ``config`` describes (components built by name)."""

    def named(kind: str, name: str | None, options: dict[str, Any]) -> Any:
        return None if name is None else create_component(kind, name, options)

    vad = named("audio_stage", config.vad, config.vad_stage_config)
    pipeline = AudioPipelineConfig(
        vad=vad, vad_config=VADConfig(silence_threshold_ms=config.silence_threshold_ms)
    )
    return VoiceChannel(
        config.channel_id,
        stt=named("stt", config.stt, config.stt_config),
        tts=named("tts", config.tts, config.tts_config),
        backend=named("voice_backend", config.backend, config.backend_config),
        pipeline=pipeline,
        interruption=InterruptionConfig(
            strategy=InterruptionStrategy(config.interruption), min_speech_ms=config.min_speech_ms
        ),
        streaming=config.streaming,
        batch_mode=config.batch_mode,
        stt_timeout=config.stt_timeout,
        tts_timeout=config.tts_timeout,
    )
