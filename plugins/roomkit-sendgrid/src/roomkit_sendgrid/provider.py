"""``SendGridProvider``: email through SendGrid's v3 Mail Send API, with its signed Event
Webhook (delivery statuses) and Inbound Parse (replies) received through
``webhook_endpoints()``."""

from __future__ import annotations

from collections.abc import Mapping
from email.utils import parseaddr
from typing import Any

import httpx

from roomkit.errors import InvalidContentError
from roomkit.messaging.webhook import WebhookEndpoint
from roomkit.models.delivery import ProviderResult
from roomkit.models.event import RoomEvent
from roomkit.providers.email.base import EmailProvider
from roomkit.providers.email.compose import EmailParts, compose_email
from roomkit.providers.vendor_http import call_vendor, redactor_for
from roomkit_sendgrid.config import SendGridConfig
from roomkit_sendgrid.signature import SendGridSignatureVerifier
from roomkit_sendgrid.webhooks import SendGridWebhookParser, SendGridWebhookVerifier

__all__ = ["SendGridConfig", "SendGridProvider"]


def _address(value: str, name: str | None) -> dict[str, str]:
    shown, email = parseaddr(value)
    found = {"email": email or value}
    if shown or name:
        found["name"] = shown or name or ""
    return found


class SendGridProvider(EmailProvider):
    """Sends each email with ``POST /v3/mail/send``: a ``text/plain`` and a ``text/html``
    part, ``data:`` media as attachments, other media as links, the email channel's
    threading headers (``Message-ID``, ``In-Reply-To``, ``References``) so replies land in
    the same room, and the room and event ids as ``custom_args`` (they come back in every
    event). The ``X-Message-Id`` of the answer is the provider message id.

    :meth:`webhook_endpoints` takes both SendGrid webhooks on one route (point the Event
    Webhook and the Inbound Parse URL at it), each verified with its public key.
    """

    def __init__(self, config: SendGridConfig) -> None:
        self._config = config
        key = config.api_key.get_secret_value()
        self._redactor = redactor_for([key])
        self._client = httpx.AsyncClient(
            timeout=config.timeout,
            headers={"Authorization": f"Bearer {key}"},
            follow_redirects=False,
        )

    @property
    def name(self) -> str:
        return "sendgrid"

    @property
    def config(self) -> SendGridConfig:
        """The configuration this provider was built with."""
        return self._config

    def _mail(
        self, event: RoomEvent, parts: EmailParts, to: str, sender: str, subject: str | None
    ) -> dict[str, Any]:
        content = []
        if parts.text:  # SendGrid wants text/plain before text/html
            content.append({"type": "text/plain", "value": parts.text})
        if parts.html:
            content.append({"type": "text/html", "value": parts.html})
        mail: dict[str, Any] = {
            "personalizations": [{"to": [{"email": to}]}],
            "from": _address(sender, self._config.from_name),
            "subject": subject or self._config.default_subject,
            "content": content or [{"type": "text/plain", "value": " "}],
            "custom_args": {"roomkit_event_id": event.id, "roomkit_room_id": event.room_id},
        }
        if parts.headers:
            mail["headers"] = parts.headers
        if parts.attachments:
            mail["attachments"] = [
                {
                    "content": a.base64(),
                    "filename": a.filename,
                    "type": a.mime_type,
                    "disposition": "attachment",
                }
                for a in parts.attachments
            ]
        return mail

    async def send(
        self,
        event: RoomEvent,
        to: str,
        from_: str | None = None,
        subject: str | None = None,
    ) -> ProviderResult:
        try:
            parts = compose_email(event, max_attachment_bytes=self._config.max_attachment_bytes)
        except InvalidContentError as exc:
            return ProviderResult.failed(f"sendgrid: {exc}")
        if parts.empty:
            return ProviderResult.failed("sendgrid: nothing to send (no text, HTML or file)")
        mail = self._mail(event, parts, to, from_ or self._config.from_email, subject)
        outcome = await call_vendor(
            self.name,
            self._client.post(self._config.base_url, json=mail),
            timeout=self._config.timeout,
            redactor=self._redactor,
        )
        if isinstance(outcome, ProviderResult):
            return outcome
        return ProviderResult.sent(outcome.headers.get("x-message-id") or None)

    def webhook_endpoints(self) -> Mapping[str, WebhookEndpoint]:
        """One route for the Event Webhook and Inbound Parse (none without either key)."""
        config = self._config
        tolerance = config.webhook_tolerance_seconds
        events = inbound = None
        if config.event_webhook_public_key:
            events = SendGridSignatureVerifier(
                config.event_webhook_public_key, tolerance_seconds=tolerance, kind="Event Webhook"
            )
        if config.inbound_parse_public_key:
            inbound = SendGridSignatureVerifier(
                config.inbound_parse_public_key, tolerance_seconds=tolerance, kind="Inbound Parse"
            )
        if events is None and inbound is None:
            return {}
        parser = SendGridWebhookParser(
            max_inbound_attachment_bytes=config.max_inbound_attachment_bytes
        )
        return {
            "": WebhookEndpoint(SendGridWebhookVerifier(events, inbound), parser, name="sendgrid")
        }

    async def close(self) -> None:
        await self._client.aclose()
