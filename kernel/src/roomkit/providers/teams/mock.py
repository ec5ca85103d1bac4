"""A recording Teams provider for tests."""

from __future__ import annotations

from roomkit.models.delivery import ProviderResult
from roomkit.models.event import RoomEvent
from roomkit.providers.mock import MockProviderBase
from roomkit.providers.teams.base import TeamsProvider

__all__ = ["MockTeamsProvider"]


class MockTeamsProvider(MockProviderBase, TeamsProvider):
    """Records Teams messages in ``sent`` (``{"event", "to"}``); see
    :class:`~roomkit.providers.mock.MockProviderBase` for failures and webhooks."""

    async def send(self, event: RoomEvent, to: str) -> ProviderResult:
        return await self._record(event, to)
