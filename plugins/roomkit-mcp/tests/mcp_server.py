"""A real MCP server for the tests: ``python mcp_server.py PORT`` serves Streamable HTTP.

Started as a subprocess by ``conftest.py``; it binds 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import sys

from mcp.server.mcpserver import Context, MCPServer

server = MCPServer("roomkit-test-tools")


@server.tool()
def get_weather(city: str, days: int = 1) -> str:
    """Current weather for a city."""
    return f"{city}: sunny for {days} day(s)"


@server.tool()
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@server.tool()
def explode() -> str:
    """Always fails."""
    raise ValueError("kaboom")


@server.tool()
async def slow(seconds: float) -> str:
    """Answer after ``seconds``."""
    await asyncio.sleep(seconds)
    return "done"


@server.tool()
def admin_reset() -> str:
    """A dangerous tool an allow-list should hide."""
    return "reset"


@server.tool()
def whoami(ctx: Context) -> str:
    """Echo the caller's X-Caller header."""
    headers = ctx.headers or {}
    return headers.get("x-caller", "anonymous")


if __name__ == "__main__":
    server.run("streamable-http", host="127.0.0.1", port=int(sys.argv[1]))
