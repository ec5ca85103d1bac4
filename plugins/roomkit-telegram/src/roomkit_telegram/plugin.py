"""Registers the Telegram provider with RoomKit (imports nothing heavy)."""

from __future__ import annotations

from roomkit.plugins import ComponentDescriptor, PluginInfo, hookimpl
from roomkit.plugins.hookspecs import Register
from roomkit_telegram.version import __version__

__all__ = ["roomkit_plugin_info", "roomkit_register_messaging_providers"]


@hookimpl
def roomkit_plugin_info() -> PluginInfo:
    """Describe the roomkit-telegram distribution."""
    return PluginInfo(
        name="telegram",
        distribution="roomkit-telegram",
        version=__version__,
        kernel_api=">=1,<2",
        description="Telegram Bot API: messages, keyboards, edits, webhook secret token",
    )


@hookimpl
def roomkit_register_messaging_providers(register: Register) -> None:
    """The ``telegram`` provider (for ``TelegramChannel``)."""
    register(
        ComponentDescriptor(
            kind="messaging_provider",
            name="telegram",
            factory="roomkit_telegram.provider:TelegramBotProvider",
            config_model="roomkit_telegram.config:TelegramConfig",
            pass_config=True,
            capabilities=frozenset({"media", "webhooks"}),
            exports=(
                "TelegramBotProvider",
                "TelegramConfig",
                "parse_telegram_webhook",
            ),
            conformance="roomkit_telegram.testing:conformance_harness",
            description="A Telegram bot on the Bot API; webhook updates checked by secret token",
        )
    )
