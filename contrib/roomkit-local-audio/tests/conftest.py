"""Shared helpers: a backend on fake streams and a WAV file of test speech."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from roomkit_local_audio import LocalAudioBackend
from roomkit_local_audio.testing import FakeStreamFactory

from roomkit.voice.pcm import silence, tone
from roomkit.voice.wav import encode_wav


@pytest.fixture
def factory() -> FakeStreamFactory:
    return FakeStreamFactory()


@pytest.fixture
async def backend(factory: FakeStreamFactory) -> AsyncIterator[LocalAudioBackend]:
    backend = LocalAudioBackend(
        input_sample_rate=16000,
        output_sample_rate=24000,
        mute_mic_during_playback=False,
        stream_factory=factory,
    )
    yield backend
    await backend.close()


@pytest.fixture
def wav_file(tmp_path: Path) -> Path:
    """Half a second of a 440 Hz tone, 100 ms of silence, 200 ms at 880 Hz (16 kHz mono)."""
    pcm = tone(440, 500, 16000) + silence(100, 16000) + tone(880, 200, 16000, amplitude=0.3)
    path = tmp_path / "speech.wav"
    path.write_bytes(encode_wav(pcm, 16000))
    return path
