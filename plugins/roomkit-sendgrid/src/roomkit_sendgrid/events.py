"""SendGrid's Event Webhook -> delivery-status updates.

SendGrid posts a JSON array of events::

    [{"email": "ada@example.com", "timestamp": 1700000000, "event": "delivered",
      "sg_event_id": "...", "sg_message_id": "14c5d75ce93.filterdrecv-p3mdw1.16648.0",
      "smtp-id": "<...>", "response": "250 OK", ...}, ...]

``sg_message_id`` starts with the ``X-Message-Id`` Mail Send answered (then ``.filter...``),
which is the provider message id RoomKit recorded, so the update names it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from roomkit.errors import WebhookPayloadError
from roomkit.models.delivery import DeliveryStatusUpdate
from roomkit.models.enums import ChannelType, DeliveryStatus

__all__ = ["EVENT_STATUSES", "parse_events", "x_message_id"]

PROVIDER = "sendgrid"

#: SendGrid event -> kernel status. Events mapped to ``None`` (unsubscribes) are not about
#: delivery and give no update.
EVENT_STATUSES: Mapping[str, DeliveryStatus | None] = {
    "processed": DeliveryStatus.SENT,
    "deferred": DeliveryStatus.SENT,
    "delivered": DeliveryStatus.DELIVERED,
    "open": DeliveryStatus.READ,
    "click": DeliveryStatus.READ,
    "bounce": DeliveryStatus.FAILED,
    "dropped": DeliveryStatus.FAILED,
    "spamreport": DeliveryStatus.FAILED,
    "unsubscribe": None,
    "group_unsubscribe": None,
    "group_resubscribe": None,
}


def x_message_id(sg_message_id: str) -> str:
    """The ``X-Message-Id`` of Mail Send inside an event's ``sg_message_id``."""
    return sg_message_id.split(".", 1)[0]


def _when(value: Any) -> datetime | None:
    if isinstance(value, int | float) and value > 0:
        return datetime.fromtimestamp(value, tz=UTC)
    return None


def _update(event: Mapping[str, Any], channel_id: str | None) -> DeliveryStatusUpdate | None:
    word = event.get("event")
    if not isinstance(word, str) or not word:
        raise WebhookPayloadError("a SendGrid event has no 'event' name")
    if word not in EVENT_STATUSES:
        return None  # an event kind added after this release: nothing to record
    mapped = EVENT_STATUSES[word]
    message_id = event.get("sg_message_id")
    if mapped is None or not isinstance(message_id, str) or not message_id:
        return None
    failed = mapped == DeliveryStatus.FAILED
    reason = event.get("reason") or event.get("response")
    code = event.get("status") or event.get("type") or word
    return DeliveryStatusUpdate(
        channel_id=channel_id,
        channel_type=ChannelType.EMAIL,
        provider=PROVIDER,
        message_id=x_message_id(message_id),
        status=word,
        delivery_status=mapped,
        recipient=str(event.get("email") or ""),
        error_code=str(code) if failed else None,
        error_message=str(reason)[:500] if failed and reason else None,
        timestamp=_when(event.get("timestamp")),
        raw=dict(event),
    )


def parse_events(data: Any, channel_id: str | None = None) -> list[DeliveryStatusUpdate]:
    """The updates of an Event Webhook body (a JSON array of event objects)."""
    if not isinstance(data, list):
        raise WebhookPayloadError("a SendGrid Event Webhook body is a JSON array of events")
    updates: list[DeliveryStatusUpdate] = []
    for event in data:
        if not isinstance(event, dict):
            raise WebhookPayloadError("each SendGrid event must be a JSON object")
        update = _update(event, channel_id)
        if update is not None:
            updates.append(update)
    return updates
