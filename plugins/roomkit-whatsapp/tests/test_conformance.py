"""WhatsAppCloudProvider passes the messaging conformance suite against the Cloud API fake,
and the distribution passes the messaging packaging checks."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from roomkit_whatsapp import plugin
from roomkit_whatsapp.testing import conformance_harness

from roomkit_conformance.suites.messaging import MessagingHarness, MessagingProviderSuite
from roomkit_conformance.suites.messaging_plugin import MessagingPluginSuite


class TestWhatsAppConformance(MessagingProviderSuite):
    capabilities = {"media", "webhooks", "inbound_media", "delivery_receipts", "read_receipts"}

    @pytest.fixture
    async def component(self) -> AsyncIterator[MessagingHarness]:
        async for harness in conformance_harness():
            yield harness


class TestWhatsAppPackaging(MessagingPluginSuite):
    plugin = plugin
    heavy_modules = ("httpx",)
    config_examples = {
        "whatsapp": {
            "access_token": "EAAG-whatsapp-token-0123456789",
            "phone_number_id": "106540352242922",
            "app_secret": "whatsapp-app-secret-0123",
            "verify_token": "whatsapp-verify-token-0123",
        }
    }
