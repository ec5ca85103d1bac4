"""Automatic gain control."""

from __future__ import annotations

from roomkit.voice.pipeline.agc.base import AGCConfig, AGCProvider
from roomkit.voice.pipeline.agc.mock import MockAGCProvider

__all__ = [
    "AGCConfig",
    "AGCProvider",
    "MockAGCProvider",
]
