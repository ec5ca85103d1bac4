"""Registers the Teams provider with RoomKit (imports nothing heavy: references are lazy)."""

from __future__ import annotations

from roomkit.plugins import ComponentDescriptor, PluginInfo, hookimpl
from roomkit.plugins.hookspecs import Register
from roomkit_teams.version import __version__

__all__ = ["roomkit_plugin_info", "roomkit_register_messaging_providers"]


@hookimpl
def roomkit_plugin_info() -> PluginInfo:
    """Describe the roomkit-teams distribution."""
    return PluginInfo(
        name="teams",
        distribution="roomkit-teams",
        version=__version__,
        kernel_api=">=1,<2",
        description="Microsoft Teams through the Bot Framework: Adaptive Cards, proactive "
        "messages, JWT-checked activities",
    )


@hookimpl
def roomkit_register_messaging_providers(register: Register) -> None:
    """Register ``messaging_provider:teams``."""
    register(
        ComponentDescriptor(
            kind="messaging_provider",
            name="teams",
            factory="roomkit_teams.provider:BotFrameworkTeamsProvider",
            config_model="roomkit_teams.config:TeamsConfig",
            pass_config=True,
            capabilities=frozenset({"media", "webhooks", "inbound_media"}),
            exports=(
                "BotFrameworkTeamsProvider",
                "ConversationReferenceStore",
                "InMemoryConversationReferenceStore",
                "SQLiteConversationReferenceStore",
                "TeamsConfig",
                "is_bot_added",
                "parse_teams_activity",
                "parse_teams_reactions",
                "parse_teams_webhook",
            ),
            conformance="roomkit_teams.testing:teams_harness",
            description="Teams bots over the Bot Connector REST API",
        )
    )
