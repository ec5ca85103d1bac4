"""RoomKit 0.6.7's module path for WebRTCAECProvider.

Provided by the ``roomkit-webrtc-aec`` plugin (see :mod:`roomkit.voice._plugin_paths`).
"""

from __future__ import annotations

from roomkit.voice._plugin_paths import plugin_attributes

_NAMES = ("WebRTCAECProvider",)

__getattr__ = plugin_attributes(__name__, _NAMES)
