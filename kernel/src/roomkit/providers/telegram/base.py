"""The Telegram Bot provider contract."""

from __future__ import annotations

from abc import abstractmethod

from roomkit.models.delivery import ProviderResult
from roomkit.models.event import RoomEvent
from roomkit.providers.messaging import MessagingProvider

__all__ = ["TelegramProvider"]


class TelegramProvider(MessagingProvider):
    """Sends Telegram messages through a bot (text, media, location, inline keyboards).

    Implement :meth:`send`; ``to`` is the chat id.
    """

    @abstractmethod
    async def send(self, event: RoomEvent, to: str) -> ProviderResult:
        """Send ``event`` to the chat ``to``."""

    def verify_signature(self, payload: bytes, signature: str) -> bool:
        """RoomKit 0.6.7's secret-token check (see ``webhook_endpoints()``)."""
        raise self._moved("verify_signature")
