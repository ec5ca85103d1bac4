"""MCPToolProvider against a real MCP server over Streamable HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from roomkit_mcp import MCPConfig, MCPToolProvider

from roomkit.errors import ProviderError
from roomkit.models.room import AITool
from roomkit.tools.compose import UnknownToolError, compose_tool_handlers


async def test_lists_tools_as_ai_tools(mcp_server) -> None:
    async with MCPToolProvider(server_url=mcp_server.url) as mcp:
        tools = {t.name: t for t in await mcp.list_tools()}
    assert {"get_weather", "add", "explode", "slow", "admin_reset", "whoami"} <= set(tools)
    weather = tools["get_weather"]
    assert isinstance(weather, AITool)
    assert weather.description == "Current weather for a city."
    assert weather.parameters["required"] == ["city"]
    assert weather.parameters["properties"]["days"]["type"] == "integer"


async def test_handler_runs_tools(mcp_server) -> None:
    mcp = MCPToolProvider(server_url=mcp_server.url)
    try:
        assert await mcp.handler("get_weather", {"city": "Paris", "days": 2}) == (
            "Paris: sunny for 2 day(s)"
        )
        assert await mcp.handler("add", {"a": 2, "b": 40}) == "42"
    finally:
        await mcp.close()


async def test_composes_with_other_handlers(mcp_server) -> None:
    seen: list[str] = []

    async def local(name: str, arguments: dict) -> str:
        if name != "local_echo":
            raise UnknownToolError(name)
        seen.append(name)
        return json.dumps(arguments)

    async with MCPToolProvider(server_url=mcp_server.url) as mcp:
        handler = compose_tool_handlers(mcp.handler, local)
        assert await handler("add", {"a": 1, "b": 1}) == "2"
        assert await handler("local_echo", {"x": 1}) == '{"x": 1}'
        with pytest.raises(UnknownToolError):
            await handler("nobody_has_this", {})
    assert seen == ["local_echo"]


async def test_tool_errors_are_reported_as_results(mcp_server) -> None:
    async with MCPToolProvider(server_url=mcp_server.url) as mcp:
        failed = json.loads(await mcp.handler("explode", {}))
        invalid = json.loads(await mcp.handler("add", {"a": "x"}))
    assert "explode" in failed["error"]
    assert "validation" in invalid["error"]


async def test_call_timeout_is_configurable(mcp_server) -> None:
    async with MCPToolProvider(server_url=mcp_server.url, timeout=0.5) as mcp:
        started = time.monotonic()
        with pytest.raises(ProviderError, match=r"timed out after 0\.5s") as info:
            await mcp.handler("slow", {"seconds": 5})
        assert time.monotonic() - started < 4.0  # gave up long before the 5 s reply
        assert info.value.retryable is True
        assert await mcp.handler("slow", {"seconds": 0.1}) == "done"


async def test_allow_list_and_prefix(mcp_server) -> None:
    config = MCPConfig(
        server_url=mcp_server.url,
        allowed_tools=frozenset({"get_weather", "add"}),
        tool_prefix="wx_",
    )
    async with MCPToolProvider(config) as mcp:
        assert sorted(t.name for t in await mcp.list_tools()) == ["wx_add", "wx_get_weather"]
        assert await mcp.handler("wx_add", {"a": 3, "b": 4}) == "7"
        for hidden in ("admin_reset", "wx_admin_reset", "add"):
            with pytest.raises(UnknownToolError):
                await mcp.handler(hidden, {})


async def test_headers_reach_the_server(mcp_server) -> None:
    async with MCPToolProvider(server_url=mcp_server.url, headers={"X-Caller": "roomkit"}) as mcp:
        assert await mcp.handler("whoami", {}) == "roomkit"
    assert "roomkit" not in repr(MCPConfig(server_url=mcp_server.url, headers={"X": "roomkit"}))


async def test_concurrent_calls_from_many_tasks(mcp_server) -> None:
    async with MCPToolProvider(server_url=mcp_server.url) as mcp:
        results = await asyncio.gather(*(mcp.handler("add", {"a": i, "b": i}) for i in range(10)))
    assert results == [str(2 * i) for i in range(10)]


async def test_unreachable_server_is_a_retryable_provider_error(unused_url: str) -> None:
    mcp = MCPToolProvider(server_url=unused_url, connect_timeout=3)
    with pytest.raises(ProviderError) as info:
        await mcp.list_tools()
    assert info.value.retryable is True
    assert info.value.provider == "mcp"
    assert not mcp.connected


async def test_close_leaves_no_task_and_reconnects(mcp_server) -> None:
    before = set(asyncio.all_tasks())
    mcp = MCPToolProvider(server_url=mcp_server.url)
    assert await mcp.handler("add", {"a": 1, "b": 2}) == "3"
    assert mcp.connected
    await mcp.close()
    assert not mcp.connected
    await asyncio.sleep(0.05)
    leaked = {t for t in asyncio.all_tasks() - before if not t.done()}
    assert leaked == set()
    assert await mcp.handler("add", {"a": 2, "b": 2}) == "4"
    await mcp.close()


async def test_recovers_after_a_server_restart(restartable_mcp_server) -> None:
    mcp = MCPToolProvider(server_url=restartable_mcp_server.url, timeout=3, connect_timeout=3)
    try:
        assert await mcp.handler("add", {"a": 1, "b": 1}) == "2"
        restartable_mcp_server.stop()
        with pytest.raises(ProviderError) as info:
            await mcp.handler("add", {"a": 1, "b": 1})
        assert info.value.retryable is True
        restartable_mcp_server.start()
        assert await mcp.handler("add", {"a": 5, "b": 5}) == "10"
    finally:
        await mcp.close()


async def test_the_0_6_7_surface(mcp_server) -> None:
    from roomkit_mcp import MCPNotConnectedError

    mcp = MCPToolProvider.from_url(
        mcp_server.url, tool_filter=lambda name: name in {"add", "slow", "whoami"}
    )
    with pytest.raises(MCPNotConnectedError, match="async with"):
        mcp.get_tools()
    with pytest.raises(RuntimeError):  # what 0.6.7 code catches
        _ = mcp.tool_names
    async with mcp:
        assert sorted(mcp.tool_names) == ["add", "slow", "whoami"]
        assert sorted(t.name for t in mcp.get_tools()) == ["add", "slow", "whoami"]
        as_dicts = {d["name"]: d for d in mcp.get_tools_as_dicts()}
        assert set(as_dicts["add"]) >= {"name", "description", "parameters"}
        assert as_dicts["add"]["parameters"]["required"] == ["a", "b"]
        handler = mcp.as_tool_handler()
        assert await handler("add", {"a": 20, "b": 22}) == "42"
        with pytest.raises(UnknownToolError):
            await handler("get_weather", {"city": "Paris"})  # filtered out
        started = time.monotonic()
        with pytest.raises(ProviderError, match=r"timed out after 0\.2s"):
            await mcp.call_tool("slow", {"seconds": 5}, timeout=0.2)
        assert time.monotonic() - started < 4
        # A per-call timeout longer than the configured one is honoured too.
        assert await mcp.call_tool("slow", {"seconds": 0.1}, timeout=60) == "done"


def test_constructor_checks() -> None:
    from roomkit.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="Streamable HTTP"):
        MCPToolProvider("http://127.0.0.1:9/mcp", transport="sse")
    with pytest.raises(ConfigurationError, match="once"):
        MCPToolProvider("http://127.0.0.1:9/mcp", server_url="http://127.0.0.1:8/mcp")
    with pytest.raises(ConfigurationError, match="not both"):
        MCPToolProvider(MCPConfig(server_url="http://127.0.0.1:9/mcp"), headers={"a": "b"})
    headed = MCPToolProvider("http://127.0.0.1:9/mcp", headers={"Authorization": "Bearer s3"})
    assert headed.config.headers["Authorization"].get_secret_value() == "Bearer s3"
    assert "s3" not in repr(headed.config)
