"""Real speech for voice tests, spoken by ``espeak-ng`` at test time (no audio files needed).

``spoken("I would like to order a pizza")`` returns the sentence as 16-bit mono PCM at the
rate asked for, with ``pad_ms`` of silence on both sides (Whisper tiny hears clipped onsets
badly). It runs ``espeak-ng -s 140 -w`` then ``sox`` (Debian packages ``espeak-ng`` and
``sox``; the Makefile's ``install`` target installs them). Results are cached per process.
When a tool is missing the test is skipped locally and fails under ``CI=true``.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import tempfile
from pathlib import Path

from roomkit.voice.audio_frame import AudioFrame, split_frames
from roomkit.voice.pcm import silence
from roomkit.voice.wav import decode_wav
from roomkit_conformance.services import service_unavailable

__all__ = ["require_tool", "spoken", "spoken_frames"]

#: Words per minute: at espeak-ng's default (175) Whisper tiny hears "order" as "border".
SPEED = 140
TIMEOUT = 60.0


def require_tool(name: str) -> str:
    """The path of command ``name``; skip (locally) or fail (CI) the test when missing."""
    path = shutil.which(name)
    if path is None:
        service_unavailable(f"`{name}` is not installed (run `make install`: it apt-installs it)")
    return path


@functools.lru_cache(maxsize=64)
def spoken(
    text: str, sample_rate: int = 16000, *, pad_ms: int = 500, voice: str = "en-us"
) -> AudioFrame:
    """``text`` spoken by espeak-ng as one mono PCM16 frame at ``sample_rate``."""
    espeak, sox = require_tool("espeak-ng"), require_tool("sox")
    with tempfile.TemporaryDirectory(prefix="roomkit-speech-") as folder:
        raw, out = Path(folder) / "raw.wav", Path(folder) / "out.wav"
        subprocess.run(
            [espeak, "-v", voice, "-s", str(SPEED), "-w", str(raw), text],
            check=True,
            capture_output=True,
            timeout=TIMEOUT,
        )
        subprocess.run(
            [sox, str(raw), "-r", str(sample_rate), "-c", "1", "-b", "16", str(out)],
            check=True,
            capture_output=True,
            timeout=TIMEOUT,
        )
        frame = decode_wav(out.read_bytes())
    pad = silence(pad_ms, sample_rate)
    return AudioFrame(pad + frame.data + pad, sample_rate)


def spoken_frames(
    text: str, sample_rate: int = 16000, *, frame_ms: float = 20.0, pad_ms: int = 500
) -> list[AudioFrame]:
    """:func:`spoken` cut into ``frame_ms`` frames (what a transport delivers)."""
    audio = spoken(text, sample_rate, pad_ms=pad_ms)
    return list(split_frames(audio.data, sample_rate, frame_ms=frame_ms))
