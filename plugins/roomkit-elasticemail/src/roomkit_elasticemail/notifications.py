"""Elastic Email's HTTP web notifications ("webhooks") -> delivery-status updates.

Elastic Email calls the notification URL configured in its settings with ``GET`` and these
query parameters (URL-encoded): ``transaction`` (the id the send returned), ``messageid``,
``to``, ``from``, ``date``, ``subject``, ``status`` (``Sent``, ``Opened``, ``Clicked``,
``Error``, ``AbuseReport``, ``Unsubscribed``), ``category`` (why an ``Error`` bounced:
``NoMailbox``, ``Spam``, ``Throttled`` ...), ``channel``, ``account``, ``target`` (the
clicked link) and ``postback``. The same fields posted as a form or a flat JSON object are
read too.

The notifications are **not signed**. :class:`NotificationTokenVerifier` authenticates them by
a secret token the notification URL carries (``?token=...``), compared in constant time; a
notification has no timestamp, so a replayed one is caught by the server's dedupe (same
transaction and status).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from roomkit.errors import ConfigurationError, WebhookPayloadError, WebhookSignatureError
from roomkit.messaging.signing import signatures_match
from roomkit.messaging.webhook import WebhookItem, WebhookParser, WebhookRequest, WebhookVerifier
from roomkit.models.delivery import DeliveryStatusUpdate
from roomkit.models.enums import ChannelType, DeliveryStatus

__all__ = [
    "STATUS_MAP",
    "TOKEN_PARAMETER",
    "ElasticEmailNotificationParser",
    "NotificationTokenVerifier",
    "parse_notification",
]

PROVIDER = "elasticemail"
#: The query parameter of the notification URL holding the token.
TOKEN_PARAMETER = "token"

#: Elastic Email's status words -> the kernel's delivery statuses. "Sent" is Elastic Email's
#: word for "accepted by the recipient's mail server", so it means delivered.
STATUS_MAP: Mapping[str, DeliveryStatus | None] = {
    "sent": DeliveryStatus.DELIVERED,
    "opened": DeliveryStatus.READ,
    "clicked": DeliveryStatus.READ,
    "error": DeliveryStatus.FAILED,
    "abusereport": DeliveryStatus.FAILED,
    "unsubscribed": None,
}


class NotificationTokenVerifier(WebhookVerifier):
    """Accepts a notification whose URL carries one of ``tokens`` as ``?token=``."""

    def __init__(self, tokens: Sequence[str]) -> None:
        if not tokens:
            raise ConfigurationError("NotificationTokenVerifier needs a token")
        self._tokens = [t.encode() for t in tokens]

    def verify(self, request: WebhookRequest) -> None:
        given = request.query.get(TOKEN_PARAMETER)
        if not given:
            raise WebhookSignatureError(
                f"the notification URL carries no {TOKEN_PARAMETER}= parameter", reason="missing"
            )
        if not any(signatures_match(token, given.encode()) for token in self._tokens):
            raise WebhookSignatureError("the notification token does not match")


def _fields(request: WebhookRequest) -> Mapping[str, str]:
    if request.method == "GET" or not request.body:
        return request.query
    if request.content_type == "application/x-www-form-urlencoded":
        return request.form()
    data = request.json_object()
    return {k: str(v) for k, v in data.items() if isinstance(v, str | int | float)}


def _time(value: str | None) -> datetime | None:
    if not value:
        return None
    for shape in ("%m/%d/%Y %I:%M:%S %p", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(value.strip().rstrip("Z"), shape).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def parse_notification(
    fields: Mapping[str, str], channel_id: str | None = None
) -> DeliveryStatusUpdate | None:
    """The status update one notification means (``None`` for ``Unsubscribed``, which is
    not about delivery)."""
    transaction = fields.get("transaction") or fields.get("messageid")
    word = fields.get("status")
    if not transaction or not word:
        raise WebhookPayloadError("an Elastic Email notification needs transaction and status")
    key = word.strip().lower()
    if key not in STATUS_MAP:
        raise WebhookPayloadError(f"unknown Elastic Email status {word!r}")
    mapped = STATUS_MAP[key]
    if key == "unsubscribed":
        return None
    category = fields.get("category") or None
    failed = mapped == DeliveryStatus.FAILED
    return DeliveryStatusUpdate(
        channel_id=channel_id,
        channel_type=ChannelType.EMAIL,
        provider=PROVIDER,
        message_id=transaction,
        status=key,
        delivery_status=mapped,
        recipient=fields.get("to", ""),
        sender=fields.get("from", ""),
        error_code=category if failed else None,
        error_message=f"Elastic Email {word}: {category or 'no category'}" if failed else None,
        timestamp=_time(fields.get("date")),
        raw={k: v for k, v in fields.items() if k != TOKEN_PARAMETER},
    )


class ElasticEmailNotificationParser(WebhookParser):
    """Reads a verified notification (see the module docstring)."""

    def parse(self, request: WebhookRequest, channel_id: str) -> Sequence[WebhookItem]:
        update = parse_notification(_fields(request), channel_id)
        return [update] if update is not None else []
