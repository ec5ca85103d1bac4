"""The plugin system: hookspecs, descriptors, discovery and the component catalogue.

This package's top level stays light (plugin modules import it for ``hookimpl``); discovery
lives in :mod:`roomkit.plugins.manager`, the catalogue in :mod:`roomkit.plugins.catalogue` and
create-by-name in :mod:`roomkit.plugins.factory`.
"""

from roomkit.plugins.api import ENTRY_POINT_GROUP, PLUGIN_API_VERSION
from roomkit.plugins.descriptors import ComponentDescriptor, PluginInfo, load_ref
from roomkit.plugins.markers import hookimpl, hookspec

__all__ = [
    "ENTRY_POINT_GROUP",
    "PLUGIN_API_VERSION",
    "ComponentDescriptor",
    "PluginInfo",
    "hookimpl",
    "hookspec",
    "load_ref",
]
