"""A recording SMS provider for tests."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from roomkit.errors import InvalidContentError
from roomkit.messaging.meta import WebhookMeta
from roomkit.models.delivery import ProviderResult
from roomkit.models.event import RoomEvent
from roomkit.providers.mock import MockProviderBase
from roomkit.providers.sms.base import SMSProvider

__all__ = ["MockSMSProvider"]


class MockSMSProvider(MockProviderBase, SMSProvider):
    """Records sent SMS in ``sent`` (``{"event", "to", "from"}``); see
    :class:`~roomkit.providers.mock.MockProviderBase` for failures and webhooks.

    ``extract_sms_meta("mock", payload)`` reads the mock webhook format.
    """

    def __init__(
        self,
        from_number: str = "+15550001234",
        *,
        webhook_secret: str | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        super().__init__(webhook_secret=webhook_secret, clock=clock)
        self._from_number = from_number

    @property
    def from_number(self) -> str:
        return self._from_number

    async def send(self, event: RoomEvent, to: str, from_: str | None = None) -> ProviderResult:
        return await self._record(event, to, **{"from": from_ or self._from_number})

    @staticmethod
    def extract_meta(payload: Mapping[str, Any]) -> WebhookMeta:
        """Read a mock-format webhook (see :mod:`roomkit.providers.mock`)."""
        kind = payload.get("type")
        if kind == "status":
            return WebhookMeta(
                provider="mock",
                sender="",
                recipient=str(payload.get("to") or ""),
                body="",
                external_id=str(payload.get("message_id") or "") or None,
                timestamp=None,
                raw=dict(payload),
                direction="outbound",
                status=str(payload.get("status") or "unknown"),
                error_code=payload.get("error_code"),
                error_message=payload.get("error_message"),
            )
        if kind != "message" or not payload.get("from"):
            raise InvalidContentError("not a mock SMS webhook (need type and from)")
        return WebhookMeta(
            provider="mock",
            sender=str(payload["from"]),
            recipient=str(payload.get("to") or ""),
            body=str(payload.get("text") or ""),
            external_id=str(payload["id"]) if payload.get("id") else None,
            timestamp=None,
            raw=dict(payload),
            media_urls=[
                {"url": m.get("url"), "mime_type": m.get("mime_type")}
                for m in payload.get("media") or []
                if isinstance(m, dict)
            ],
            direction="inbound",
        )
