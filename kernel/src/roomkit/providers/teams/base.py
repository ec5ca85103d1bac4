"""The Microsoft Teams provider contract."""

from __future__ import annotations

from abc import abstractmethod

from roomkit.models.delivery import ProviderResult
from roomkit.models.event import RoomEvent
from roomkit.providers.messaging import MessagingProvider

__all__ = ["TeamsProvider"]


class TeamsProvider(MessagingProvider):
    """Sends Teams activities through the Bot Framework (text, Adaptive Cards).

    Implement :meth:`send`; ``to`` is the Teams conversation id.
    """

    @abstractmethod
    async def send(self, event: RoomEvent, to: str) -> ProviderResult:
        """Send ``event`` to the conversation ``to``."""

    def verify_signature(self, payload: bytes, signature: str) -> bool:
        """RoomKit 0.6.7's check of the Bot Framework token (see ``webhook_endpoints()``)."""
        raise self._moved("verify_signature")
