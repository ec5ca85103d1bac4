"""Voice activity detection."""

from __future__ import annotations

from roomkit.voice.pipeline.vad.base import VADConfig, VADEvent, VADEventType, VADProvider
from roomkit.voice.pipeline.vad.mock import MockVADProvider

__all__ = [
    "MockVADProvider",
    "VADConfig",
    "VADEvent",
    "VADEventType",
    "VADProvider",
]
