"""RoomKit 0.6.7's module paths for stage implementations that live in plugins here.

0.6.7 shipped its vendor stages inside the package (``roomkit.voice.pipeline.aec.webrtc``
...). Here they are separate distributions; the modules at those old paths hand out the
plugin's object, so ``from roomkit.voice.pipeline.aec.webrtc import WebRTCAECProvider`` keeps
working, and fails with :class:`~roomkit.plugins.missing.PluginNotInstalledError` (an
ImportError) naming the distribution to install when the plugin is missing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["plugin_attributes"]


def plugin_attributes(module: str, names: tuple[str, ...]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``module`` that resolves ``names`` from installed plugins."""

    def __getattr__(name: str) -> Any:
        if name in names:
            # lazy: reading the plugin catalogue is only needed when the name is used
            from roomkit.plugins.catalogue import resolve_export

            return resolve_export(name)
        raise AttributeError(f"module {module!r} has no attribute {name!r}")

    return __getattr__
