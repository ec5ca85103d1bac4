"""Registration hooks of roomkit-mcp. Imports nothing heavy: every reference is lazy."""

from __future__ import annotations

from roomkit.plugins import ComponentDescriptor, PluginInfo, hookimpl
from roomkit.plugins.hookspecs import Register
from roomkit_mcp.version import __version__

__all__ = ["roomkit_plugin_info", "roomkit_register_tools"]


@hookimpl
def roomkit_plugin_info() -> PluginInfo:
    """Describe the roomkit-mcp distribution."""
    return PluginInfo(
        name="mcp",
        distribution="roomkit-mcp",
        version=__version__,
        kernel_api=">=1,<2",
        description="Model Context Protocol tools for RoomKit agents",
    )


@hookimpl
def roomkit_register_tools(register: Register) -> None:
    """Register the ``mcp`` tool provider."""
    register(
        ComponentDescriptor(
            kind="tool_provider",
            name="mcp",
            factory="roomkit_mcp.provider:MCPToolProvider",
            config_model="roomkit_mcp.config:MCPConfig",
            capabilities=frozenset({"streamable_http"}),
            exports=("MCPConfig", "MCPToolProvider"),
            conformance="roomkit_mcp.testing:MCPConformanceFixtures",
            description="Tools of an MCP server over Streamable HTTP",
        )
    )
