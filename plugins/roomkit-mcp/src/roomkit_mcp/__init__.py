"""RoomKit tool provider for Model Context Protocol servers.

Importing this package does not import the ``mcp`` SDK; that happens when a session opens.
"""

from roomkit_mcp.config import MCPConfig
from roomkit_mcp.provider import MCPNotConnectedError, MCPToolProvider
from roomkit_mcp.version import __version__

__all__ = ["MCPConfig", "MCPNotConnectedError", "MCPToolProvider", "__version__"]
