"""roomkit-local-audio: talk to a room from this machine's microphone and speaker.

Names load on first use (sounddevice itself only when a device is opened or listed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from roomkit.lazy import lazy_exports
from roomkit_local_audio.version import __version__

__all__ = [
    "AudioDevice",
    "AudioDeviceError",
    "LocalAudioBackend",
    "__version__",
    "list_devices",
]

_WHERE = {
    "AudioDevice": "roomkit_local_audio.devices",
    "AudioDeviceError": "roomkit_local_audio.errors",
    "LocalAudioBackend": "roomkit_local_audio.backend",
    "list_devices": "roomkit_local_audio.devices",
}

__getattr__, __dir__ = lazy_exports(__name__, _WHERE, globals())

if TYPE_CHECKING:
    from roomkit_local_audio.backend import LocalAudioBackend
    from roomkit_local_audio.devices import AudioDevice, list_devices
    from roomkit_local_audio.errors import AudioDeviceError
