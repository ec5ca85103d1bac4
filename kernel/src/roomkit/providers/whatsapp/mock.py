"""A recording WhatsApp provider for tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from roomkit.models.delivery import ProviderResult
from roomkit.models.event import RoomEvent
from roomkit.providers.mock import MockProviderBase
from roomkit.providers.whatsapp.base import WhatsAppProvider
from roomkit.providers.whatsapp.personal import WhatsAppPersonalProvider

__all__ = ["MockWhatsAppPersonalProvider", "MockWhatsAppProvider"]


class MockWhatsAppProvider(MockProviderBase, WhatsAppProvider):
    """Records WhatsApp messages in ``sent`` (``{"event", "to"}``), templates in
    ``templates`` and reactions in ``reactions``."""

    def __init__(
        self, *, webhook_secret: str | None = None, clock: Callable[[], float] | None = None
    ) -> None:
        super().__init__(webhook_secret=webhook_secret, clock=clock)
        self.templates: list[dict[str, Any]] = []
        self.reactions: list[dict[str, str]] = []

    async def send(self, event: RoomEvent, to: str) -> ProviderResult:
        return await self._record(event, to)

    async def send_template(
        self, to: str, template_name: str, params: dict[str, Any] | None = None
    ) -> ProviderResult:
        self.templates.append({"to": to, "template_name": template_name, "params": params or {}})
        return ProviderResult.sent(f"tpl-{len(self.templates)}")

    async def send_reaction(self, chat: str, sender: str, message_id: str, emoji: str) -> None:
        self.reactions.append(
            {"chat": chat, "sender": sender, "message_id": message_id, "emoji": emoji}
        )


class MockWhatsAppPersonalProvider(MockWhatsAppProvider, WhatsAppPersonalProvider):
    """A recording WhatsApp Personal provider: also records typing indicators in ``typing``
    (``{"to", "is_typing"}``) and read receipts in ``read`` (``{"message_ids", "chat",
    "sender"}``)."""

    def __init__(
        self, *, webhook_secret: str | None = None, clock: Callable[[], float] | None = None
    ) -> None:
        super().__init__(webhook_secret=webhook_secret, clock=clock)
        self.typing: list[dict[str, Any]] = []
        self.read: list[dict[str, Any]] = []

    async def send_typing(self, to: str, *, is_typing: bool = True, media: str = "text") -> None:
        self.typing.append({"to": to, "is_typing": is_typing})

    async def mark_read(self, message_ids: list[str], chat: str, sender: str) -> None:
        self.read.append({"message_ids": list(message_ids), "chat": chat, "sender": sender})
