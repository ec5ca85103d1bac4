"""The hook part of :class:`~roomkit.RoomKit`: registering hooks and firing triggers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from roomkit.core.context import build_context, report_error, system_event
from roomkit.core.hooks import HookEngine, HookFn, HookRegistration, SyncOutcome
from roomkit.errors import RoomNotFoundError
from roomkit.models.context import RoomContext
from roomkit.models.enums import (
    ChannelDirection,
    ChannelType,
    EventType,
    HookExecution,
    HookTrigger,
)
from roomkit.models.room import ChannelBinding, Room
from roomkit.store.base import ConversationStore

if TYPE_CHECKING:
    from roomkit.core.framework import RoomKit

__all__ = ["HookApiMixin"]

F = TypeVar("F", bound=Callable[..., Awaitable[Any]])

_LIFECYCLE_EVENT_TYPES = {
    HookTrigger.ON_CHANNEL_ATTACHED: EventType.CHANNEL_ATTACHED,
    HookTrigger.ON_CHANNEL_DETACHED: EventType.CHANNEL_DETACHED,
    HookTrigger.ON_CHANNEL_MUTED: EventType.CHANNEL_MUTED,
    HookTrigger.ON_CHANNEL_UNMUTED: EventType.CHANNEL_UNMUTED,
}


class HookApiMixin:
    """``hook`` / ``add_hook`` / ``remove_hook`` / ``fire_hook`` and the engine's own firing."""

    _hooks: HookEngine
    store: ConversationStore

    @property
    def _kit(self) -> RoomKit:
        return cast("RoomKit", self)

    @property
    def hooks(self) -> HookEngine:
        """The kit's hook engine."""
        return self._hooks

    def hook(
        self,
        trigger: HookTrigger,
        *,
        execution: HookExecution | None = None,
        name: str | None = None,
        priority: int = 0,
        timeout: float | None = None,
        channel_types: Iterable[ChannelType] | None = None,
        channel_ids: Iterable[str] | None = None,
        directions: Iterable[ChannelDirection] | None = None,
    ) -> Callable[[F], F]:
        """Decorator registering ``async def fn(payload, ctx)`` for ``trigger``.

        ``execution`` defaults to SYNC for BEFORE_BROADCAST (and BEFORE_TTS), ASYNC otherwise.
        Lower ``priority`` runs first. ``timeout`` overrides the kit's ``hook_timeout``.
        """

        def decorate(fn: F) -> F:
            self.add_hook(
                trigger,
                fn,
                execution=execution,
                name=name,
                priority=priority,
                timeout=timeout,
                channel_types=channel_types,
                channel_ids=channel_ids,
                directions=directions,
            )
            return fn

        return decorate

    on = hook

    def add_hook(
        self,
        trigger: HookTrigger,
        fn: HookFn,
        *,
        execution: HookExecution | None = None,
        name: str | None = None,
        priority: int = 0,
        timeout: float | None = None,
        channel_types: Iterable[ChannelType] | None = None,
        channel_ids: Iterable[str] | None = None,
        directions: Iterable[ChannelDirection] | None = None,
    ) -> HookRegistration:
        """Register a hook without the decorator syntax."""
        return self._hooks.add(
            trigger,
            fn,
            execution=execution,
            name=name,
            priority=priority,
            timeout=timeout,
            channel_types=channel_types,
            channel_ids=channel_ids,
            directions=directions,
        )

    def remove_hook(self, name: str, trigger: HookTrigger | None = None) -> bool:
        """Unregister the hook(s) called ``name``."""
        return self._hooks.remove(name, trigger)

    async def fire_hook(
        self,
        trigger: HookTrigger,
        payload: Any = None,
        *,
        room_id: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> SyncOutcome | None:
        """Fire ``trigger`` from outside the engine (orchestration, voice ...).

        Hooks receive ``payload`` (a system event naming the trigger when omitted) and a
        context of ``room_id`` (or of ``payload.room_id``) whose metadata holds ``metadata``.
        Returns the sync hooks' outcome, or ``None`` when no sync hook listens.
        """
        room_id = room_id or getattr(payload, "room_id", None)
        if room_id is None:
            raise RoomNotFoundError("fire_hook needs room_id (or a payload with a room_id)")
        if not self._hooks.has(trigger):
            return None
        room = await self._kit.get_room(room_id)
        ctx = await build_context(self._kit, room)
        if metadata:
            ctx.metadata.update(metadata)
        if payload is None:
            payload = system_event(room_id, str(trigger), str(trigger))
        return await self._fire(trigger, payload, ctx)

    async def _fire(
        self, trigger: HookTrigger, payload: Any, ctx: RoomContext
    ) -> SyncOutcome | None:
        """Run sync hooks in line and start async ones in a background task."""
        hooks = self._hooks
        outcome = None
        if hooks.has_sync(trigger):
            outcome = await hooks.run_sync(trigger, payload, ctx, self._report_hook_failure)
        if hooks.has_async(trigger):
            hooks.schedule_async(trigger, payload, ctx, self._report_hook_failure)
        return outcome

    async def _report_hook_failure(
        self, reg: HookRegistration, payload: Any, ctx: RoomContext, exc: BaseException
    ) -> None:
        await report_error(
            self._kit, "hook", exc, payload, ctx, hook=reg.name, trigger=str(reg.trigger)
        )

    async def _lifecycle(
        self,
        room: Room,
        trigger: HookTrigger,
        body: str,
        binding: ChannelBinding | None = None,
    ) -> None:
        if not self._hooks.has(trigger):
            return
        if binding is None:
            payload = system_event(room.id, str(trigger), body, data={"room_id": room.id})
        else:
            payload = system_event(
                room.id,
                str(trigger),
                body,
                event_type=_LIFECYCLE_EVENT_TYPES[trigger],
                channel_id=binding.channel_id,
                channel_type=binding.channel_type,
                data={"room_id": room.id, "channel_id": binding.channel_id},
            )
        ctx = await build_context(self._kit, room)
        if binding is not None:
            ctx.metadata["binding"] = binding
        await self._fire(trigger, payload, ctx)
