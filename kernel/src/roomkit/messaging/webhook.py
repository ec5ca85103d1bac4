"""The inbound-webhook contract between provider plugins and the webhook server.

A provider that receives webhooks returns one or more :class:`WebhookEndpoint` from
``provider.webhook_endpoints()``: a **verifier** that checks the request came from the vendor
(run first, on the raw bytes, before anything parses them) and a **parser** that turns the
verified request into :data:`WebhookItem` objects (inbound messages and delivery-status
updates). The server (``roomkit-server``) owns HTTP, size limits, queueing and dedupe; the
plugin owns only the vendor's signature scheme and payload format.

Both halves see a :class:`WebhookRequest`: the method, the public URL the vendor called
(vendors such as Twilio sign it), lower-cased headers, the query and the raw body.
"""

from __future__ import annotations

import json
import time
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from roomkit.errors import WebhookPayloadError
from roomkit.models.delivery import DeliveryStatusUpdate
from roomkit.models.event import InboundMessage

__all__ = [
    "WebhookEndpoint",
    "WebhookItem",
    "WebhookParser",
    "WebhookReply",
    "WebhookRequest",
    "WebhookVerifier",
    "dedupe_key",
]

WebhookItem = InboundMessage | DeliveryStatusUpdate
"""What a webhook carries: a message for a room, or a status of a message sent earlier."""


@dataclass(frozen=True, slots=True)
class WebhookRequest:
    """One HTTP request as the vendor sent it.

    ``url`` is the public URL (scheme, host, path and query) the vendor called; behind a
    proxy the server rebuilds it from its configured public base URL. ``headers`` keys are
    lower-case. ``received_at`` is a UNIX time (seconds), used for replay windows.
    """

    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes = b""
    query: Mapping[str, str] = field(default_factory=dict)
    received_at: float = field(default_factory=time.time)

    def header(self, name: str) -> str | None:
        """The value of header ``name`` (case-insensitive), or ``None``."""
        return self.headers.get(name.lower())

    @property
    def content_type(self) -> str:
        """The media type of the body, without parameters, lower-case."""
        value = self.header("content-type") or ""
        return value.split(";", 1)[0].strip().lower()

    def json(self) -> Any:
        """The body parsed as JSON; :class:`WebhookPayloadError` when it is not JSON."""
        try:
            return json.loads(self.body)
        except (UnicodeDecodeError, ValueError) as exc:
            raise WebhookPayloadError(f"webhook body is not JSON: {exc}") from None

    def json_object(self) -> dict[str, Any]:
        """The body as a JSON object (a ``dict``); :class:`WebhookPayloadError` otherwise."""
        data = self.json()
        if not isinstance(data, dict):
            raise WebhookPayloadError(
                f"webhook body must be a JSON object, not {type(data).__name__}"
            )
        return data

    def form(self) -> dict[str, str]:
        """The body parsed as ``application/x-www-form-urlencoded`` (last value wins)."""
        try:
            text = self.body.decode("utf-8")
            return dict(parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text)))
        except (UnicodeDecodeError, ValueError) as exc:
            raise WebhookPayloadError(f"webhook body is not form data: {exc}") from None


@dataclass(frozen=True, slots=True)
class WebhookReply:
    """The HTTP answer to give the vendor once the request is accepted."""

    status_code: int = 200
    body: bytes = b""
    media_type: str = "text/plain"


class WebhookVerifier(ABC):
    """Checks a request was sent by the vendor. Runs before the body is parsed."""

    @abstractmethod
    def verify(self, request: WebhookRequest) -> None:
        """Return when the request is authentic; otherwise raise
        :class:`~roomkit.errors.WebhookSignatureError` with ``reason`` ``"missing"`` (no
        signature), ``"invalid"`` (tampered or wrong secret) or ``"expired"`` (a signed
        timestamp outside the accepted window: a replay)."""


class WebhookParser(ABC):
    """Turns a verified request into inbound messages and delivery-status updates."""

    @abstractmethod
    def parse(self, request: WebhookRequest, channel_id: str) -> Sequence[WebhookItem]:
        """The items the request carries, for the channel ``channel_id`` (messages get it as
        their ``channel_id``; statuses may leave it to the server). Events the plugin does not
        handle give an empty list. Raise :class:`~roomkit.errors.WebhookPayloadError` for a
        malformed body."""

    def acknowledge(self, request: WebhookRequest, items: Sequence[WebhookItem]) -> WebhookReply:
        """The answer once the items are queued (default: ``200`` with an empty body)."""
        return WebhookReply()

    def handshake(self, request: WebhookRequest) -> WebhookReply | None:
        """Answer a verification handshake (a ``GET`` such as Meta's ``hub.challenge``), or
        ``None`` when the request is not one (the server then answers 405)."""
        return None


@dataclass(frozen=True, slots=True)
class WebhookEndpoint:
    """A verifier and a parser for one inbound route of a provider.

    ``methods`` lists the HTTP methods the route takes. A ``GET`` goes to
    :meth:`WebhookParser.handshake` unless ``methods`` lists it: then it is verified and
    parsed like a ``POST`` (for vendors that notify with ``GET``; the parser reads
    ``request.query``). ``name`` is for logs and metrics.
    """

    verifier: WebhookVerifier
    parser: WebhookParser
    methods: tuple[str, ...] = ("POST",)
    name: str = "webhook"


def dedupe_key(item: WebhookItem) -> str | None:
    """The key vendor retries of ``item`` share: the message's idempotency key (or external
    id), or the status's message id and status word. ``None``: the item cannot be deduped."""
    if isinstance(item, DeliveryStatusUpdate):
        return f"status:{item.provider}:{item.message_id}:{item.status}"
    key = item.idempotency_key or item.external_id
    return f"message:{key}" if key else None
