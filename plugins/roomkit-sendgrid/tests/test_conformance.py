"""SendGridProvider passes the messaging conformance suite against the SendGrid wire fake
(Mail Send, signed Event Webhook and Inbound Parse) and the messaging packaging checks."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from roomkit_sendgrid import plugin
from roomkit_sendgrid.testing import conformance_harness

from roomkit_conformance.suites.messaging import MessagingHarness, MessagingProviderSuite
from roomkit_conformance.suites.messaging_plugin import MessagingPluginSuite


class TestSendGridConformance(MessagingProviderSuite):
    capabilities = {"media", "webhooks", "delivery_receipts", "read_receipts"}

    @pytest.fixture
    async def component(self) -> AsyncIterator[MessagingHarness]:
        async for harness in conformance_harness():
            yield harness


class TestSendGridPackaging(MessagingPluginSuite):
    plugin = plugin
    heavy_modules = ("httpx", "cryptography")
    config_examples = {
        "sendgrid": {"api_key": "SG.secret-api-key-0123456789", "from_email": "help@shop.example"}
    }
