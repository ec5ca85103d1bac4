"""The WhatsApp Personal provider contract (a personal account driven by a client library).

The concrete provider (neonize) lives in the ``roomkit-whatsapp-personal`` plugin as
``NeonizeWhatsAppProvider``; in RoomKit 0.6.7 ``WhatsAppPersonalProvider`` was that concrete
class, here it is the contract it implements.
"""

from __future__ import annotations

from roomkit.providers.whatsapp.base import WhatsAppProvider

__all__ = ["WhatsAppPersonalProvider"]


class WhatsAppPersonalProvider(WhatsAppProvider):
    """A WhatsApp provider for a personal account: adds typing indicators and read receipts.

    Implement ``send``; :meth:`send_typing` and :meth:`mark_read` are optional.
    """

    async def send_typing(self, to: str, *, is_typing: bool = True, media: str = "text") -> None:
        """Show (or stop showing) the typing indicator in the chat with ``to``."""
        raise NotImplementedError(f"{self.name} does not send typing indicators")

    async def mark_read(self, message_ids: list[str], chat: str, sender: str) -> None:
        """Send read receipts (blue ticks) for ``message_ids``."""
        raise NotImplementedError(f"{self.name} does not send read receipts")
