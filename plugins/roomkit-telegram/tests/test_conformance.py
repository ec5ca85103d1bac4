"""TelegramBotProvider passes the messaging conformance suite against the Bot API fake, and
the distribution passes the messaging packaging checks."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from roomkit_telegram import plugin
from roomkit_telegram.testing import conformance_harness

from roomkit_conformance.suites.messaging import MessagingHarness, MessagingProviderSuite
from roomkit_conformance.suites.messaging_plugin import MessagingPluginSuite


class TestTelegramConformance(MessagingProviderSuite):
    # Bots get no delivery receipts; inbound files come as file ids, not URLs (see README).
    capabilities = {"media", "webhooks"}

    @pytest.fixture
    async def component(self) -> AsyncIterator[MessagingHarness]:
        async for harness in conformance_harness():
            yield harness


class TestTelegramPackaging(MessagingPluginSuite):
    plugin = plugin
    heavy_modules = ("httpx",)
    config_examples = {
        "telegram": {
            "bot_token": "123456789:telegram-bot-token-0123",
            "webhook_secret": "telegram-webhook-secret-0123",
        }
    }
