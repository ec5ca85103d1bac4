"""Errors of the local sound card backend."""

from __future__ import annotations

from roomkit.errors import VoiceSessionError

__all__ = ["AudioDeviceError"]


class AudioDeviceError(VoiceSessionError):
    """A sound device cannot be found, opened or kept running (no such device, a setting the
    device refuses, the device went away mid-session). The message names the device and what
    to change (another ``input_device`` / ``output_device``, sample rate or channel count)."""
