"""Makes ``roomkit plugins list`` show the webhook server (it provides no components)."""

from __future__ import annotations

from roomkit.plugins import PluginInfo, hookimpl
from roomkit_server.version import __version__

__all__ = ["roomkit_plugin_info"]


@hookimpl
def roomkit_plugin_info() -> PluginInfo:
    """Plugin metadata."""
    return PluginInfo(
        name="server",
        distribution="roomkit-server",
        version=__version__,
        kernel_api=">=1,<2",
        description="Webhook server for messaging channels (roomkit serve)",
    )
