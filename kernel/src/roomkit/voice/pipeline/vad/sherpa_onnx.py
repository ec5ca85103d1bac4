"""RoomKit 0.6.7's module path for SherpaOnnxVADConfig and SherpaOnnxVADProvider.

Provided by the ``roomkit-sherpa-onnx`` plugin (see :mod:`roomkit.voice._plugin_paths`).
"""

from __future__ import annotations

from roomkit.voice._plugin_paths import plugin_attributes

_NAMES = (
    "SherpaOnnxVADConfig",
    "SherpaOnnxVADProvider",
)

__getattr__ = plugin_attributes(__name__, _NAMES)
