"""Noise reduction."""

from __future__ import annotations

from roomkit.voice.pipeline.denoiser.base import DenoiserProvider
from roomkit.voice.pipeline.denoiser.mock import MockDenoiserProvider

__all__ = [
    "DenoiserProvider",
    "MockDenoiserProvider",
]
