"""The hook part of :class:`~roomkit.RoomKit`: registering hooks, firing triggers, errors."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

from roomkit.core._text import short_id
from roomkit.core.context import build_context, context_with, report_error, system_event
from roomkit.core.hooks import HookEngine, HookFn, HookRegistration, SyncOutcome
from roomkit.core.runtime import Runtime
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

__all__ = ["HookApiMixin"]

logger = logging.getLogger("roomkit")

F = TypeVar("F", bound=Callable[..., Awaitable[Any]])

_LIFECYCLE_EVENT_TYPES = {
    HookTrigger.ON_CHANNEL_ATTACHED: EventType.CHANNEL_ATTACHED,
    HookTrigger.ON_CHANNEL_DETACHED: EventType.CHANNEL_DETACHED,
    HookTrigger.ON_CHANNEL_MUTED: EventType.CHANNEL_MUTED,
    HookTrigger.ON_CHANNEL_UNMUTED: EventType.CHANNEL_UNMUTED,
}


class HookApiMixin:
    """``hook`` / ``add_hook`` / ``remove_hook`` / ``fire_hook`` / ``report_error`` and the
    lifecycle hooks fired by room and binding operations."""

    _rt: Runtime

    @property
    def hooks(self) -> HookEngine:
        """The kit's hook engine."""
        return self._rt.hooks

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
        return self._rt.hooks.add(
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
        return self._rt.hooks.remove(name, trigger)

    async def fire_hook(
        self,
        trigger: HookTrigger,
        payload: Any = None,
        *,
        room_id: str | None = None,
        metadata: dict[str, Any] | None = None,
        context: RoomContext | None = None,
    ) -> SyncOutcome | None:
        """Fire ``trigger`` from outside the engine (orchestration, voice ...).

        Hooks receive ``payload`` (a system event naming the trigger when omitted) and
        ``context`` when given, else a fresh context of ``room_id`` (or of
        ``payload.room_id``); its metadata also holds ``metadata``. Sync hooks run in line,
        async ones in the background. Returns the sync hooks' outcome, or ``None`` when no
        sync hook listens.
        """
        hooks = self._rt.hooks
        if context is not None:
            room_id = context.room.id
        else:
            room_id = room_id or getattr(payload, "room_id", None)
            if room_id is None:
                raise RoomNotFoundError("fire_hook needs room_id (or a payload with a room_id)")
        if not hooks.has(trigger):
            return None
        if context is None:
            room = await self._rt.store.get_room(room_id)
            if room is None:
                raise RoomNotFoundError(f"room {short_id(room_id)} does not exist")
            context = await build_context(self._rt, room)
            if metadata:
                context.metadata.update(metadata)
        elif metadata:
            context = context_with(context, **metadata)
        if payload is None:
            payload = system_event(room_id, str(trigger), str(trigger))
        return await hooks.fire(trigger, payload, context)

    async def report_error(
        self,
        stage: str,
        error: BaseException,
        payload: Any,
        context: RoomContext,
        **details: Any,
    ) -> None:
        """Log ``error``, count it in telemetry and hand it to the ``ON_ERROR`` hooks.

        For components (channels, orchestration, voice) that catch a failure of their own:
        ``stage`` says where it happened, ``payload`` is the event concerned. ``ON_ERROR``
        hooks see ``error``, ``error_type``, ``message``, ``stage`` and ``details`` in their
        context's metadata. Never raises.
        """
        try:
            await report_error(self._rt, stage, error, payload, context, **details)
        except Exception:  # reporting must never break the component that reports
            logger.exception("reporting an error of %s failed", stage)

    async def _lifecycle(
        self,
        room: Room,
        trigger: HookTrigger,
        body: str,
        binding: ChannelBinding | None = None,
    ) -> None:
        hooks = self._rt.hooks
        if not hooks.has(trigger):
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
        ctx = await build_context(self._rt, room)
        if binding is not None:
            ctx.metadata["binding"] = binding
        await hooks.fire(trigger, payload, ctx)
