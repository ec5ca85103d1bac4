"""The SMS provider contract."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

from roomkit.models.delivery import ProviderResult
from roomkit.models.event import InboundMessage, RoomEvent
from roomkit.providers.messaging import MessagingProvider

__all__ = ["SMSProvider"]


class SMSProvider(MessagingProvider):
    """Sends SMS / MMS through one vendor.

    Implement :meth:`send`. The event's content is already fitted to the SMS channel: a
    :class:`~roomkit.models.TextContent` of at most 1,600 characters, or a
    :class:`~roomkit.models.MediaContent` (MMS, its caption as the text).

    Optional: :attr:`from_number` (the default sender), ``webhook_endpoints()`` for inbound
    messages and delivery receipts, and a static ``extract_meta(payload) -> WebhookMeta`` that
    ``extract_sms_meta(<provider name>, payload)`` uses.
    """

    @property
    def from_number(self) -> str | None:
        """Default sender phone number (E.164), if the provider has one."""
        return None

    @abstractmethod
    async def send(self, event: RoomEvent, to: str, from_: str | None = None) -> ProviderResult:
        """Send ``event`` to the phone number ``to`` (from ``from_`` or the default sender)."""

    async def parse_webhook(self, payload: dict[str, Any]) -> InboundMessage:
        """RoomKit 0.6.7's parsing entry point; providers now parse through
        ``webhook_endpoints()`` (which also verify the signature first)."""
        raise self._moved("parse_webhook")

    def verify_signature(
        self, payload: bytes, signature: str, timestamp: str | None = None
    ) -> bool:
        """RoomKit 0.6.7's signature check; providers now verify in ``webhook_endpoints()``."""
        raise self._moved("verify_signature")
