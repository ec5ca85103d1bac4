"""Inbound messaging: webhook messages into rooms, delivery receipts onto events.

Functions of a kit (they use its public methods and attributes only); ``RoomKit`` exposes
them as ``kit.process_webhook(...)``, ``kit.process_delivery_status(...)`` and
``@kit.on_delivery_status``, and the webhook server calls :func:`process_webhook_item`.

* :func:`process_message` -- an inbound message of a messaging channel, with the room chosen
  as a messaging user expects: the room the message's thread belongs to (email
  ``In-Reply-To``), else the room that last wrote to the sender through this channel, else the
  sender's latest open room on the channel, else a **new room for that sender** (never another
  customer's room). A kit with a ``room_router`` keeps its own routing after the thread check.
* :func:`process_delivery_status` -- a vendor's status report: the channel that sent the
  message finds the room, event and part; the event's ``delivery_results[channel_id]`` is
  updated (never moved backwards: a late "sent" does not undo "delivered"); then
  ``ON_DELIVERY_STATUS`` hooks fire with the :class:`DeliveryStatusUpdate` as payload and
  ``ctx.metadata["delivery_result"]`` / ``["event"]`` / ``["delivery_status"]`` set; a
  "read" status is also published as a ``READ_RECEIPT`` ephemeral event in the room.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import ValidationError

from roomkit.errors import InvalidContentError, RoomLockTimeoutError, RoomNotFoundError
from roomkit.models.delivery import DeliveryStatusUpdate, status_rank
from roomkit.models.enums import DeliveryStatus, HookExecution, HookTrigger, RoomStatus
from roomkit.models.event import DeliveryResult, InboundMessage, InboundResult, RoomEvent

if TYPE_CHECKING:
    from roomkit.channels.messaging import MessagingChannel
    from roomkit.core.framework import RoomKit
    from roomkit.messaging.index import MessageRef
    from roomkit.messaging.meta import WebhookMeta
    from roomkit.messaging.webhook import WebhookItem

__all__ = [
    "DeliveryStatusOutcome",
    "on_delivery_status",
    "process_delivery_status",
    "process_message",
    "process_webhook",
    "process_webhook_item",
]

logger = logging.getLogger("roomkit.messaging")

F = TypeVar("F", bound=Callable[..., Any])

#: Longest wait for the room lock when recording a receipt (receipts must not hang forever).
_RECEIPT_LOCK_TIMEOUT = 30.0


@dataclass(frozen=True, slots=True)
class DeliveryStatusOutcome:
    """What :func:`process_delivery_status` did.

    ``status`` is the update as the hooks saw it (room and channel filled in when found);
    ``delivery_result`` the event's updated delivery record (``None`` when no sent message
    matched or the status is not a delivery outcome); ``hooks_fired`` whether a room was
    found to run ``ON_DELIVERY_STATUS`` in.
    """

    status: DeliveryStatusUpdate
    room_id: str | None = None
    event_id: str | None = None
    delivery_result: DeliveryResult | None = None
    hooks_fired: bool = False

    @property
    def matched(self) -> bool:
        """Whether the status was matched to a message a channel of this kit sent."""
        return self.event_id is not None


# -- inbound messages ------------------------------------------------------------------------
async def _open_room(kit: RoomKit, room_id: str | None) -> str | None:
    """``room_id`` when that room still exists and is not closed."""
    if room_id is None:
        return None
    try:
        room = await kit.get_room(room_id)
    except RoomNotFoundError:
        return None
    return None if room.status == RoomStatus.CLOSED else room.id


async def _sender_room(kit: RoomKit, message: InboundMessage) -> str | None:
    room = await kit.store.find_latest_room(message.channel_id, message.sender_id, status=None)
    if room is None or room.status == RoomStatus.CLOSED:
        return None
    return room.id


async def process_message(kit: RoomKit, message: InboundMessage) -> InboundResult:
    """Route and process an inbound message of a messaging channel (see the module doc)."""
    if not isinstance(message, InboundMessage):
        try:
            message = InboundMessage.model_validate(message)
        except ValidationError as exc:
            raise InvalidContentError(f"malformed inbound message: {exc}") from None
    # lazy: the messaging channels load only when a program processes messaging input
    from roomkit.channels.messaging import MessagingChannel

    channel = kit.get_channel(message.channel_id)
    if not isinstance(channel, MessagingChannel) or message.room_id is not None:
        return await kit.process_inbound(message)
    room_id = await _open_room(kit, await channel.resolve_room(message))
    if room_id is None and kit.room_router is None:
        room_id = await _sender_room(kit, message)
        if room_id is None:
            # A new sender: one room of their own. The route lock is held until the first
            # message is stored, so the sender's concurrent messages find that room.
            key = f"route:{message.channel_id}:{message.sender_id}"
            async with kit.lock_manager.locked(key, kit.lock_timeout):
                room_id = await _sender_room(kit, message)
                if room_id is None:
                    room = await kit.create_room()
                    await kit.attach_channel(
                        room.id, channel.channel_id, participant_id=message.sender_id
                    )
                    room_id = room.id
                result = await kit.process_inbound(message, room_id=room_id)
            await _after_inbound(channel, message, result)
            return result
    result = await kit.process_inbound(message, room_id=room_id)
    await _after_inbound(channel, message, result)
    return result


async def _after_inbound(
    channel: MessagingChannel, message: InboundMessage, result: InboundResult
) -> None:
    if result.room_id and result.event is not None and not result.duplicate and not result.blocked:
        await channel.after_inbound(message, result.room_id)


# -- delivery receipts -----------------------------------------------------------------------
async def _find_sent(
    kit: RoomKit, status: DeliveryStatusUpdate
) -> tuple[MessagingChannel | None, MessageRef | None]:
    # lazy: the messaging channels load only when a program processes messaging input
    from roomkit.channels.messaging import MessagingChannel

    if status.channel_id is not None:
        channel = kit.get_channel(status.channel_id)
        if not isinstance(channel, MessagingChannel):
            return None, None
        return channel, await channel.find_sent(status.message_id)
    for candidate in kit.channels.values():
        if isinstance(candidate, MessagingChannel):
            ref = await candidate.find_sent(status.message_id)
            if ref is not None:
                return candidate, ref
    return None, None


def _combine(parts: dict[str, str], expected: int) -> DeliveryStatus:
    """The status of a message sent in ``expected`` parts, from its parts' statuses."""
    known = [DeliveryStatus(value) for value in parts.values()]
    if DeliveryStatus.FAILED in known:
        return DeliveryStatus.FAILED
    overall = min(known, key=status_rank)
    if len(known) < expected and status_rank(overall) > status_rank(DeliveryStatus.SENT):
        overall = DeliveryStatus.SENT  # some parts have not reported yet
    return overall


def _updated_result(
    current: DeliveryResult | None, ref: MessageRef, status: DeliveryStatusUpdate
) -> DeliveryResult:
    new = status.delivery_status
    assert new is not None
    metadata = dict(current.metadata) if current is not None else {}
    parts: dict[str, str] = dict(metadata.get("parts_status") or {})
    previous = parts.get(status.message_id)
    if previous is None or status_rank(new) >= status_rank(DeliveryStatus(previous)):
        parts[status.message_id] = new.value
    overall = _combine(parts, ref.parts)
    if current is not None and status_rank(overall) < status_rank(current.status):
        overall = current.status
    metadata.update(parts_status=parts, vendor_status=status.status)
    if status.error_code:
        metadata["error_code"] = status.error_code
    error = current.error if current is not None else None
    if overall == DeliveryStatus.FAILED:
        error = status.error_message or error or f"vendor reported {status.status!r}"
    return DeliveryResult(
        channel_id=ref.channel_id,
        status=overall,
        provider_message_id=(current.provider_message_id if current else None) or status.message_id,
        error=error,
        attempts=current.attempts if current is not None else 1,
        metadata=metadata,
    )


async def _record_receipt(
    kit: RoomKit, ref: MessageRef, status: DeliveryStatusUpdate
) -> tuple[RoomEvent | None, DeliveryResult | None]:
    """Update the event's delivery record under the room lock (the engine writes the same
    event under it)."""
    if ref.event_id is None or status.delivery_status is None:
        return None, None
    timeout = kit.lock_timeout or _RECEIPT_LOCK_TIMEOUT
    try:
        async with kit.lock_manager.locked(ref.room_id, timeout):
            event = await kit.store.get_event(ref.event_id)
            if event is None:
                return None, None
            result = _updated_result(event.delivery_results.get(ref.channel_id), ref, status)
            event.delivery_results[ref.channel_id] = result
            await kit.store.update_event(event)
            return event, result
    except RoomLockTimeoutError:
        logger.warning(
            "receipt for a message of %s not recorded: room lock busy for %ss",
            ref.channel_id,
            timeout,
        )
        return None, None


async def process_delivery_status(
    kit: RoomKit, status: DeliveryStatusUpdate
) -> DeliveryStatusOutcome:
    """Record a vendor's status report on the event it concerns and fire
    ``ON_DELIVERY_STATUS`` (see the module docstring)."""
    if not isinstance(status, DeliveryStatusUpdate):
        try:
            status = DeliveryStatusUpdate.model_validate(status)
        except ValidationError as exc:
            raise InvalidContentError(f"malformed delivery status: {exc}") from None
    channel, ref = await _find_sent(kit, status)
    update: dict[str, Any] = {}
    if channel is not None:
        update.update(channel_id=channel.channel_id, channel_type=channel.channel_type)
    if ref is not None and status.room_id is None:
        update["room_id"] = ref.room_id
    if update:
        status = status.model_copy(update=update)
    event, result = await _record_receipt(kit, ref, status) if ref is not None else (None, None)
    outcome = DeliveryStatusOutcome(
        status=status,
        room_id=status.room_id,
        event_id=event.id if event is not None else None,
        delivery_result=result,
    )
    if status.room_id is None:
        logger.info(
            "delivery status %r from %s matches no message sent by this kit; no hook fired",
            status.status,
            status.provider,
        )
        return outcome
    metadata: dict[str, Any] = {"delivery_status": status}
    if result is not None:
        metadata["delivery_result"] = result
    if event is not None:
        metadata["event"] = event
    try:
        await kit.fire_hook(
            HookTrigger.ON_DELIVERY_STATUS, status, room_id=status.room_id, metadata=metadata
        )
    except RoomNotFoundError:
        return outcome
    if event is not None and status.delivery_status == DeliveryStatus.READ:
        # the room's other participants see the read as a READ_RECEIPT ephemeral event
        await kit.publish_read_receipt(
            status.room_id,
            status.recipient or status.provider,
            event.id,
            channel_id=status.channel_id,
        )
    return DeliveryStatusOutcome(
        status=status,
        room_id=status.room_id,
        event_id=outcome.event_id,
        delivery_result=result,
        hooks_fired=True,
    )


def on_delivery_status(kit: RoomKit, fn: F) -> F:
    """Register ``fn(status)`` (sync or async) for every :class:`DeliveryStatusUpdate` that
    :func:`process_delivery_status` reports (an async ``ON_DELIVERY_STATUS`` hook)."""

    async def handler(payload: Any, ctx: Any) -> None:
        if isinstance(payload, DeliveryStatusUpdate):
            result = fn(payload)
            if inspect.isawaitable(result):
                await result

    name = getattr(fn, "__qualname__", None) or repr(fn)
    kit.add_hook(
        HookTrigger.ON_DELIVERY_STATUS,
        handler,
        execution=HookExecution.ASYNC,
        name=f"on_delivery_status:{name}",
    )
    return fn


# -- webhooks ----------------------------------------------------------------------------------
async def process_webhook(
    kit: RoomKit, meta: WebhookMeta, channel_id: str
) -> InboundResult | DeliveryStatusOutcome | None:
    """An SMS webhook normalised by ``extract_sms_meta``: an inbound message goes to
    :func:`process_message`, a status to :func:`process_delivery_status`; anything else is
    acknowledged and ignored (``None``)."""
    # lazy: the webhook normaliser loads only when a program processes webhooks
    from roomkit.messaging.meta import WebhookMeta

    if not isinstance(meta, WebhookMeta):
        raise InvalidContentError(
            f"process_webhook takes a WebhookMeta (from extract_sms_meta), not "
            f"{type(meta).__name__}"
        )
    if meta.is_status:
        if not meta.external_id:
            return None
        return await process_delivery_status(kit, meta.to_status(channel_id))
    if meta.is_inbound:
        return await process_message(kit, meta.to_inbound(channel_id))
    return None


async def process_webhook_item(
    kit: RoomKit, channel_id: str, item: WebhookItem
) -> InboundResult | DeliveryStatusOutcome:
    """One item a webhook parser produced for the route of ``channel_id``."""
    if isinstance(item, DeliveryStatusUpdate):
        if item.channel_id is None:
            item = item.model_copy(update={"channel_id": channel_id})
        return await process_delivery_status(kit, item)
    if isinstance(item, InboundMessage):
        if item.channel_id != channel_id:
            item = item.model_copy(update={"channel_id": channel_id})
        return await process_message(kit, item)
    raise InvalidContentError(
        f"a webhook item must be an InboundMessage or DeliveryStatusUpdate, not "
        f"{type(item).__name__}"
    )
