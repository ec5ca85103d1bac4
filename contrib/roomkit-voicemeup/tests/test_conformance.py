"""VoiceMeUpSMSProvider passes the messaging conformance suite over the VoiceMeUp wire fake."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from roomkit_voicemeup.testing import sms_harness

from roomkit_conformance.suites.messaging import MessagingHarness, MessagingProviderSuite


class TestVoiceMeUpSMS(MessagingProviderSuite):
    capabilities = {"media", "webhooks", "inbound_media"}

    @pytest.fixture
    async def component(self) -> AsyncIterator[MessagingHarness]:
        async with sms_harness() as harness:
            yield harness
