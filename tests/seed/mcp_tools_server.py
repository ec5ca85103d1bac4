"""A real MCP server for the README's MCP sample: ``python mcp_tools_server.py PORT``.

Serves Streamable HTTP on 127.0.0.1 only; started and stopped by ``conftest.py``.
"""

from __future__ import annotations

import sys

from mcp.server.mcpserver import MCPServer

server = MCPServer("roomkit-seed-tools")


@server.tool()
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


if __name__ == "__main__":
    server.run("streamable-http", host="127.0.0.1", port=int(sys.argv[1]))
