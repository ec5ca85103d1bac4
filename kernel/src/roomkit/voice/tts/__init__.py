"""Text-to-speech: the contract, the sentence splitter and the mock (engines are plugins)."""

from __future__ import annotations

from roomkit.voice.tts.base import TTSProvider
from roomkit.voice.tts.mock import MockTTSProvider
from roomkit.voice.tts.sentence_splitter import split_sentences

__all__ = [
    "MockTTSProvider",
    "TTSProvider",
    "split_sentences",
]
