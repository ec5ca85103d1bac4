"""A recording Telegram provider for tests."""

from __future__ import annotations

from roomkit.models.delivery import ProviderResult
from roomkit.models.event import RoomEvent
from roomkit.providers.mock import MockProviderBase
from roomkit.providers.telegram.base import TelegramProvider

__all__ = ["MockTelegramProvider"]


class MockTelegramProvider(MockProviderBase, TelegramProvider):
    """Records Telegram messages in ``sent`` (``{"event", "to"}``); see
    :class:`~roomkit.providers.mock.MockProviderBase` for failures and webhooks."""

    async def send(self, event: RoomEvent, to: str) -> ProviderResult:
        return await self._record(event, to)
