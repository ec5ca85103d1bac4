"""What the voice suites share: test signals, sessions, bounded waits and latency reports.

Signals are generated in pure Python (tones, silence, DTMF pairs) so the suites need no audio
files; components that need real speech get it from their harness (``speech=``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from roomkit.voice.audio_frame import AudioFrame, split_frames
from roomkit.voice.base import VoiceSession, VoiceSessionState
from roomkit.voice.pcm import silence, to_bytes, tone

__all__ = [
    "DTMF_FREQUENCIES",
    "FRAME_MS",
    "chunks",
    "dtmf_frames",
    "report_latency",
    "session",
    "silence_frames",
    "tone_frames",
    "utterance_frames",
]

#: Frame length used throughout the suites (the common telephony/WebRTC packet size).
FRAME_MS = 20.0

#: (low, high) frequencies of each DTMF key.
DTMF_FREQUENCIES: dict[str, tuple[float, float]] = {
    "1": (697, 1209), "2": (697, 1336), "3": (697, 1477), "A": (697, 1633),
    "4": (770, 1209), "5": (770, 1336), "6": (770, 1477), "B": (770, 1633),
    "7": (852, 1209), "8": (852, 1336), "9": (852, 1477), "C": (852, 1633),
    "*": (941, 1209), "0": (941, 1336), "#": (941, 1477), "D": (941, 1633),
}  # fmt: skip


def session(name: str = "conformance") -> VoiceSession:
    """A fresh active session (ids unique per call)."""
    created = VoiceSession.new("conformance-room", f"caller-{name}", "conformance-voice")
    created.state = VoiceSessionState.ACTIVE
    return created


def silence_frames(ms: float, rate: int = 16000, channels: int = 1) -> list[AudioFrame]:
    """``ms`` of digital silence as 20-ms frames."""
    return list(split_frames(silence(ms, rate, channels), rate, channels, frame_ms=FRAME_MS))


def tone_frames(
    freq: float, ms: float, rate: int = 16000, *, amplitude: float = 0.4, channels: int = 1
) -> list[AudioFrame]:
    """``ms`` of a sine at ``freq`` Hz as 20-ms frames."""
    data = tone(freq, ms, rate, amplitude=amplitude, channels=channels)
    return list(split_frames(data, rate, channels, frame_ms=FRAME_MS))


def utterance_frames(rate: int = 16000) -> list[AudioFrame]:
    """A speech-like test utterance: 600 ms of voiced tones between two 200-ms silences."""
    voiced = [tone(f, 200, rate, amplitude=0.4) for f in (220.0, 330.0, 260.0)]
    data = silence(200, rate) + b"".join(voiced) + silence(200, rate)
    return list(split_frames(data, rate, frame_ms=FRAME_MS))


def dtmf_frames(digit: str, ms: float = 100.0, rate: int = 8000) -> list[AudioFrame]:
    """A DTMF key press of ``ms`` followed by as much silence, as 20-ms frames."""
    low, high = DTMF_FREQUENCIES[digit]
    count = round(rate * ms / 1000)
    values = [
        round(
            8000
            * (math.sin(2 * math.pi * low * n / rate) + math.sin(2 * math.pi * high * n / rate))
        )
        for n in range(count)
    ]
    data = to_bytes(values) + silence(ms, rate)
    return list(split_frames(data, rate, frame_ms=FRAME_MS))


def report_latency(
    request: pytest.FixtureRequest,
    name: str,
    feed: Callable[[AudioFrame], Any],
    frames: list[AudioFrame],
    *,
    clock: Callable[[], float] = time.perf_counter,
) -> float:
    """Run ``feed`` over ``frames`` and report the mean cost per frame (never asserted).

    The figure goes to the test's ``user_properties`` (JUnit XML, ``record_property``) and to
    the captured output, as microseconds and as a share of the frame's real-time budget.
    """
    started = clock()
    for frame in frames:
        feed(frame)
    per_frame = (clock() - started) / max(1, len(frames))
    budget = frames[0].duration_ms / 1000.0 if frames else FRAME_MS / 1000.0
    request.node.user_properties.append((f"{name}_per_frame_us", round(per_frame * 1e6, 2)))
    request.node.user_properties.append((f"{name}_budget_share", round(per_frame / budget, 5)))
    print(f"{name}: {per_frame * 1e6:.1f} us per {budget * 1000:.0f}-ms frame")
    return per_frame


def chunks(frames: list[AudioFrame]) -> Iterator[bytes]:
    """The PCM of ``frames``, one frame at a time."""
    for frame in frames:
        yield frame.data
