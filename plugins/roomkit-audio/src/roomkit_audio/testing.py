"""Conformance factories for ``roomkit conformance audio`` (one per stage).

The VAD harness gets a synthetic utterance that is speech-like in energy terms (voiced tones
between silences, the suite's default).
"""

from __future__ import annotations

from typing import Any

from roomkit_audio.agc import EnergyAGCProvider
from roomkit_audio.dtmf import GoertzelDTMFDetector
from roomkit_audio.recorder import WavFileRecorder
from roomkit_audio.resampler import SoxrResamplerProvider
from roomkit_audio.vad import EnergyVADProvider

__all__ = ["energy_agc", "energy_vad", "goertzel_dtmf", "soxr_resampler", "wav_recorder"]


def soxr_resampler() -> Any:
    """A :class:`SoxrResamplerProvider` template."""
    return SoxrResamplerProvider()


def energy_vad() -> Any:
    """An :class:`EnergyVADProvider` template with the 0.6.7 defaults."""
    return EnergyVADProvider()


def energy_agc() -> Any:
    """An :class:`EnergyAGCProvider` template."""
    return EnergyAGCProvider()


def goertzel_dtmf() -> Any:
    """A :class:`GoertzelDTMFDetector` template."""
    return GoertzelDTMFDetector()


def wav_recorder() -> Any:
    """A :class:`WavFileRecorder` template (the suite's recordings go to the default folder,
    ``<tmp>/roomkit-recordings``)."""
    return WavFileRecorder()
