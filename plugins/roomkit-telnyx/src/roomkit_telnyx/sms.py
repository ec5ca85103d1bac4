"""``TelnyxSMSProvider``: SMS and MMS through the Telnyx Messaging API v2 (httpx)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from roomkit.core.transcoding import content_to_text
from roomkit.messaging.meta import WebhookMeta
from roomkit.messaging.webhook import WebhookEndpoint
from roomkit.models.delivery import ProviderResult
from roomkit.models.event import InboundMessage, RoomEvent
from roomkit.providers.sms.base import SMSProvider
from roomkit_telnyx._core import TelnyxCore
from roomkit_telnyx.config import TelnyxConfig
from roomkit_telnyx.webhooks import extract_telnyx_meta, telnyx_inbound_message

__all__ = ["TelnyxConfig", "TelnyxSMSProvider", "message_text_and_media", "parse_telnyx_webhook"]


def message_text_and_media(content: Any) -> tuple[str, list[str]]:
    """Text and media URLs of a content (media keeps its caption as the text)."""
    kind = getattr(content, "type", "")
    if kind in ("media", "audio", "video"):
        return getattr(content, "caption", None) or "", [content.url]
    if kind == "composite":
        pieces = [message_text_and_media(part) for part in content.parts]
        text = "\n".join(t for t, _ in pieces if t)
        return text, [url for _, urls in pieces for url in urls]
    return content_to_text(content), []


class TelnyxSMSProvider(SMSProvider):
    """SMS / MMS through Telnyx. ``public_key`` (or ``config.public_key``) verifies the
    ed25519 signatures of inbound webhooks; without it the provider sends only."""

    def __init__(self, config: TelnyxConfig, public_key: str | None = None) -> None:
        self._config = config
        self._core = TelnyxCore(config, provider="telnyx", channel="sms", public_key=public_key)

    @property
    def name(self) -> str:
        return "telnyx"

    @property
    def from_number(self) -> str:
        return self._config.from_number

    async def send(self, event: RoomEvent, to: str, from_: str | None = None) -> ProviderResult:
        """Send ``event`` to ``to`` (E.164) from ``from_`` or the configured number."""
        text, media = message_text_and_media(event.content)
        if not text.strip() and not media:
            return ProviderResult.failed("telnyx: the event has nothing to send")
        body: dict[str, Any] = {"from": from_ or self._config.from_number, "to": to, "text": text}
        if media:
            body["media_urls"] = media
        if self._config.messaging_profile_id:
            body["messaging_profile_id"] = self._config.messaging_profile_id
        if self._config.webhook_url:
            body["webhook_url"] = self._config.webhook_url
        failure, data = await self._core.api.call("POST", "/v2/messages", body)
        if failure is not None:
            return failure
        recipients = data.get("to") or [{}]
        status = recipients[0].get("status") if isinstance(recipients[0], dict) else None
        return ProviderResult.sent(str(data["id"]), type=data.get("type"), status=status)

    def webhook_endpoints(self) -> Mapping[str, WebhookEndpoint]:
        return self._core.endpoints()

    def verify_signature(
        self, payload: bytes, signature: str, timestamp: str | None = None
    ) -> bool:
        """Whether ``signature`` (``telnyx-signature-ed25519``) signs ``timestamp|payload``
        with the account key, and the timestamp is recent (RoomKit 0.6.7's check, plus the
        replay window). ``ConfigurationError`` (a ``ValueError``) without a public key."""
        return self._core.verify(payload, signature, timestamp)

    @staticmethod
    def extract_meta(payload: Mapping[str, Any]) -> WebhookMeta:
        """``extract_sms_meta("telnyx", payload)``."""
        return extract_telnyx_meta(payload)

    async def close(self) -> None:
        await self._core.close()


def parse_telnyx_webhook(
    payload: dict[str, Any], channel_id: str, *, strict: bool = True
) -> InboundMessage:
    """A Telnyx ``message.received`` webhook (JSON as a dict) as an ``InboundMessage``.

    ``strict`` (default) raises ``WebhookPayloadError`` (a ``ValueError``) for status and
    other events; verify the signature first (the webhook server does).
    """
    return telnyx_inbound_message(payload, channel_id, channel="sms", strict=strict)
