"""Version and naming constants of the kernel's plugin API.

``PLUGIN_API_VERSION`` moves its major number only when a change breaks existing plugins (a
hookspec removed or renamed, a descriptor field changing meaning); new hookspecs and new
optional descriptor fields bump the minor number. Plugins declare the range they work with in
:attr:`roomkit.plugins.PluginInfo.kernel_api`.

History: 1.1 added ``ComponentDescriptor.conformance_exempt``.
"""

from __future__ import annotations

__all__ = [
    "DISABLE_AUTOLOAD_ENV",
    "ENTRY_POINT_GROUP",
    "PLUGINS_BLOCK_ENV",
    "PLUGINS_STRICT_ENV",
    "PLUGIN_API_VERSION",
]

#: The plugin API this kernel implements (a PEP 440 version).
PLUGIN_API_VERSION = "1.1"

#: The entry-point group every plugin distribution declares.
ENTRY_POINT_GROUP = "roomkit.plugins"

#: ``1`` disables entry-point discovery (only the built-in components are registered).
DISABLE_AUTOLOAD_ENV = "ROOMKIT_DISABLE_PLUGIN_AUTOLOAD"

#: Comma-separated plugin names that are never imported.
PLUGINS_BLOCK_ENV = "ROOMKIT_PLUGINS_BLOCK"

#: ``1`` turns every plugin problem (broken, incompatible, invalid, conflicting) into an error.
PLUGINS_STRICT_ENV = "ROOMKIT_PLUGINS_STRICT"
