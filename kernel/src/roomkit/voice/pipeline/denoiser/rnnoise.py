"""RoomKit 0.6.7's module path for RNNoiseDenoiserProvider.

Provided by the ``roomkit-rnnoise`` plugin (see :mod:`roomkit.voice._plugin_paths`).
"""

from __future__ import annotations

from roomkit.voice._plugin_paths import plugin_attributes

_NAMES = ("RNNoiseDenoiserProvider",)

__getattr__ = plugin_attributes(__name__, _NAMES)
