"""The WhatsApp (Business / Cloud API) provider contract."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

from roomkit.models.delivery import ProviderResult
from roomkit.models.event import InboundMessage, RoomEvent
from roomkit.providers.messaging import MessagingProvider

__all__ = ["WhatsAppProvider"]


class WhatsAppProvider(MessagingProvider):
    """Sends WhatsApp messages (text, media, location, interactive buttons, templates).

    Implement :meth:`send`; ``to`` is the recipient's phone number (E.164). Templates and
    reactions are optional.
    """

    @abstractmethod
    async def send(self, event: RoomEvent, to: str) -> ProviderResult:
        """Send ``event`` to ``to``."""

    async def send_template(
        self, to: str, template_name: str, params: dict[str, Any] | None = None
    ) -> ProviderResult:
        """Send the approved template ``template_name`` (optional feature)."""
        raise NotImplementedError(f"{self.name} does not send templates")

    async def send_reaction(self, chat: str, sender: str, message_id: str, emoji: str) -> None:
        """React with ``emoji`` to a message (optional feature)."""
        raise NotImplementedError(f"{self.name} does not send reactions")

    async def parse_webhook(self, payload: dict[str, Any]) -> InboundMessage:
        """RoomKit 0.6.7's parsing entry point (see ``webhook_endpoints()``)."""
        raise self._moved("parse_webhook")
