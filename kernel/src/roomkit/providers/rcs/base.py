"""The RCS provider contract and its result (which says whether SMS fallback was used)."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

from roomkit.models.delivery import ProviderResult
from roomkit.models.event import InboundMessage, RoomEvent
from roomkit.providers.messaging import MessagingProvider

__all__ = ["RCSDeliveryResult", "RCSProvider"]


class RCSDeliveryResult(ProviderResult):
    """A send result telling whether RCS was used or the provider fell back to SMS."""

    channel_used: str = "rcs"
    fallback: bool = False


class RCSProvider(MessagingProvider):
    """Sends RCS messages (rich cards, carousels, suggested actions) through one vendor.

    Implement :meth:`send`; it receives the event fitted to the RCS channel (text, rich
    content with buttons / cards / quick replies, or media). When ``fallback`` is true and the
    recipient cannot receive RCS, a provider that :attr:`supports_fallback` sends SMS instead and
    says so in the result (``channel_used="sms"``, ``fallback=True``); otherwise it returns a
    failed (permanent) result.
    """

    @property
    def sender_id(self) -> str:
        """The RCS agent / sender identifier."""
        return self.name

    @property
    def supports_fallback(self) -> bool:
        """Whether this provider can fall back to SMS."""
        return False

    @abstractmethod
    async def send(self, event: RoomEvent, to: str, *, fallback: bool = True) -> RCSDeliveryResult:
        """Send ``event`` to the phone number ``to``."""

    async def check_capability(self, phone_number: str) -> bool:
        """Whether ``phone_number`` can receive RCS (``True`` unless the provider can tell)."""
        return True

    async def parse_webhook(self, payload: dict[str, Any]) -> InboundMessage:
        """RoomKit 0.6.7's parsing entry point (see ``webhook_endpoints()``)."""
        raise self._moved("parse_webhook")

    def verify_signature(
        self, payload: bytes, signature: str, timestamp: str | None = None
    ) -> bool:
        """RoomKit 0.6.7's signature check (see ``webhook_endpoints()``)."""
        raise self._moved("verify_signature")
