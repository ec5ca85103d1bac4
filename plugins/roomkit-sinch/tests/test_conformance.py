"""SinchSMSProvider passes the messaging conformance suite against the Sinch wire fake, and
the distribution passes the messaging packaging checks."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from roomkit_sinch import plugin
from roomkit_sinch.testing import conformance_harness

from roomkit_conformance.suites.messaging import MessagingHarness, MessagingProviderSuite
from roomkit_conformance.suites.messaging_plugin import MessagingPluginSuite


class TestSinchConformance(MessagingProviderSuite):
    capabilities = {"media", "webhooks", "inbound_media", "delivery_receipts"}

    @pytest.fixture
    async def component(self) -> AsyncIterator[MessagingHarness]:
        async for harness in conformance_harness():
            yield harness


class TestSinchPackaging(MessagingPluginSuite):
    plugin = plugin
    heavy_modules = ("httpx",)
    config_examples = {
        "sinch": {
            "service_plan_id": "plan-1",
            "api_token": "sinch-api-token-0123456789",
            "from_number": "+15550001111",
            "webhook_secret": "sinch-callback-secret-0123",
        }
    }
