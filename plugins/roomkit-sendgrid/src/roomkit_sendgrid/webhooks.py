"""SendGrid's two webhooks on one route: the Event Webhook (JSON) and Inbound Parse
(``multipart/form-data``), each verified with its own public key before it is read."""

from __future__ import annotations

from collections.abc import Sequence

from roomkit.errors import WebhookSignatureError
from roomkit.messaging.webhook import WebhookItem, WebhookParser, WebhookRequest, WebhookVerifier
from roomkit_sendgrid.events import parse_events
from roomkit_sendgrid.inbound import parse_inbound_form
from roomkit_sendgrid.multipart import read_form
from roomkit_sendgrid.signature import SendGridSignatureVerifier

__all__ = ["SendGridWebhookParser", "SendGridWebhookVerifier", "is_inbound_parse"]


def is_inbound_parse(request: WebhookRequest) -> bool:
    """Whether ``request`` is an Inbound Parse post (a form), not an Event Webhook batch."""
    return request.content_type == "multipart/form-data"


class SendGridWebhookVerifier(WebhookVerifier):
    """Verifies Inbound Parse posts with ``inbound`` and Event Webhook posts with ``events``;
    a kind without a verifier is refused (SendGrid webhooks are only accepted signed)."""

    def __init__(
        self,
        events: SendGridSignatureVerifier | None,
        inbound: SendGridSignatureVerifier | None,
    ) -> None:
        self._events = events
        self._inbound = inbound

    def verify(self, request: WebhookRequest) -> None:
        inbound = is_inbound_parse(request)
        verifier = self._inbound if inbound else self._events
        if verifier is None:
            setting = "inbound_parse_public_key" if inbound else "event_webhook_public_key"
            raise WebhookSignatureError(
                f"SendGrid {'Inbound Parse' if inbound else 'Event Webhook'} posts are refused: "
                f"{setting} is not configured",
                reason="missing",
            )
        verifier.verify(request)


class SendGridWebhookParser(WebhookParser):
    """Reads a verified post: events become delivery-status updates, a parsed email an
    inbound message."""

    def __init__(self, *, max_inbound_attachment_bytes: int = 256 * 1024) -> None:
        self._max_attachment = max_inbound_attachment_bytes

    def parse(self, request: WebhookRequest, channel_id: str) -> Sequence[WebhookItem]:
        if is_inbound_parse(request):
            form = read_form(request)
            return [parse_inbound_form(form, channel_id, max_attachment_bytes=self._max_attachment)]
        return parse_events(request.json(), channel_id)
