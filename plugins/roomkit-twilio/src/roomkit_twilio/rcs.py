"""``TwilioRCSProvider``: RCS through an RCS-enabled Twilio Messaging Service."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from roomkit.messaging.webhook import WebhookEndpoint
from roomkit.models.event import InboundMessage, RoomEvent
from roomkit.providers.rcs.base import RCSDeliveryResult, RCSProvider
from roomkit_twilio._core import TwilioCore
from roomkit_twilio.config import TwilioRCSConfig
from roomkit_twilio.webhooks import strip_address_prefix, twilio_inbound_message

__all__ = ["TwilioRCSConfig", "TwilioRCSProvider", "parse_twilio_rcs_webhook"]


class TwilioRCSProvider(RCSProvider):
    """RCS through Twilio: the Messaging Service sends RCS to phones that have it and, with
    ``fallback=True``, SMS to the others; ``fallback=False`` addresses ``rcs:<number>`` so
    Twilio never falls back. Rich content goes as its text with the buttons as lines (RCS
    cards need Twilio Content templates: put ``{"twilio": {"content_sid": "HX..."}}`` in the
    event's metadata to send one)."""

    def __init__(self, config: TwilioRCSConfig) -> None:
        self._config = config
        self._core = TwilioCore(config, provider="twilio-rcs", channel="rcs")

    @property
    def name(self) -> str:
        return "twilio-rcs"

    @property
    def sender_id(self) -> str:
        """The Messaging Service that sends."""
        return self._config.messaging_service_sid

    @property
    def supports_fallback(self) -> bool:
        return True

    async def send(self, event: RoomEvent, to: str, *, fallback: bool = True) -> RCSDeliveryResult:
        """Send ``event`` to ``to``; RCS only when ``fallback`` is false."""
        number = strip_address_prefix(to)
        extra = _content_template(event)
        result = await self._core.send_event(
            event,
            to=number if fallback else f"rcs:{number}",
            messaging_service_sid=self._config.messaging_service_sid,
            extra=extra,
        )
        return RCSDeliveryResult(**result.model_dump(), channel_used="rcs", fallback=False)

    def webhook_endpoints(self) -> Mapping[str, WebhookEndpoint]:
        return self._core.endpoints()

    async def close(self) -> None:
        await self._core.close()


def _content_template(event: RoomEvent) -> dict[str, Any] | None:
    """``event.metadata["twilio"]`` ``content_sid`` / ``content_variables`` as SDK params."""
    options = event.metadata.get("twilio")
    if not isinstance(options, dict) or not options.get("content_sid"):
        return None
    extra: dict[str, Any] = {"content_sid": str(options["content_sid"])}
    variables = options.get("content_variables")
    if variables:
        extra["content_variables"] = (
            variables if isinstance(variables, str) else json.dumps(variables)
        )
    return extra


def parse_twilio_rcs_webhook(payload: dict[str, Any], channel_id: str) -> InboundMessage:
    """An incoming Twilio RCS webhook (its form as a dict) as an ``InboundMessage``; the
    sender is the phone number without Twilio's ``rcs:`` prefix (kept in
    ``metadata["address"]``). Verify the signature first."""
    form = {str(k): str(v) for k, v in payload.items() if v is not None}
    return twilio_inbound_message(form, channel_id, channel="rcs")
