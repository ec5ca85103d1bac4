"""WebhookHTTPProvider passes the messaging conformance suite against a local receiver, and
the distribution passes the messaging packaging checks."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from roomkit_webhook import plugin
from roomkit_webhook.testing import conformance_harness

from roomkit_conformance.suites.messaging import MessagingHarness, MessagingProviderSuite
from roomkit_conformance.suites.messaging_plugin import MessagingPluginSuite


class TestWebhookConformance(MessagingProviderSuite):
    capabilities = {"media", "webhooks", "inbound_media", "delivery_receipts", "read_receipts"}

    @pytest.fixture
    async def component(self) -> AsyncIterator[MessagingHarness]:
        async for harness in conformance_harness():
            yield harness


class TestWebhookPackaging(MessagingPluginSuite):
    plugin = plugin
    heavy_modules = ("httpx",)
    config_examples = {
        "webhook": {
            "webhook_url": "https://partner.example.com/hooks",
            "secret": "whsec-current-0123456789",
            "rotating_secrets": ["whsec-previous-0123456789"],
            "headers": {"Authorization": "Bearer partner-token-0123456789"},
        }
    }
