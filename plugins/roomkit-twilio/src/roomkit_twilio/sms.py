"""``TwilioSMSProvider``: SMS and MMS through Twilio's Messages API (the twilio SDK)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from roomkit.errors import WebhookError
from roomkit.messaging.meta import WebhookMeta
from roomkit.messaging.webhook import WebhookEndpoint, WebhookRequest
from roomkit.models.delivery import ProviderResult
from roomkit.models.event import InboundMessage, RoomEvent
from roomkit.providers.sms.base import SMSProvider
from roomkit_twilio._core import TwilioCore
from roomkit_twilio.config import TwilioConfig
from roomkit_twilio.webhooks import extract_twilio_meta, twilio_inbound_message

__all__ = ["TwilioConfig", "TwilioSMSProvider", "parse_twilio_webhook"]


class TwilioSMSProvider(SMSProvider):
    """SMS / MMS through Twilio.

    Sends from ``config.from_number`` (or through ``config.messaging_service_sid``); media
    URLs go as MMS. Incoming messages and status callbacks arrive on one webhook route whose
    ``X-Twilio-Signature`` is verified before the form is read; mount it with
    ``roomkit-server`` and set ``config.status_callback`` to that route's public URL.
    """

    def __init__(self, config: TwilioConfig) -> None:
        self._config = config
        self._core = TwilioCore(config, provider="twilio", channel="sms")

    @property
    def name(self) -> str:
        return "twilio"

    @property
    def from_number(self) -> str:
        return self._config.from_number

    async def send(self, event: RoomEvent, to: str, from_: str | None = None) -> ProviderResult:
        """Send ``event`` to ``to`` (E.164) from ``from_``, else the configured sender."""
        service = None if from_ else self._config.messaging_service_sid
        sender = from_ or (None if service else self._config.from_number)
        return await self._core.send_event(
            event, to=to, sender=sender, messaging_service_sid=service
        )

    def webhook_endpoints(self) -> Mapping[str, WebhookEndpoint]:
        return self._core.endpoints()

    def verify_signature(
        self,
        payload: bytes,
        signature: str,
        timestamp: str | None = None,
        url: str | None = None,
    ) -> bool:
        """Whether ``signature`` (``X-Twilio-Signature``) signs the form body ``payload``
        sent to ``url`` (RoomKit 0.6.7's check; ``False`` without ``url``, which Twilio
        signs). ``timestamp`` is unused: Twilio signs none."""
        if not url:
            return False
        request = WebhookRequest(
            "POST",
            url,
            {
                "x-twilio-signature": signature,
                "content-type": "application/x-www-form-urlencoded",
            },
            payload,
        )
        try:
            self._core.endpoint.verifier.verify(request)
        except WebhookError:
            return False
        return True

    @staticmethod
    def extract_meta(payload: Mapping[str, Any]) -> WebhookMeta:
        """``extract_sms_meta("twilio", payload)``: a Twilio form as a ``WebhookMeta``."""
        return extract_twilio_meta(payload)

    async def close(self) -> None:
        await self._core.close()


def parse_twilio_webhook(payload: dict[str, Any], channel_id: str) -> InboundMessage:
    """An incoming Twilio SMS / MMS webhook (its form as a dict) as an ``InboundMessage``.

    Verify the signature first (``TwilioSMSProvider.verify_signature`` or the webhook
    server). A status callback raises ``WebhookPayloadError``: read it with
    ``extract_sms_meta("twilio", payload).to_status()``.
    """
    form = {str(k): str(v) for k, v in payload.items() if v is not None}
    return twilio_inbound_message(form, channel_id, channel="sms")
