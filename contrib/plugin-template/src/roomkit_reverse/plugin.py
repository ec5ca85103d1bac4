"""Plugin registration: what ``roomkit plugins list`` shows for this distribution.

Keep this module light: it is imported when plugins are listed, so it names the channel and
its config lazily (``"module:attr"``) and imports nothing heavy (no vendor SDK).
"""

from __future__ import annotations

from roomkit.plugins import ComponentDescriptor, PluginInfo, hookimpl
from roomkit.plugins.hookspecs import Register
from roomkit_reverse.version import __version__

__all__ = ["roomkit_plugin_info", "roomkit_register_channels"]


@hookimpl
def roomkit_plugin_info() -> PluginInfo:
    """Name, version and the kernel plugin API range this plugin works with."""
    return PluginInfo(
        name="reverse",
        distribution="roomkit-reverse",
        version=__version__,
        kernel_api=">=1,<2",
        description="A channel that delivers text reversed (plugin template)",
    )


@hookimpl
def roomkit_register_channels(register: Register) -> None:
    """The reverse channel."""
    register(
        ComponentDescriptor(
            kind="channel",
            name="reverse",
            factory="roomkit_reverse.channel:ReverseChannel",
            config_model="roomkit_reverse.config:ReverseConfig",
            exports=("ReverseChannel",),
            conformance="roomkit_reverse.testing:conformance_channel",
            description="Delivers the text of each event reversed",
        )
    )
