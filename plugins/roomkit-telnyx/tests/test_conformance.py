"""The Telnyx providers pass the messaging conformance suite over the Telnyx wire fake (real
socket), webhooks signed with ed25519 as Telnyx signs them."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from roomkit_telnyx.testing import rcs_harness, sms_harness

from roomkit_conformance.suites.messaging import MessagingHarness, MessagingProviderSuite

RECEIVES = {"media", "webhooks", "inbound_media", "delivery_receipts"}


class TestTelnyxSMS(MessagingProviderSuite):
    capabilities = RECEIVES

    @pytest.fixture
    async def component(self) -> AsyncIterator[MessagingHarness]:
        async with sms_harness() as harness:
            yield harness


class TestTelnyxRCS(MessagingProviderSuite):
    capabilities = RECEIVES | {"read_receipts"}

    @pytest.fixture
    async def component(self) -> AsyncIterator[MessagingHarness]:
        async with rcs_harness() as harness:
            yield harness
