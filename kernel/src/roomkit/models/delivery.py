"""What messaging providers answer: send results and delivery-status updates.

* :class:`ProviderResult` -- the outcome of one ``provider.send(...)``: the vendor's message id,
  or a failure classified as retryable (vendor 5xx, 429, timeouts) or permanent (other 4xx).
  :meth:`ProviderResult.raise_for_failure` turns a failure into the typed error the engine's
  retry policy understands (:class:`~roomkit.errors.TransientProviderError` /
  :class:`~roomkit.errors.PermanentProviderError`).
* :class:`DeliveryStatusUpdate` -- a vendor's report about a message sent earlier (a delivery
  receipt): ``status`` is the vendor's word, ``delivery_status`` the kernel's
  :class:`~roomkit.models.enums.DeliveryStatus` it maps to (:func:`map_vendor_status`).

RoomKit 0.6.7 called the status-update model ``DeliveryStatus``; here that name is the enum of
delivery outcomes, so the model is ``DeliveryStatusUpdate`` (same fields, plus
``delivery_status`` and ``channel_type``).
"""

from datetime import datetime
from typing import Any

from pydantic import Field, model_validator

from roomkit.deferred import DeferredModel
from roomkit.models.enums import ChannelDirection, ChannelType, DeliveryStatus
from roomkit.models.event import (
    DeliveryResult,
    EventSource,
    InboundResult,
    ProviderResult,
    is_retryable_status,
)

__all__ = [
    "DeliveryResult",
    "DeliveryStatusUpdate",
    "InboundResult",
    "ProviderResult",
    "is_retryable_status",
    "map_vendor_status",
    "status_rank",
]


_VENDOR_STATUS: dict[str, DeliveryStatus] = {}
for _words, _status in (
    (
        "accepted queued scheduled sending submitted enqueued processed deferred sent "
        "sent_to_carrier buffered dispatched",
        DeliveryStatus.SENT,
    ),
    (
        "delivered delivery_confirmed delivered_to_handset delivered_to_operator",
        DeliveryStatus.DELIVERED,
    ),
    ("read seen opened open click clicked played", DeliveryStatus.READ),
    (
        "failed undelivered rejected bounce bounced dropped expired delivery_failed "
        "sending_failed delivery_unconfirmed canceled cancelled blocked spamreport "
        "spam_report dead_letter aborted",
        DeliveryStatus.FAILED,
    ),
):
    for _word in _words.split():
        _VENDOR_STATUS[_word] = _status


def map_vendor_status(status: str) -> DeliveryStatus | None:
    """The kernel status a vendor's status word means, or ``None`` when it is not a delivery
    outcome (``"receiving"``, ``"unknown"`` ...). Case and ``-`` / space are ignored."""
    key = status.strip().lower().replace("-", "_").replace(" ", "_")
    known = _VENDOR_STATUS.get(key)
    if known is not None:
        return known
    try:
        return DeliveryStatus(key)
    except ValueError:
        return None


_RANK = {
    DeliveryStatus.SKIPPED: 0,
    DeliveryStatus.PENDING: 1,
    DeliveryStatus.SENT: 2,
    DeliveryStatus.FAILED: 3,
    DeliveryStatus.DELIVERED: 4,
    DeliveryStatus.READ: 5,
}


def status_rank(status: DeliveryStatus) -> int:
    """How far along a delivery is; receipts never move a delivery record backwards (a late
    "sent" after "delivered" is ignored)."""
    return _RANK[status]


class DeliveryStatusUpdate(DeferredModel):
    """A vendor's report about an outbound message (sent, delivered, read, failed ...).

    ``message_id`` is the vendor's id of the message (what ``ProviderResult``
    ``provider_message_id`` held when it was sent). ``room_id`` / ``channel_id`` may be given
    when the caller knows them; otherwise the channel that sent the message finds them.
    """

    room_id: str | None = None
    channel_id: str | None = None
    channel_type: ChannelType | None = None
    provider: str
    message_id: str = Field(min_length=1)
    status: str
    delivery_status: DeliveryStatus | None = None
    recipient: str = ""
    sender: str = ""
    error_code: str | None = None
    error_message: str | None = None
    timestamp: datetime | None = None
    raw: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _map_status(self) -> "DeliveryStatusUpdate":
        if self.delivery_status is None:
            self.delivery_status = map_vendor_status(self.status)
        return self

    @property
    def source(self) -> EventSource | None:
        """The channel the status concerns, as hook filters (``channel_ids``,
        ``channel_types``) see it: direction OUTBOUND. ``None`` until the channel is known."""
        if self.channel_id is None or self.channel_type is None:
            return None
        return EventSource(
            channel_id=self.channel_id,
            channel_type=self.channel_type,
            direction=ChannelDirection.OUTBOUND,
            participant_id=self.recipient or None,
            provider=self.provider,
        )
