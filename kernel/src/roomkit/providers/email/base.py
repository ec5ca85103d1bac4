"""The email provider contract and the threading headers the email channel hands it."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

from pydantic import Field

from roomkit.deferred import DeferredModel
from roomkit.models.delivery import ProviderResult
from roomkit.models.event import InboundMessage, RoomEvent
from roomkit.providers.messaging import MessagingProvider

__all__ = ["EMAIL_METADATA_KEY", "EmailProvider", "EmailThreading"]

#: Key of the threading headers in ``event.metadata`` (outbound) and ``message.metadata``
#: (inbound).
EMAIL_METADATA_KEY = "email"


class EmailThreading(DeferredModel):
    """The headers that keep an email conversation in one thread.

    Outbound, the email channel sets them on the event it gives the provider
    (``event.metadata["email"]``): the provider sends ``message_id`` as the ``Message-ID``
    header and ``in_reply_to`` / ``references`` as ``In-Reply-To`` / ``References``, so the
    recipient's reply names them. Inbound, a parser puts the received headers in
    ``message.metadata["email"]`` the same way; the channel maps them back to the room.
    Ids are kept with their angle brackets (``"<abc@example.com>"``).
    """

    message_id: str | None = None
    in_reply_to: str | None = None
    references: list[str] = Field(default_factory=list)
    subject: str | None = None

    @classmethod
    def from_metadata(cls, metadata: dict[str, Any]) -> EmailThreading:
        """The threading headers stored in an event's or message's metadata (empty if none)."""
        data = metadata.get(EMAIL_METADATA_KEY)
        if not isinstance(data, dict):
            return cls()
        references = data.get("references") or []
        if isinstance(references, str):
            references = references.split()
        return cls(
            message_id=data.get("message_id") or None,
            in_reply_to=data.get("in_reply_to") or None,
            references=[str(r) for r in references if r],
            subject=data.get("subject") or None,
        )


class EmailProvider(MessagingProvider):
    """Sends email through one vendor.

    Implement :meth:`send`. The event is fitted to the email channel (text, rich HTML /
    markdown, media as attachments or links); :meth:`EmailThreading.from_metadata` on
    ``event.metadata`` gives the headers to send.
    """

    @abstractmethod
    async def send(
        self,
        event: RoomEvent,
        to: str,
        from_: str | None = None,
        subject: str | None = None,
    ) -> ProviderResult:
        """Send ``event`` to the address ``to``."""

    async def parse_inbound(self, payload: dict[str, Any]) -> InboundMessage:
        """RoomKit 0.6.7's inbound-parse entry point (see ``webhook_endpoints()``)."""
        raise self._moved("parse_inbound")
