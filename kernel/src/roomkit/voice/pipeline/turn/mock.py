"""A scripted turn detector for tests."""

from __future__ import annotations

from collections.abc import Sequence

from roomkit.voice.pipeline.mockbase import MockStage
from roomkit.voice.pipeline.turn.base import TurnContext, TurnDecision, TurnDetector

__all__ = ["MockTurnDetector"]


class MockTurnDetector(MockStage, TurnDetector):
    """Returns ``decisions[i]`` for the i-th evaluation of each session, then "complete".

    ``evaluations`` records every context it was given (all sessions).
    """

    shared_records = ("evaluations",)

    def __init__(self, decisions: Sequence[TurnDecision] | None = None) -> None:
        self._init_record(decisions or ())
        self.evaluations: list[TurnContext] = []

    @property
    def name(self) -> str:
        return "MockTurnDetector"

    def evaluate(self, context: TurnContext) -> TurnDecision:
        self.evaluations.append(context)
        decision: TurnDecision = self._next(TurnDecision(is_complete=True, reason="script done"))
        return decision
