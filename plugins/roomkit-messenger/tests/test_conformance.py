"""FacebookMessengerProvider passes the messaging conformance suite against the Send API
fake, and the distribution passes the messaging packaging checks."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from roomkit_messenger import plugin
from roomkit_messenger.testing import conformance_harness

from roomkit_conformance.suites.messaging import MessagingHarness, MessagingProviderSuite
from roomkit_conformance.suites.messaging_plugin import MessagingPluginSuite


class TestMessengerConformance(MessagingProviderSuite):
    # Messenger reports deliveries but has no "failed" or per-message "read" webhook, so the
    # suite's status checks do not apply; test_messenger.py checks delivery receipts.
    capabilities = {"media", "webhooks", "inbound_media"}

    @pytest.fixture
    async def component(self) -> AsyncIterator[MessagingHarness]:
        async for harness in conformance_harness():
            yield harness


class TestMessengerPackaging(MessagingPluginSuite):
    plugin = plugin
    heavy_modules = ("httpx",)
    config_examples = {
        "messenger": {
            "page_access_token": "EAAG-page-token-0123456789",
            "app_secret": "messenger-app-secret-0123",
            "verify_token": "messenger-verify-token-0123",
        }
    }
