"""A transcript-based backchannel detector: short acknowledgements are not interruptions."""

from __future__ import annotations

import re
from collections.abc import Iterable

from roomkit.voice.pipeline.backchannel.base import (
    BackchannelContext,
    BackchannelDecision,
    BackchannelDetector,
)

__all__ = ["DEFAULT_BACKCHANNEL_PHRASES", "PhraseBackchannelDetector"]

#: English acknowledgements treated as backchannels (compared after normalisation).
DEFAULT_BACKCHANNEL_PHRASES = frozenset(
    {
        "uh huh",
        "uhhuh",
        "mm hmm",
        "mhm",
        "mm",
        "hmm",
        "yeah",
        "yep",
        "yes",
        "ok",
        "okay",
        "right",
        "sure",
        "got it",
        "i see",
        "alright",
        "all right",
        "cool",
        "great",
    }
)

_WORDS = re.compile(r"[^\w\s]+")


def _normalise(text: str) -> str:
    return " ".join(_WORDS.sub(" ", text.lower().replace("-", " ")).split())


class PhraseBackchannelDetector(BackchannelDetector):
    """Says "backchannel" when the whole transcript is made of acknowledgement phrases.

    "uh-huh", "Yeah, okay." and "mm hmm right" are backchannels; "yeah but wait" or
    "stop" are not. Utterances longer than ``max_words`` words, or (when the duration is
    known) longer than ``max_duration_ms``, are never backchannels. Without a transcript it
    cannot tell and answers "not a backchannel" with confidence 0.
    """

    def __init__(
        self,
        phrases: Iterable[str] = DEFAULT_BACKCHANNEL_PHRASES,
        *,
        max_words: int = 4,
        max_duration_ms: float = 1500.0,
    ) -> None:
        self._phrases = frozenset(_normalise(p) for p in phrases)
        self._longest = max((len(p.split()) for p in self._phrases), default=1)
        self._max_words = max_words
        self._max_duration_ms = max_duration_ms

    @property
    def name(self) -> str:
        return "PhraseBackchannelDetector"

    def classify(self, context: BackchannelContext) -> BackchannelDecision:
        if not context.transcript or not context.transcript.strip():
            return BackchannelDecision(is_backchannel=False, confidence=0.0, label=None)
        text = _normalise(context.transcript)
        words = text.split()
        too_long = len(words) > self._max_words or (
            context.speech_duration_ms > self._max_duration_ms
        )
        if too_long or not self._covered(words):
            return BackchannelDecision(is_backchannel=False, confidence=0.9, label=None)
        return BackchannelDecision(is_backchannel=True, confidence=0.9, label=text)

    def _covered(self, words: list[str]) -> bool:
        """Whether ``words`` split entirely into known phrases."""
        reachable = [True] + [False] * len(words)
        for start in range(len(words)):
            if not reachable[start]:
                continue
            for size in range(1, self._longest + 1):
                end = start + size
                if end <= len(words) and " ".join(words[start:end]) in self._phrases:
                    reachable[end] = True
        return bool(words) and reachable[-1]
