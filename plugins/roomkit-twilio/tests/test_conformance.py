"""The Twilio providers pass the messaging conformance suite: the real twilio SDK over a real
socket to the Twilio wire fake, webhooks signed as Twilio signs them."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from roomkit_twilio.testing import rcs_harness, sms_harness, whatsapp_harness

from roomkit_conformance.suites.messaging import MessagingHarness, MessagingProviderSuite

RECEIVES = {"media", "webhooks", "inbound_media", "delivery_receipts"}


class TestTwilioSMS(MessagingProviderSuite):
    capabilities = RECEIVES

    @pytest.fixture
    async def component(self) -> AsyncIterator[MessagingHarness]:
        async with sms_harness() as harness:
            yield harness


class TestTwilioRCS(MessagingProviderSuite):
    capabilities = RECEIVES | {"read_receipts"}

    @pytest.fixture
    async def component(self) -> AsyncIterator[MessagingHarness]:
        async with rcs_harness() as harness:
            yield harness


class TestTwilioWhatsApp(MessagingProviderSuite):
    capabilities = RECEIVES | {"read_receipts"}

    @pytest.fixture
    async def component(self) -> AsyncIterator[MessagingHarness]:
        async with whatsapp_harness() as harness:
            yield harness
