"""RoomKit 0.6.7's module path for EnergyVADProvider.

Provided by the ``roomkit-audio`` plugin (see :mod:`roomkit.voice._plugin_paths`).
"""

from __future__ import annotations

from roomkit.voice._plugin_paths import plugin_attributes

_NAMES = ("EnergyVADProvider",)

__getattr__ = plugin_attributes(__name__, _NAMES)
