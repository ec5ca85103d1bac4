"""Backchannel detection."""

from __future__ import annotations

from roomkit.voice.pipeline.backchannel.base import (
    BackchannelContext,
    BackchannelDecision,
    BackchannelDetector,
)
from roomkit.voice.pipeline.backchannel.mock import MockBackchannelDetector
from roomkit.voice.pipeline.backchannel.phrases import PhraseBackchannelDetector

__all__ = [
    "BackchannelContext",
    "BackchannelDecision",
    "BackchannelDetector",
    "MockBackchannelDetector",
    "PhraseBackchannelDetector",
]
