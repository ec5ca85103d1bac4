"""Makes ``roomkit plugins list`` show the dev console (it provides no components)."""

from __future__ import annotations

from roomkit.plugins import PluginInfo, hookimpl
from roomkit_console.version import __version__

__all__ = ["roomkit_plugin_info"]


@hookimpl
def roomkit_plugin_info() -> PluginInfo:
    """Plugin metadata."""
    return PluginInfo(
        name="console",
        distribution="roomkit-console",
        version=__version__,
        kernel_api=">=1,<2",
        description="Browser dev console: chat in a room, watch every event live (roomkit console)",
    )
