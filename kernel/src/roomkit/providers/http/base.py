"""The HTTP (generic webhook) provider contract."""

from __future__ import annotations

from abc import abstractmethod

from roomkit.models.delivery import ProviderResult
from roomkit.models.event import RoomEvent
from roomkit.providers.messaging import MessagingProvider

__all__ = ["HTTPProvider"]


class HTTPProvider(MessagingProvider):
    """Posts room events to another system's HTTP endpoint.

    Implement :meth:`send`; ``to`` is the recipient id the binding names (the endpoint URL
    usually lives in the provider's configuration).
    """

    @abstractmethod
    async def send(self, event: RoomEvent, to: str) -> ProviderResult:
        """Deliver ``event`` for the recipient ``to``."""
