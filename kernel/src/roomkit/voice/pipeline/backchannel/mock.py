"""A scripted backchannel detector for tests."""

from __future__ import annotations

from collections.abc import Sequence

from roomkit.voice.pipeline.backchannel.base import (
    BackchannelContext,
    BackchannelDecision,
    BackchannelDetector,
)
from roomkit.voice.pipeline.mockbase import MockStage

__all__ = ["MockBackchannelDetector"]


class MockBackchannelDetector(MockStage, BackchannelDetector):
    """Returns ``decisions[i]`` for the i-th classification of each session, then "not a
    backchannel". ``evaluations`` records every context it was given (all sessions)."""

    shared_records = ("evaluations",)

    def __init__(self, decisions: Sequence[BackchannelDecision] | None = None) -> None:
        self._init_record(decisions or ())
        self.evaluations: list[BackchannelContext] = []

    @property
    def name(self) -> str:
        return "MockBackchannelDetector"

    def classify(self, context: BackchannelContext) -> BackchannelDecision:
        self.evaluations.append(context)
        decision: BackchannelDecision = self._next(BackchannelDecision(is_backchannel=False))
        return decision
