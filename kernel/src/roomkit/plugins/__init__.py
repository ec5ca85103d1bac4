"""The plugin system: hookspecs, descriptors, discovery and the component catalogue."""

from roomkit.plugins.descriptors import ComponentDescriptor, PluginInfo, load_ref
from roomkit.plugins.markers import hookimpl, hookspec

__all__ = ["ComponentDescriptor", "PluginInfo", "hookimpl", "hookspec", "load_ref"]
