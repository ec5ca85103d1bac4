"""The Facebook Messenger provider contract."""

from __future__ import annotations

from abc import abstractmethod

from roomkit.models.delivery import ProviderResult
from roomkit.models.event import RoomEvent
from roomkit.providers.messaging import MessagingProvider

__all__ = ["MessengerProvider"]


class MessengerProvider(MessagingProvider):
    """Sends Messenger messages (text, media, buttons, quick replies, templates).

    Implement :meth:`send`; ``to`` is the page-scoped user id (PSID).
    """

    @abstractmethod
    async def send(self, event: RoomEvent, to: str) -> ProviderResult:
        """Send ``event`` to the user ``to``."""

    def verify_signature(self, payload: bytes, signature: str) -> bool:
        """RoomKit 0.6.7's ``X-Hub-Signature-256`` check (see ``webhook_endpoints()``)."""
        raise self._moved("verify_signature")
