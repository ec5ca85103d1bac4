"""Conformance factory for ``roomkit conformance speex``."""

from __future__ import annotations

from typing import Any

from roomkit_speex.aec import SpeexAECProvider

__all__ = ["speex_aec"]


def speex_aec() -> Any:
    """A :class:`SpeexAECProvider` template with RoomKit 0.6.7's defaults."""
    return SpeexAECProvider()
