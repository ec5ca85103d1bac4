"""Configuration, registration and lazy import of roomkit-mcp."""

from __future__ import annotations

import subprocess
import sys

import pytest
from roomkit_mcp import MCPConfig, MCPToolProvider, plugin

from roomkit.errors import ConfigurationError
from roomkit.plugins import load_ref


@pytest.mark.parametrize(
    ("options", "needle"),
    [
        ({"server_url": "localhost:3000"}, "server_url"),
        ({"server_url": "http://x/mcp", "timeout": 0}, "timeout"),
        ({"server_url": "http://x/mcp", "tool_prefix": "bad prefix"}, "tool_prefix"),
        ({"server_url": "http://x/mcp", "retries": 3}, "retries"),
        ({}, "server_url"),
    ],
)
def test_invalid_options_raise_configuration_error(options: dict, needle: str) -> None:
    with pytest.raises(ConfigurationError, match=needle):
        MCPToolProvider(**options)


def test_config_and_options_together_are_rejected() -> None:
    with pytest.raises(ConfigurationError, match="not both"):
        MCPToolProvider(MCPConfig(server_url="http://x/mcp"), timeout=3)


def test_seed_call_shape() -> None:
    from roomkit import MCPToolProvider as Exported
    from roomkit import compose_tool_handlers

    mcp = Exported(server_url="http://localhost:3000")
    assert Exported is MCPToolProvider
    assert mcp.server_url == "http://localhost:3000"
    assert not mcp.connected  # nothing is opened until first use
    assert callable(compose_tool_handlers(mcp.handler))


def test_descriptor_resolves() -> None:
    found: list = []
    plugin.roomkit_register_tools(found.append)
    (descriptor,) = found
    assert (descriptor.kind, descriptor.name) == ("tool_provider", "mcp")
    assert load_ref(descriptor.factory) is MCPToolProvider
    assert load_ref(descriptor.config_model) is MCPConfig
    provider = load_ref(descriptor.factory)(**MCPConfig(server_url="http://h/mcp").model_dump())
    assert provider.server_url == "http://h/mcp"
    assert plugin.roomkit_plugin_info().distribution == "roomkit-mcp"


def test_importing_the_package_does_not_import_the_sdk() -> None:
    code = "import sys, roomkit_mcp, roomkit_mcp.plugin;sys.exit(1 if 'mcp' in sys.modules else 0)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_headers_are_hidden_in_the_config() -> None:
    config = MCPConfig(server_url="http://x/mcp", headers={"Authorization": "Bearer mcp-tok-123"})
    for shown in (repr(config), str(config), config.model_dump_json()):
        assert "mcp-tok-123" not in shown


def test_invalid_options_never_echo_header_values() -> None:
    with pytest.raises(ConfigurationError, match="headers") as info:
        MCPToolProvider(server_url="http://x/mcp", headers=["Bearer mcp-tok-456"])
    assert "mcp-tok-456" not in str(info.value)


async def test_connection_errors_never_show_the_url_password() -> None:
    import traceback

    from roomkit.errors import ProviderError

    mcp = MCPToolProvider(
        server_url="http://user:mcp-pass-789@127.0.0.1:9/mcp",
        headers={"Authorization": "Bearer mcp-tok-789"},
        connect_timeout=5,
    )
    try:
        with pytest.raises(ProviderError) as info:
            await mcp.list_tools()
    finally:
        await mcp.close()
    shown = "".join(traceback.format_exception(info.value))
    assert "mcp-pass-789" not in shown
    assert "mcp-tok-789" not in shown
    assert info.value.retryable
