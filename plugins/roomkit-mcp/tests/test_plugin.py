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
