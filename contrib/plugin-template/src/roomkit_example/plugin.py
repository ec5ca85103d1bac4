"""Plugin registration: what ``roomkit plugins list`` shows for this distribution.

Keep this module light: it is imported whenever plugins are listed, so it names the component,
its config and its conformance factory lazily (``"module:attr"``) and imports nothing heavy
(no vendor SDK).
"""

from __future__ import annotations

from roomkit.plugins import ComponentDescriptor, PluginInfo, Register, hookimpl
from roomkit_example.version import __version__

__all__ = ["roomkit_plugin_info", "roomkit_register_channels"]


@hookimpl
def roomkit_plugin_info() -> PluginInfo:
    """Name, version and the kernel plugin API range this plugin works with."""
    return PluginInfo(
        name="example",
        distribution="roomkit-example",
        version=__version__,
        kernel_api=">=1,<2",
        description="a channel that delivers the text of each event to a sink",
    )


@hookimpl
def roomkit_register_channels(register: Register) -> None:
    """The example transport channel."""
    register(
        ComponentDescriptor(
            kind="channel",
            name="example",
            factory="roomkit_example.channel:ExampleChannel",
            config_model="roomkit_example.config:ExampleConfig",
            exports=("ExampleChannel", "ExampleConfig"),
            conformance="roomkit_example.testing:conformance_channel",
            description="a channel that delivers the text of each event to a sink",
        )
    )
