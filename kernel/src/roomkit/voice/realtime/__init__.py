"""Speech-to-speech voice: the provider contract, its events and the test doubles."""

from __future__ import annotations

from roomkit.voice.realtime.events import (
    RealtimeErrorEvent,
    RealtimeSpeechEvent,
    RealtimeToolCallEvent,
    RealtimeTranscriptionEvent,
)
from roomkit.voice.realtime.mock import MockRealtimeProvider, MockRealtimeTransport
from roomkit.voice.realtime.provider import RealtimeVoiceProvider

__all__ = [
    "MockRealtimeProvider",
    "MockRealtimeTransport",
    "RealtimeErrorEvent",
    "RealtimeSpeechEvent",
    "RealtimeToolCallEvent",
    "RealtimeTranscriptionEvent",
    "RealtimeVoiceProvider",
]
