"""Resampling."""

from __future__ import annotations

from roomkit.voice.pipeline.resampler.base import ResamplerProvider
from roomkit.voice.pipeline.resampler.linear import LinearResamplerProvider
from roomkit.voice.pipeline.resampler.mock import MockResamplerProvider, ResampleCall

__all__ = [
    "LinearResamplerProvider",
    "MockResamplerProvider",
    "ResampleCall",
    "ResamplerProvider",
]
