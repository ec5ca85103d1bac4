"""``TelnyxRCSProvider``: RCS through Telnyx (``POST /v2/messages/rcs``): text with suggested
replies and actions, rich cards and carousels, media, and SMS / MMS fallback."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from roomkit.core.transcoding import content_to_text
from roomkit.errors import TransientProviderError
from roomkit.messaging.webhook import WebhookEndpoint
from roomkit.models.content import RichButton, RichCard, RichContent
from roomkit.models.event import InboundMessage, RoomEvent
from roomkit.providers.rcs.base import RCSDeliveryResult, RCSProvider
from roomkit_telnyx._core import TelnyxCore
from roomkit_telnyx.config import TelnyxRCSConfig
from roomkit_telnyx.sms import message_text_and_media
from roomkit_telnyx.webhooks import telnyx_inbound_message

__all__ = ["TelnyxRCSConfig", "TelnyxRCSProvider", "parse_telnyx_rcs_webhook"]

_MAX_SUGGESTIONS = 11
_MAX_LABEL = 25


def _suggestion(label: str, value: str | None = None, url: str | None = None) -> dict[str, Any]:
    text = label[:_MAX_LABEL]
    if url:
        return {
            "action": {
                "text": text,
                "postback_data": value or label,
                "open_url_action": {"url": url},
            }
        }
    return {"reply": {"text": text, "postback_data": value or label}}


def _suggestions(
    buttons: Sequence[RichButton], replies: Sequence[str] = ()
) -> list[dict[str, Any]]:
    found = [_suggestion(b.label, b.value, b.url) for b in buttons]
    found += [_suggestion(reply) for reply in replies]
    return found[:_MAX_SUGGESTIONS]


def _card(card: RichCard) -> dict[str, Any]:
    content: dict[str, Any] = {"title": card.title}
    if card.body:
        content["description"] = card.body
    if card.image_url:
        content["media"] = {"height": "MEDIUM", "content_info": {"file_url": card.image_url}}
    if card.buttons:
        content["suggestions"] = _suggestions(card.buttons)
    return content


def content_message(content: Any) -> dict[str, Any]:
    """The ``agent_message.content_message`` of a RoomKit content."""
    kind = getattr(content, "type", "")
    if isinstance(content, RichContent):
        message: dict[str, Any] = {}
        if len(content.cards) == 1:
            message["rich_card"] = {
                "standalone_card": {
                    "card_orientation": "VERTICAL",
                    "card_content": _card(content.cards[0]),
                }
            }
        elif content.cards:
            message["rich_card"] = {
                "carousel_card": {
                    "card_width": "MEDIUM",
                    "card_contents": [_card(c) for c in content.cards],
                }
            }
        else:
            message["text"] = content.plain_text or content.body
        suggestions = _suggestions(content.buttons, content.quick_replies)
        if suggestions:
            message["suggestions"] = suggestions
        return message
    if kind in ("media", "audio", "video"):
        caption = getattr(content, "caption", None)
        if caption:  # media with words: a card holding the picture and the caption
            card = {
                "description": caption,
                "media": {"height": "MEDIUM", "content_info": {"file_url": content.url}},
            }
            return {
                "rich_card": {
                    "standalone_card": {"card_orientation": "VERTICAL", "card_content": card}
                }
            }
        return {"content_info": {"file_url": content.url}}
    return {"text": content_to_text(content)}


class TelnyxRCSProvider(RCSProvider):
    """RCS through Telnyx from the agent ``config.agent_id``.

    With ``config.fallback_from``, a send with ``fallback=True`` carries an SMS (or MMS, with
    media) fallback that Telnyx uses for phones without RCS; ``public_key`` verifies webhooks.
    """

    def __init__(self, config: TelnyxRCSConfig, public_key: str | None = None) -> None:
        self._config = config
        self._core = TelnyxCore(config, provider="telnyx-rcs", channel="rcs", public_key=public_key)

    @property
    def name(self) -> str:
        return "telnyx-rcs"

    @property
    def sender_id(self) -> str:
        """The RCS agent that sends."""
        return self._config.agent_id

    @property
    def supports_fallback(self) -> bool:
        """True when an SMS sender for the fallback is configured."""
        return bool(self._config.fallback_from)

    async def send(self, event: RoomEvent, to: str, *, fallback: bool = True) -> RCSDeliveryResult:
        """Send ``event`` to ``to`` as RCS (with the SMS / MMS fallback when allowed)."""
        body: dict[str, Any] = {
            "agent_id": self._config.agent_id,
            "to": to,
            "type": "RCS",
            "agent_message": {"content_message": content_message(event.content)},
        }
        if self._config.messaging_profile_id:
            body["messaging_profile_id"] = self._config.messaging_profile_id
        if self._config.webhook_url:
            body["webhook_url"] = self._config.webhook_url
        if fallback and self._config.fallback_from:
            text, media = message_text_and_media(event.content)
            if media:
                body["mms_fallback"] = {
                    "from": self._config.fallback_from,
                    "text": text,
                    "media_urls": media,
                }
            else:
                body["sms_fallback"] = {"from": self._config.fallback_from, "text": text}
        failure, data = await self._core.api.call("POST", "/v2/messages/rcs", body)
        if failure is not None:
            return RCSDeliveryResult(**failure.model_dump())
        used_sms = str(data.get("type") or "RCS").upper() in ("SMS", "MMS")
        return RCSDeliveryResult(
            success=True,
            provider_message_id=str(data["id"]),
            channel_used="sms" if used_sms else "rcs",
            fallback=used_sms,
        )

    async def check_capability(self, phone_number: str) -> bool:
        """Whether ``phone_number`` can receive RCS from the agent (Telnyx lists its RCS
        features); a 4xx answer means no; a 5xx or a timeout raises
        ``TransientProviderError``."""
        path = f"/v2/messaging/rcs/capabilities/{self._config.agent_id}/{phone_number}"
        failure, data = await self._core.api.call("GET", path)
        if failure is not None:
            if failure.retryable:
                raise TransientProviderError(
                    failure.error or "telnyx-rcs: capability check failed",
                    provider=self.name,
                    status_code=failure.status_code,
                )
            return False
        return bool(data.get("features") or data.get("rcs_enabled"))

    def webhook_endpoints(self) -> Mapping[str, WebhookEndpoint]:
        return self._core.endpoints()

    def verify_signature(
        self, payload: bytes, signature: str, timestamp: str | None = None
    ) -> bool:
        """RoomKit 0.6.7's boolean ed25519 check (see ``TelnyxSMSProvider``)."""
        return self._core.verify(payload, signature, timestamp)

    async def close(self) -> None:
        await self._core.close()


def parse_telnyx_rcs_webhook(
    payload: dict[str, Any], channel_id: str, *, strict: bool = True
) -> InboundMessage:
    """A Telnyx RCS ``message.received`` webhook as an ``InboundMessage`` (agent, suggestion
    response and location in ``metadata``; a tapped suggestion's text as the body when the
    message has none)."""
    return telnyx_inbound_message(payload, channel_id, channel="rcs", strict=strict)
