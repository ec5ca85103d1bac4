"""The Teams provider passes the messaging conformance suite: real JWTs checked against the
wire fake's JWKS, real HTTP to the wire fake's Bot Connector API."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import roomkit_teams.plugin
from roomkit_teams.testing import teams_harness

from roomkit_conformance.suites.messaging import MessagingHarness, MessagingProviderSuite
from roomkit_conformance.suites.messaging_plugin import MessagingPluginSuite


class TestTeams(MessagingProviderSuite):
    capabilities = {"media", "webhooks", "inbound_media"}

    @pytest.fixture
    async def component(self) -> AsyncIterator[MessagingHarness]:
        async with teams_harness() as harness:
            yield harness


class TestPackaging(MessagingPluginSuite):
    plugin = roomkit_teams.plugin
    heavy_modules = ("botbuilder", "httpx", "jwt")
    config_examples = {"teams": {"app_id": "app-1", "app_password": "Teams-secret-123456"}}
