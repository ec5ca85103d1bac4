"""DTMF detection."""

from __future__ import annotations

from roomkit.voice.pipeline.dtmf.base import DTMFDetector, DTMFEvent
from roomkit.voice.pipeline.dtmf.mock import MockDTMFDetector

__all__ = [
    "DTMFDetector",
    "DTMFEvent",
    "MockDTMFDetector",
]
