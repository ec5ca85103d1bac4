"""A recording Messenger provider for tests."""

from __future__ import annotations

from roomkit.models.delivery import ProviderResult
from roomkit.models.event import RoomEvent
from roomkit.providers.messenger.base import MessengerProvider
from roomkit.providers.mock import MockProviderBase

__all__ = ["MockMessengerProvider"]


class MockMessengerProvider(MockProviderBase, MessengerProvider):
    """Records Messenger messages in ``sent`` (``{"event", "to"}``); see
    :class:`~roomkit.providers.mock.MockProviderBase` for failures and webhooks."""

    async def send(self, event: RoomEvent, to: str) -> ProviderResult:
        return await self._record(event, to)
