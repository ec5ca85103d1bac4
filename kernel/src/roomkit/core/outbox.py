"""Per-binding outboxes: transport retries run here, off the room lock.

The first attempt to deliver an event to a transport binding runs in line, under the room
lock. When it fails and the binding's ``RetryPolicy`` has retries left, the broadcast hands
the delivery to the outbox of that binding ``(room_id, channel_id)`` and the room moves on.
One worker task per non-empty outbox takes the deliveries in order: it sleeps the backoff
(or the vendor's ``Retry-After`` carried by the failure, when longer),
re-reads the binding (it may have been detached meanwhile), delivers through the breaker and
rate limiter again, and records the final outcome on the stored event (briefly under the
room lock), firing ``ON_DELIVERY_STATUS`` (and ``ON_ERROR`` on failure) once.

While a binding's outbox holds work, later deliveries to that binding are appended to it
instead of being made in line, so nothing overtakes the event being retried. When the outbox
empties its worker ends and in-line delivery resumes. Outboxes are bounded: over
``max_pending`` deliveries in all or ``max_per_binding`` for one binding, a delivery fails at
once with an "outbox full" error.

What a transport produces on a retried delivery (responses, tasks, observations) is handed to
the ``act`` callable the kit passes in (the broadcast's ``respond``), under the room lock.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from roomkit.channels.base import Channel
from roomkit.core.context import context_with, load_context, report_error
from roomkit.core.delivery import deliver_transport, failure
from roomkit.core.locks import room_lock
from roomkit.core.retry import backoff
from roomkit.core.runtime import Runtime
from roomkit.errors import DeliveryError
from roomkit.models.context import RoomContext
from roomkit.models.enums import DeliveryStatus, EventStatus, HookTrigger, RoomStatus
from roomkit.models.event import DeliveryResult, RoomEvent
from roomkit.models.hooks import ChannelOutput
from roomkit.models.room import ChannelBinding

__all__ = ["Act", "DeliveryGroup", "Outboxes", "queued_result"]

logger = logging.getLogger("roomkit")

BindingKey = tuple[str, str]

Act = Callable[[Runtime, RoomEvent, RoomContext, ChannelBinding, ChannelOutput], Awaitable[object]]
"""``act(rt, event, ctx, binding, output)``: store what a transport produced on a delivery."""


@dataclass(slots=True)
class DeliveryGroup:
    """The failed and deferred deliveries of one event's broadcast.

    ``delivered``: some delivery succeeded (in line or from an outbox). ``fail_event`` is set
    once the broadcast's in-line deliveries are over; from then on the last deferred delivery
    to end marks the event FAILED when nothing was delivered (before, the broadcast decides).
    """

    remaining: int = 0
    fail_event: bool = False
    delivered: bool = False


@dataclass(slots=True)
class _Item:
    event: RoomEvent
    channel_id: str
    attempt: int  # the next attempt number (1 = never tried)
    part: int  # the first content part still to send (transcoded multi-part events)
    group: DeliveryGroup | None
    done: bool = False
    retry_after: float | None = None  # the wait the vendor asked for before the next attempt


@dataclass(slots=True, eq=False)
class _Box:
    items: deque[_Item]
    task: asyncio.Task[None] | None = None


def queued_result(channel_id: str) -> DeliveryResult:
    """The PENDING entry of a delivery queued behind the binding's earlier ones."""
    return DeliveryResult(
        channel_id=channel_id,
        status=DeliveryStatus.PENDING,
        attempts=0,
        metadata={"queued": True, "next_attempt": 1},
    )


class Outboxes:
    """The kit's outboxes, one per binding with deliveries still to make."""

    def __init__(self, rt: Runtime, max_pending: int, max_per_binding: int, act: Act) -> None:
        self._rt = rt
        self._act_on = act
        self.max_pending = max_pending
        self.max_per_binding = max_per_binding
        self.boxes: dict[BindingKey, _Box] = {}
        """Bindings that have an outbox: deliveries to them are queued, not made in line."""
        self._total = 0

    @property
    def pending(self) -> int:
        """Deliveries waiting in all outboxes (the one being retried included)."""
        return self._total

    def submit(
        self,
        event: RoomEvent,
        binding: ChannelBinding,
        result: DeliveryResult,
        group: DeliveryGroup | None,
    ) -> DeliveryResult:
        """Queue the PENDING delivery ``result`` of ``event`` to ``binding``.

        Returns ``result`` when queued, or a FAILED result when the outbox is full.
        """
        key = (binding.room_id, binding.channel_id)
        box = self.boxes.get(key)
        size = 0 if box is None else len(box.items)
        if self._total >= self.max_pending or size >= self.max_per_binding:
            return failure(
                binding.channel_id,
                f"DeliveryError: outbox full ({size} pending for this binding, "
                f"{self._total} in all; limits max_pending_per_binding="
                f"{self.max_per_binding}, max_pending_deliveries={self.max_pending})",
                attempts=result.attempts,
            )
        part = result.metadata.get("part", 1)
        item = _Item(event, binding.channel_id, result.metadata["next_attempt"], part, group)
        item.retry_after = result.metadata.get("retry_after")
        if group is not None:
            group.remaining += 1
        if box is None:
            box = self.boxes[key] = _Box(deque())
            box.items.append(item)
            box.task = asyncio.get_running_loop().create_task(
                self._run(key, box), name=f"roomkit-outbox-{key[0]}-{key[1]}"
            )
        else:
            box.items.append(item)
        self._total += 1
        return result

    async def wait(self) -> None:
        """Wait until every outbox is empty (outboxes opened meanwhile included)."""
        while self.boxes:
            tasks = [box.task for box in self.boxes.values() if box.task is not None]
            # asyncio.wait, not gather: a caller's timeout must not cancel the workers
            await asyncio.wait(tasks)

    async def abort(self, reason: str) -> None:
        """Stop every worker and record what is still undelivered as FAILED (``reason``)."""
        boxes = list(self.boxes.values())
        left = [item for box in boxes for item in box.items]
        tasks = [box.task for box in boxes if box.task is not None]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        for item in left:
            if item.done:
                continue
            try:
                ctx = await self._context(item.event.room_id)
                attempts = item.attempt - 1
                await self._finish(item, ctx, failure(item.channel_id, reason, attempts))
            except Exception:
                logger.exception("recording an aborted delivery to %r failed", item.channel_id)

    async def _run(self, key: BindingKey, box: _Box) -> None:
        try:
            while box.items:
                item = box.items[0]
                try:
                    await self._deliver(item)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # the store or a hook broke: the item still ends
                    logger.exception("outbox delivery to %r failed", item.channel_id)
                    try:
                        ctx = await self._context(item.event.room_id)
                        await self._finish(
                            item, ctx, failure(item.channel_id, exc, item.attempt - 1)
                        )
                    except Exception:
                        logger.exception("recording the failure to %r failed", item.channel_id)
                box.items.popleft()
                self._total -= 1
        finally:  # empty, or cancelled (abort records what is left)
            self._total -= len(box.items)
            box.items.clear()
            if self.boxes.get(key) is box:
                del self.boxes[key]

    async def _context(self, room_id: str) -> RoomContext | None:
        return await load_context(self._rt, room_id)

    async def _deliver(self, item: _Item) -> None:
        """Attempts until a final outcome for ``item``, then record it."""
        rt = self._rt
        room_id = item.event.room_id
        channel_id = item.channel_id
        if item.attempt > 1:  # handed over after a failed attempt: back off first
            await self._backoff(self._find(await self._context(room_id), channel_id), item)
        while True:
            ctx = await self._context(room_id)
            binding = self._find(ctx, channel_id)
            channel: Channel | None = rt.channels.get(channel_id)
            reason = None
            if ctx is None:
                reason = "room deleted"
            elif binding is None:
                reason = "channel detached"
            elif ctx.room.status == RoomStatus.CLOSED:
                reason = "room closed"
            elif channel is None:
                reason = "channel unregistered"
            elif not binding.can_read:
                reason = "binding cannot read"
            if reason is not None or ctx is None or binding is None or channel is None:
                skipped = failure(channel_id, f"{reason} before delivery", item.attempt - 1)
                skipped.status = DeliveryStatus.SKIPPED
                await self._finish(item, ctx, skipped)
                return
            output, failed = await deliver_transport(
                rt, channel, item.event, binding, ctx, item.attempt, item.part
            )
            if failed is not None and failed.status == DeliveryStatus.PENDING:
                item.attempt = failed.metadata["next_attempt"]
                item.part = failed.metadata.get("part", 1)
                item.retry_after = failed.metadata.get("retry_after")
                await self._store(item, failed)
                await self._backoff(binding, item)
                continue
            await self._finish(item, ctx, failed, attempts=item.attempt)
            if output is not None and output.has_effects:
                await self._act(ctx, binding, item.event, output)
            return

    @staticmethod
    async def _backoff(binding: ChannelBinding | None, item: _Item) -> None:
        policy = None if binding is None else binding.retry_policy
        if policy is not None and item.attempt > 1:
            delay = backoff(policy, item.attempt - 2, item.retry_after)
            if delay > 0:
                await asyncio.sleep(delay)

    @staticmethod
    def _find(ctx: RoomContext | None, channel_id: str) -> ChannelBinding | None:
        if ctx is None:
            return None
        for binding in ctx.bindings:
            if binding.channel_id == channel_id:
                return binding
        return None

    async def _store(self, item: _Item, result: DeliveryResult) -> None:
        """Put ``result`` on the event (the caller's object and the stored one)."""
        rt = self._rt
        event = item.event
        event.delivery_results[item.channel_id] = result
        async with room_lock(rt.lock_manager, event.room_id, rt.lock_timeout):
            stored = await rt.store.get_event(event.id)
            if stored is None:
                return
            if stored is not event:
                stored.delivery_results[item.channel_id] = result
                stored.status = event.status
            await rt.store.update_event(stored)

    async def _finish(
        self,
        item: _Item,
        ctx: RoomContext | None,
        result: DeliveryResult | None,
        *,
        attempts: int = 0,
    ) -> None:
        """Record the final outcome (``None``: delivered) and fire the hooks, once."""
        if item.done:
            return
        item.done = True
        rt = self._rt
        event = item.event
        channel_id = item.channel_id
        group = item.group
        if group is not None:
            group.remaining -= 1
            group.delivered = group.delivered or result is None
        failed_event = (
            group is not None and group.fail_event and group.remaining == 0 and not group.delivered
        )
        if failed_event:
            event.status = EventStatus.FAILED
        if result is None:
            event.delivery_results.pop(channel_id, None)
            final = DeliveryResult(
                channel_id=channel_id, status=DeliveryStatus.SENT, attempts=attempts
            )
            await self._remove(event, channel_id)
        else:
            final = result
            await self._store(item, result)
        if ctx is None:  # the room is gone: nobody to tell
            return
        if result is not None and result.status == DeliveryStatus.FAILED:
            await report_error(
                rt,
                "delivery",
                DeliveryError(f"delivery to {channel_id!r} failed: {result.error}"),
                event,
                ctx,
                channel_id=channel_id,
                attempts=result.attempts,
            )
        if rt.hooks.has(HookTrigger.ON_DELIVERY_STATUS):
            await rt.hooks.fire(
                HookTrigger.ON_DELIVERY_STATUS, event, context_with(ctx, delivery_result=final)
            )

    async def _remove(self, event: RoomEvent, channel_id: str) -> None:
        rt = self._rt
        async with room_lock(rt.lock_manager, event.room_id, rt.lock_timeout):
            stored = await rt.store.get_event(event.id)
            if stored is None:
                return
            if stored is not event:
                stored.delivery_results.pop(channel_id, None)
                stored.status = event.status
            await rt.store.update_event(stored)

    async def _act(
        self, ctx: RoomContext, binding: ChannelBinding, event: RoomEvent, output: ChannelOutput
    ) -> None:
        """Tasks, observations and responses a transport produced on a retried delivery."""
        rt = self._rt
        async with room_lock(rt.lock_manager, event.room_id, rt.lock_timeout):
            await self._act_on(rt, event, ctx, binding, output)
