"""Turn detection."""

from __future__ import annotations

from roomkit.voice.pipeline.turn.base import TurnContext, TurnDecision, TurnDetector, TurnEntry
from roomkit.voice.pipeline.turn.mock import MockTurnDetector

__all__ = [
    "MockTurnDetector",
    "TurnContext",
    "TurnDecision",
    "TurnDetector",
    "TurnEntry",
]
