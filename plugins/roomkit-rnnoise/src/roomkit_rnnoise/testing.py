"""Conformance factory for ``roomkit conformance rnnoise``."""

from __future__ import annotations

from typing import Any

from roomkit_rnnoise.denoiser import RNNoiseDenoiserProvider

__all__ = ["rnnoise"]


def rnnoise() -> Any:
    """A 16 kHz :class:`RNNoiseDenoiserProvider` template."""
    return RNNoiseDenoiserProvider()
