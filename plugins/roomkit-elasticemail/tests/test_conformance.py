"""ElasticEmailProvider passes the messaging conformance suite (sending: its notifications are
unsigned, see test_notifications.py) and the messaging packaging checks."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from roomkit_elasticemail import plugin
from roomkit_elasticemail.testing import conformance_harness

from roomkit_conformance.suites.messaging import MessagingHarness, MessagingProviderSuite
from roomkit_conformance.suites.messaging_plugin import MessagingPluginSuite


class TestElasticEmailConformance(MessagingProviderSuite):
    capabilities = {"media", "delivery_receipts"}

    @pytest.fixture
    async def component(self) -> AsyncIterator[MessagingHarness]:
        async for harness in conformance_harness():
            yield harness


class TestElasticEmailPackaging(MessagingPluginSuite):
    plugin = plugin
    heavy_modules = ("httpx",)
    config_examples = {
        "elasticemail": {
            "api_key": "elastic-api-key-0123456789",
            "from_email": "help@shop.example",
            "webhook_token": "notification-token-0123456789",
        }
    }
