"""A recording HTTP provider for tests."""

from __future__ import annotations

from roomkit.models.delivery import ProviderResult
from roomkit.models.event import RoomEvent
from roomkit.providers.http.base import HTTPProvider
from roomkit.providers.mock import MockProviderBase

__all__ = ["MockHTTPProvider"]


class MockHTTPProvider(MockProviderBase, HTTPProvider):
    """Records posts in ``sent`` (``{"event", "to"}``); see
    :class:`~roomkit.providers.mock.MockProviderBase` for failures and webhooks."""

    async def send(self, event: RoomEvent, to: str) -> ProviderResult:
        return await self._record(event, to)
