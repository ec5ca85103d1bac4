"""Conformance factory for ``roomkit conformance webrtc-aec``."""

from __future__ import annotations

from typing import Any

from roomkit_webrtc_aec.aec import WebRTCAECProvider

__all__ = ["webrtc_aec"]


def webrtc_aec() -> Any:
    """A :class:`WebRTCAECProvider` template with RoomKit 0.6.7's defaults."""
    return WebRTCAECProvider()
