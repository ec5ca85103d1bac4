"""``TwilioWhatsAppProvider``: WhatsApp through Twilio's Messages API (``whatsapp:`` addresses)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from roomkit.messaging.webhook import WebhookEndpoint
from roomkit.models.content import TemplateContent
from roomkit.models.delivery import ProviderResult
from roomkit.models.event import RoomEvent
from roomkit.providers.whatsapp.base import WhatsAppProvider
from roomkit_twilio._core import TwilioCore
from roomkit_twilio.config import TwilioWhatsAppConfig
from roomkit_twilio.webhooks import strip_address_prefix

__all__ = ["TwilioWhatsAppConfig", "TwilioWhatsAppProvider"]


class TwilioWhatsAppProvider(WhatsAppProvider):
    """WhatsApp Business messages through Twilio.

    Text, media and locations (as text) go as session messages; a ``TemplateContent`` whose
    ``template_id`` is a Twilio Content SID (``HX...``) goes as that approved template with
    its ``parameters`` as content variables (what WhatsApp requires outside the 24-hour
    window). Incoming messages, button replies and status callbacks (``read`` included)
    arrive on the signed webhook route.
    """

    def __init__(self, config: TwilioWhatsAppConfig) -> None:
        self._config = config
        self._core = TwilioCore(config, provider="twilio-whatsapp", channel="whatsapp")

    @property
    def name(self) -> str:
        return "twilio-whatsapp"

    def _sender(self) -> tuple[str | None, str | None]:
        service = self._config.messaging_service_sid
        if service:
            return None, service
        return f"whatsapp:{strip_address_prefix(self._config.from_number)}", None

    async def send(self, event: RoomEvent, to: str) -> ProviderResult:
        """Send ``event`` to the WhatsApp user ``to`` (E.164)."""
        sender, service = self._sender()
        extra: dict[str, Any] | None = None
        content = event.content
        if isinstance(content, TemplateContent):
            extra = _template(content.template_id, content.parameters)
        return await self._core.send_event(
            event,
            to=f"whatsapp:{strip_address_prefix(to)}",
            sender=sender,
            messaging_service_sid=service,
            extra=extra,
        )

    async def send_template(
        self, to: str, template_name: str, params: dict[str, Any] | None = None
    ) -> ProviderResult:
        """Send the approved Content template ``template_name`` (an ``HX...`` SID)."""
        sender, service = self._sender()
        return await self._core.messages.create(
            to=f"whatsapp:{strip_address_prefix(to)}",
            body="",
            sender=sender,
            messaging_service_sid=service,
            extra=_template(template_name, params or {}),
        )

    def webhook_endpoints(self) -> Mapping[str, WebhookEndpoint]:
        return self._core.endpoints()

    async def close(self) -> None:
        await self._core.close()


def _template(content_sid: str, params: Mapping[str, Any]) -> dict[str, Any]:
    extra: dict[str, Any] = {"content_sid": content_sid}
    if params:
        extra["content_variables"] = json.dumps({str(k): str(v) for k, v in params.items()})
    return extra
