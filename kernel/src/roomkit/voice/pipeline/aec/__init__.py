"""Acoustic echo cancellation."""

from __future__ import annotations

from roomkit.voice.pipeline.aec.base import AECProvider
from roomkit.voice.pipeline.aec.mock import MockAECProvider

__all__ = [
    "AECProvider",
    "MockAECProvider",
]
