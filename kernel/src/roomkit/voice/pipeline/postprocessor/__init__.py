"""Outbound audio post-processing."""

from __future__ import annotations

from roomkit.voice.pipeline.postprocessor.base import AudioPostProcessor
from roomkit.voice.pipeline.postprocessor.mock import MockAudioPostProcessor

__all__ = [
    "AudioPostProcessor",
    "MockAudioPostProcessor",
]
