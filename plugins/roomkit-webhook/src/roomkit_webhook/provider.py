"""``WebhookHTTPProvider``: room events posted as signed JSON to another system's URL, and
that system's signed webhooks (messages, delivery statuses) received back."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Mapping
from typing import Any

import httpx

from roomkit.messaging.signing import SIGNATURE_HEADER, HmacSigner, HmacVerifier
from roomkit.messaging.webhook import WebhookEndpoint
from roomkit.models.delivery import ProviderResult
from roomkit.models.event import RoomEvent
from roomkit.providers.http.base import HTTPProvider
from roomkit.providers.vendor_http import call_vendor, redactor_for
from roomkit_webhook.config import HTTPProviderConfig
from roomkit_webhook.inbound import HTTPWebhookParser, parse_http_webhook

__all__ = ["HTTPProviderConfig", "WebhookHTTPProvider", "parse_http_webhook"]

#: The header carrying the message id, so the receiver can drop a post retried by RoomKit.
IDEMPOTENCY_HEADER = "Idempotency-Key"


class WebhookHTTPProvider(HTTPProvider):
    """Posts each event for a recipient as JSON to ``config.webhook_url``::

        {"id": "<message id>", "recipient_id": "...", "room_id": "...", "event_id": "...",
         "channel_id": "<the event's source channel>", "content": {"type": "text", ...},
         "metadata": {...}}

    signed with ``config.secret`` (``X-RoomKit-Signature``, see :class:`HTTPProviderConfig`)
    and carrying the message id in ``Idempotency-Key``. Any 2xx answer is a success; its JSON
    ``message_id``, when given, becomes the provider message id (else the posted ``id``).
    With a secret, :meth:`webhook_endpoints` receives the other system's signed webhooks.
    """

    def __init__(self, config: HTTPProviderConfig) -> None:
        self._config = config
        secrets = config.signing_secrets()
        self._signer = HmacSigner(secrets) if secrets else None
        self._redactor = redactor_for(
            [*secrets, *(v.get_secret_value() for v in config.headers.values())]
        )
        self._client = httpx.AsyncClient(timeout=config.timeout, follow_redirects=False)

    @property
    def name(self) -> str:
        return "webhook"

    @property
    def config(self) -> HTTPProviderConfig:
        """The configuration this provider was built with."""
        return self._config

    def _payload(self, event: RoomEvent, to: str, message_id: str) -> dict[str, Any]:
        return {
            "id": message_id,
            "recipient_id": to,
            "room_id": event.room_id,
            "event_id": event.id,
            "channel_id": event.source.channel_id,
            "content": event.content.model_dump(mode="json", exclude_none=True),
            "metadata": event.metadata,
        }

    def _headers(self, body: bytes, message_id: str) -> dict[str, str]:
        headers = {
            **self._config.plain_headers(),
            "Content-Type": "application/json",
            IDEMPOTENCY_HEADER: message_id,
        }
        if self._signer is not None:
            if self._config.signature_format == "legacy":
                key = self._config.signing_secrets()[0].encode()
                headers[SIGNATURE_HEADER] = hmac.new(key, body, hashlib.sha256).hexdigest()
            else:
                headers.update(self._signer.headers(body))
        return headers

    async def send(self, event: RoomEvent, to: str) -> ProviderResult:
        message_id = f"rk_{uuid.uuid4().hex}"
        body = json.dumps(self._payload(event, to, message_id), default=str).encode()
        outcome = await call_vendor(
            self.name,
            self._client.post(
                self._config.webhook_url, content=body, headers=self._headers(body, message_id)
            ),
            timeout=self._config.timeout,
            redactor=self._redactor,
        )
        if isinstance(outcome, ProviderResult):
            return outcome
        return ProviderResult.sent(_answered_id(outcome) or message_id)

    def webhook_endpoints(self) -> Mapping[str, WebhookEndpoint]:
        """The route receiving the other system's signed webhooks (none without a secret)."""
        secrets = self._config.signing_secrets()
        if not secrets:
            return {}
        verifier = HmacVerifier(secrets, tolerance_seconds=self._config.tolerance_seconds)
        return {"": WebhookEndpoint(verifier, HTTPWebhookParser(self.name), name="webhook")}

    async def close(self) -> None:
        await self._client.aclose()


def _answered_id(response: httpx.Response) -> str | None:
    if not response.content:
        return None
    try:
        data = response.json()
    except ValueError:
        return None
    value = data.get("message_id") if isinstance(data, dict) else None
    return value if isinstance(value, str) and value else None
