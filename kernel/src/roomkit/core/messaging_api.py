"""The kit's messaging methods: webhooks and delivery receipts.

Thin methods over :mod:`roomkit.core.webhooks`, which (with the delivery-report models) loads
on the first webhook: programs that never receive one do not pay for it at import.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

if TYPE_CHECKING:
    from roomkit.core import webhooks
    from roomkit.core.framework import RoomKit
    from roomkit.messaging.meta import WebhookMeta
    from roomkit.models.delivery import DeliveryStatusUpdate
    from roomkit.models.event import InboundResult

__all__ = ["MessagingApiMixin"]

F = TypeVar("F", bound=Callable[..., Any])


class MessagingApiMixin:
    """``process_webhook``, ``process_delivery_status`` and ``on_delivery_status`` of
    :class:`~roomkit.core.framework.RoomKit`."""

    async def process_webhook(
        self, meta: WebhookMeta, channel_id: str
    ) -> InboundResult | webhooks.DeliveryStatusOutcome | None:
        """Process an SMS webhook normalised by ``extract_sms_meta``: an inbound message
        enters its room (thread, the sender's room on this channel, or a new room for the
        sender), a status report is recorded on the event it concerns; anything else is
        ignored (``None``)."""
        from roomkit.core import webhooks  # lazy: loaded on the first webhook

        return await webhooks.process_webhook(self._kit(), meta, channel_id)

    async def process_delivery_status(
        self, status: DeliveryStatusUpdate
    ) -> webhooks.DeliveryStatusOutcome:
        """Record a vendor's delivery report on the event it concerns (never moving it
        backwards) and fire ``ON_DELIVERY_STATUS``."""
        from roomkit.core import webhooks  # lazy: loaded on the first webhook

        return await webhooks.process_delivery_status(self._kit(), status)

    def on_delivery_status(self, fn: F) -> F:
        """Decorator: call ``fn(status)`` (sync or async) for every delivery report."""
        from roomkit.core import webhooks  # lazy: loaded on the first webhook

        return webhooks.on_delivery_status(self._kit(), fn)

    def _kit(self) -> RoomKit:
        return cast("RoomKit", self)  # this mixin is only ever part of RoomKit
