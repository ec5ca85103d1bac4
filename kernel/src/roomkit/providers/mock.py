"""What every mock messaging provider shares: recording, scripted failures, signed webhooks.

The mocks (``MockSMSProvider``, ``MockEmailProvider`` ...) record every send in ``sent``
(``{"event", "to", ...}`` dicts, as in RoomKit 0.6.7) and answer with a fresh message id.
Tests script vendor failures: :meth:`MockProviderBase.fail_next` (any failure),
:meth:`~MockProviderBase.fail_with_status` (as the vendor's HTTP status would be classified),
:meth:`~MockProviderBase.time_out_next`.

Given a ``webhook_secret``, a mock also receives webhooks in a small JSON format signed with
RoomKit's HMAC scheme (:mod:`roomkit.messaging.signing`), so the webhook server and the
conformance suite run against it exactly as against a vendor plugin.
:meth:`~MockProviderBase.inbound_request` and :meth:`~MockProviderBase.status_request` build
such signed requests::

    {"type": "message", "id": "m-1", "from": "+15550100", "to": "+15550199",
     "text": "hi", "media": [{"url": "https://...", "mime_type": "image/png"}],
     "email": {"message_id": "<...>", "in_reply_to": "<...>", "subject": "..."}}
    {"type": "status", "message_id": "<id from send>", "status": "delivered",
     "error_code": null, "error_message": null}
    {"events": [<either of the above>, ...]}
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from roomkit.errors import ConfigurationError, WebhookPayloadError
from roomkit.messaging.meta import build_inbound_content
from roomkit.messaging.signing import HmacSigner, HmacVerifier
from roomkit.messaging.webhook import (
    WebhookEndpoint,
    WebhookItem,
    WebhookParser,
    WebhookRequest,
)
from roomkit.models.delivery import DeliveryStatusUpdate, ProviderResult
from roomkit.models.event import InboundMessage, RoomEvent
from roomkit.providers.messaging import MessagingProvider

__all__ = ["MockProviderBase", "MockWebhookParser"]

_MAX_BATCH = 100


def _text(value: Any, field: str, *, required: bool = False) -> str | None:
    if value is None:
        if required:
            raise WebhookPayloadError(f"mock webhook: {field!r} is required")
        return None
    if not isinstance(value, str | int):
        raise WebhookPayloadError(f"mock webhook: {field!r} must be a string")
    return str(value)


class MockWebhookParser(WebhookParser):
    """Parses the mock JSON webhook format into messages and status updates."""

    def __init__(self, provider: str) -> None:
        self.provider = provider

    def parse(self, request: WebhookRequest, channel_id: str) -> Sequence[WebhookItem]:
        data = request.json_object()
        entries = data.get("events", [data])
        if not isinstance(entries, list) or not entries or len(entries) > _MAX_BATCH:
            raise WebhookPayloadError(f"mock webhook: 'events' must be a list of 1-{_MAX_BATCH}")
        return [self._item(entry, channel_id) for entry in entries]

    def _item(self, entry: Any, channel_id: str) -> WebhookItem:
        if not isinstance(entry, dict):
            raise WebhookPayloadError("mock webhook: each event must be a JSON object")
        kind = entry.get("type")
        if kind == "status":
            return DeliveryStatusUpdate(
                provider=self.provider,
                channel_id=channel_id,
                message_id=_text(entry.get("message_id"), "message_id", required=True) or "",
                status=_text(entry.get("status"), "status", required=True) or "",
                recipient=_text(entry.get("to"), "to") or "",
                error_code=_text(entry.get("error_code"), "error_code"),
                error_message=_text(entry.get("error_message"), "error_message"),
            )
        if kind != "message":
            raise WebhookPayloadError(f"mock webhook: unknown type {kind!r}")
        sender = _text(entry.get("from"), "from", required=True) or ""
        media = entry.get("media") or []
        if not isinstance(media, list) or not all(
            isinstance(m, dict) and isinstance(m.get("url"), str) for m in media
        ):
            raise WebhookPayloadError("mock webhook: 'media' must be a list of {url, mime_type}")
        message_id = _text(entry.get("id"), "id")
        metadata: dict[str, Any] = {"provider": self.provider}
        if entry.get("to") is not None:
            metadata["recipient"] = _text(entry.get("to"), "to")
        email = entry.get("email")
        if email is not None:
            if not isinstance(email, dict):
                raise WebhookPayloadError("mock webhook: 'email' must be an object")
            metadata["email"] = email
        try:
            return InboundMessage(
                channel_id=channel_id,
                sender_id=sender,
                content=build_inbound_content(_text(entry.get("text"), "text") or "", media),
                external_id=message_id,
                idempotency_key=message_id,
                metadata=metadata,
            )
        except ValueError as exc:
            raise WebhookPayloadError(f"mock webhook: {exc}") from None


class MockProviderBase(MessagingProvider):
    """Recording, scripted failures and signed webhooks for the mock providers."""

    def __init__(
        self, *, webhook_secret: str | None = None, clock: Callable[[], float] | None = None
    ) -> None:
        self.sent: list[dict[str, Any]] = []
        self._script: deque[tuple[ProviderResult, float]] = deque()
        clock = clock or time.time
        self._clock = clock
        self._signer = (
            HmacSigner(webhook_secret, clock=clock) if webhook_secret is not None else None
        )
        self._verifier = (
            HmacVerifier(webhook_secret, clock=clock) if webhook_secret is not None else None
        )
        self.closed = False

    # -- scripting -------------------------------------------------------------------------
    def fail_next(
        self,
        error: str = "mock failure",
        *,
        retryable: bool = False,
        status_code: int | None = None,
        retry_after: float | None = None,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` sends fail with this result (nothing is recorded)."""
        result = ProviderResult.failed(
            error, retryable=retryable, status_code=status_code, retry_after=retry_after
        )
        self._script.extend((result, 0.0) for _ in range(times))

    def fail_with_status(
        self, status_code: int, *, retry_after: float | None = None, times: int = 1
    ) -> None:
        """Fail the next sends as a vendor answering HTTP ``status_code`` would."""
        result = ProviderResult.from_http_error(
            status_code, "scripted vendor error", retry_after=retry_after
        )
        self._script.extend((result, 0.0) for _ in range(times))

    def time_out_next(self, *, after: float = 0.0, times: int = 1) -> None:
        """Make the next sends report a timeout (retryable) after ``after`` seconds."""
        result = ProviderResult.failed("mock: the vendor did not answer in time", retryable=True)
        self._script.extend((result, after) for _ in range(times))

    def reset(self) -> None:
        """Forget what was sent and every scripted failure."""
        self.sent.clear()
        self._script.clear()

    async def _record(self, event: RoomEvent, to: str, **fields: Any) -> ProviderResult:
        await asyncio.sleep(0)  # a real provider awaits the network: keep cancellation honest
        if self._script:
            result, after = self._script.popleft()
            if after:
                await asyncio.sleep(after)
            return result
        self.sent.append({"event": event, "to": to, **fields})
        return ProviderResult.sent(uuid.uuid4().hex)

    async def close(self) -> None:
        self.closed = True

    # -- webhooks --------------------------------------------------------------------------
    def webhook_endpoints(self) -> Mapping[str, WebhookEndpoint]:
        if self._verifier is None:
            return {}
        return {"": WebhookEndpoint(self._verifier, MockWebhookParser(self.name), name=self.name)}

    def signed_request(
        self,
        payload: Mapping[str, Any],
        *,
        url: str = "http://127.0.0.1/webhooks/mock",
        timestamp: int | None = None,
    ) -> WebhookRequest:
        """A POST of ``payload`` as JSON, signed with the mock's webhook secret."""
        if self._signer is None:
            raise ConfigurationError(f"{self.name} needs webhook_secret= to sign webhooks")
        body = json.dumps(payload).encode()
        headers = {k.lower(): v for k, v in self._signer.headers(body, timestamp).items()}
        headers["content-type"] = "application/json"
        return WebhookRequest(
            method="POST", url=url, headers=headers, body=body, received_at=self._clock()
        )

    def inbound_request(
        self,
        *,
        sender: str,
        text: str = "",
        media: Sequence[Mapping[str, str]] = (),
        message_id: str | None = None,
        to: str | None = None,
        email: Mapping[str, Any] | None = None,
        timestamp: int | None = None,
    ) -> WebhookRequest:
        """A signed webhook carrying a message from ``sender``."""
        payload: dict[str, Any] = {
            "type": "message",
            "id": message_id or uuid.uuid4().hex,
            "from": sender,
            "text": text,
            "media": [dict(m) for m in media],
        }
        if to is not None:
            payload["to"] = to
        if email is not None:
            payload["email"] = dict(email)
        return self.signed_request(payload, timestamp=timestamp)

    def status_request(
        self,
        *,
        message_id: str,
        status: str,
        error_code: str | None = None,
        error_message: str | None = None,
        timestamp: int | None = None,
    ) -> WebhookRequest:
        """A signed delivery-status webhook about the sent message ``message_id``."""
        payload = {
            "type": "status",
            "message_id": message_id,
            "status": status,
            "error_code": error_code,
            "error_message": error_message,
        }
        return self.signed_request(payload, timestamp=timestamp)
