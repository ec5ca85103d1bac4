"""MCPToolProvider passes the tool-provider conformance suite against the test MCP server."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from roomkit_mcp import MCPToolProvider
from roomkit_mcp.testing import MCPConformanceFixtures

from roomkit_conformance.suites.tool_provider import ToolProviderSuite


class TestMCPToolProvider(ToolProviderSuite):
    """Against the session server ``conftest.py`` starts (tests/mcp_server.py)."""

    sample_call = ("get_weather", {"city": "Paris", "days": 2})
    sample_expected = "Paris: sunny for 2 day(s)"
    failing_call = ("explode", {})
    slow_call = ("slow", {"seconds": 5})

    @pytest.fixture
    async def component(self, mcp_server) -> AsyncIterator[MCPToolProvider]:
        provider = MCPToolProvider(server_url=mcp_server.url, timeout=15.0)
        yield provider
        await provider.close()


class TestMCPConformanceFactory(MCPConformanceFixtures, ToolProviderSuite):
    """The fixtures ``roomkit conformance mcp`` uses: a server of its own per test."""
