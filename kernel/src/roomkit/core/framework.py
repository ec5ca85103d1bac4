"""``RoomKit``: the room engine. Channels, rooms, bindings, hooks, and the inbound pipeline.

The message path itself lives in :mod:`roomkit.core.inbound` (steps) and
:mod:`roomkit.core.broadcast` (delivery and responses); this module holds the registry and
the room / binding operations, and wires the components together.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from roomkit.channels.base import Channel
from roomkit.core._text import problems, short_id
from roomkit.core.broadcast import admit_event
from roomkit.core.circuit_breaker import CircuitBreaker
from roomkit.core.components import COMPONENT_KINDS, resolve_component, split_config_entry
from roomkit.core.context import load_context
from roomkit.core.ephemeral import EphemeralMixin
from roomkit.core.hook_api import HookApiMixin
from roomkit.core.hooks import HookEngine
from roomkit.core.inbound import process_inbound, room_lock
from roomkit.core.locks import InMemoryLockManager, RoomLockManager
from roomkit.core.outbox import Outboxes
from roomkit.core.rate_limiter import TokenBucketRateLimiter
from roomkit.core.timers import sweep_room_timers
from roomkit.errors import (
    ChannelNotFoundError,
    ChannelNotRegisteredError,
    ConfigurationError,
    InvalidContentError,
    RoomClosedError,
    RoomNotFoundError,
)
from roomkit.identity.base import IdentityResolver
from roomkit.models._ids import utcnow
from roomkit.models.content import EventContent
from roomkit.models.context import RoomContext
from roomkit.models.enums import (
    Access,
    ChannelCategory,
    ChannelDirection,
    ChannelType,
    EventType,
    HookTrigger,
    RoomStatus,
)
from roomkit.models.event import EventSource, InboundMessage, InboundResult, RoomEvent
from roomkit.models.room import (
    AIConfig,
    ChannelBinding,
    ChannelCapabilities,
    RateLimit,
    RetryPolicy,
    Room,
    RoomTimers,
)
from roomkit.realtime.base import RealtimeBackend
from roomkit.store.base import ConversationStore
from roomkit.telemetry.base import NoopTelemetryProvider, TelemetryConfig, TelemetryProvider

__all__ = ["RoomKit"]

logger = logging.getLogger("roomkit")

RoomRouter = Callable[[InboundMessage], Awaitable[str | None]]


class RoomKit(HookApiMixin, EphemeralMixin):
    """The room engine.

    Components default to the in-memory implementations; each may also be given as an
    instance or as the name of a plugin component (``store="sqlite"``, configured with
    ``store_config={...}``; likewise ``lock_manager_config``, ``realtime_config``,
    ``identity_resolver_config``, ``telemetry_config``).

    Settings: ``max_chain_depth`` (responses to responses, default 5), ``identity_timeout``,
    ``hook_timeout`` (default for hooks without their own), ``context_events`` (events in a
    :class:`RoomContext`), ``inbound_rate_limit`` (per channel and sender),
    ``max_payload_bytes``, ``delivery_timeout`` (per transport call), ``response_timeout``
    (per intelligence channel turn), ``lock_timeout``,
    ``rate_limit_max_wait`` (longest wait for an outbound rate-limit slot),
    ``circuit_failure_threshold`` / ``circuit_recovery_seconds``,
    ``max_pending_deliveries`` / ``max_pending_per_binding`` (bounds of the outboxes where
    transport retries wait, see :mod:`roomkit.core.outbox`) and ``room_router``
    (``async fn(message) -> room_id | None``).
    """

    def __init__(
        self,
        store: ConversationStore | str | None = None,
        lock_manager: RoomLockManager | str | None = None,
        realtime: RealtimeBackend | str | None = None,
        identity_resolver: IdentityResolver | str | None = None,
        telemetry: TelemetryProvider | TelemetryConfig | str | None = None,
        *,
        max_chain_depth: int = 5,
        identity_timeout: float = 10.0,
        hook_timeout: float | None = 30.0,
        context_events: int = 20,
        inbound_rate_limit: RateLimit | None = None,
        max_payload_bytes: int | None = 1_048_576,
        delivery_timeout: float | None = 30.0,
        response_timeout: float | None = 120.0,
        lock_timeout: float | None = None,
        rate_limit_max_wait: float | None = 30.0,
        circuit_failure_threshold: int = 5,
        circuit_recovery_seconds: float = 30.0,
        max_pending_deliveries: int = 10_000,
        max_pending_per_binding: int = 1_000,
        room_router: RoomRouter | None = None,
        **component_config: Mapping[str, Any],
    ) -> None:
        unknown = set(component_config) - {f"{kind}_config" for kind in COMPONENT_KINDS}
        if unknown:
            raise ConfigurationError(f"unknown RoomKit arguments: {sorted(unknown)}")
        if max_chain_depth < 0:
            raise ConfigurationError("max_chain_depth must be >= 0")
        if context_events < 0:
            raise ConfigurationError("context_events must be >= 0")
        if max_payload_bytes is not None and max_payload_bytes <= 0:
            raise ConfigurationError("max_payload_bytes must be positive (or None)")
        if max_pending_deliveries < 1 or max_pending_per_binding < 1:
            raise ConfigurationError("max_pending_deliveries / _per_binding must be >= 1")

        def component(kind: str, value: Any) -> Any:
            return resolve_component(kind, value, component_config.get(f"{kind}_config"))

        from roomkit.store.memory import InMemoryStore

        self.store: ConversationStore = component("store", store) or InMemoryStore()
        self.lock_manager: RoomLockManager = (
            component("lock_manager", lock_manager) or InMemoryLockManager()
        )
        realtime_backend = component("realtime", realtime)
        if realtime_backend is None:
            from roomkit.realtime.memory import InMemoryRealtime

            realtime_backend = InMemoryRealtime()
        self.realtime: RealtimeBackend = realtime_backend
        self.identity_resolver: IdentityResolver | None = component(
            "identity_resolver", identity_resolver
        )
        telemetry = component("telemetry", telemetry)
        if isinstance(telemetry, TelemetryConfig):
            telemetry = telemetry.provider
        if telemetry is not None and not isinstance(telemetry, TelemetryProvider):
            raise ConfigurationError("telemetry must be a TelemetryProvider or TelemetryConfig")
        self.telemetry: TelemetryProvider = telemetry or NoopTelemetryProvider()
        # None when telemetry is a no-op: the hot path tests this instead of calling it.
        self._telemetry: TelemetryProvider | None = (
            None if isinstance(self.telemetry, NoopTelemetryProvider) else self.telemetry
        )

        self.max_chain_depth = max_chain_depth
        self.identity_timeout = identity_timeout
        self.context_events = context_events
        self.inbound_rate_limit = inbound_rate_limit
        self.max_payload_bytes = max_payload_bytes
        self.delivery_timeout = delivery_timeout
        self.response_timeout = response_timeout
        self.lock_timeout = lock_timeout
        self.rate_limit_max_wait = rate_limit_max_wait
        self.circuit_failure_threshold = circuit_failure_threshold
        self.circuit_recovery_seconds = circuit_recovery_seconds
        self.room_router: RoomRouter | None = room_router

        self._hooks = HookEngine(default_timeout=hook_timeout, telemetry=self._telemetry)
        self._channels: dict[str, Channel] = {}
        self._breakers: dict[str, CircuitBreaker] = {}
        self._limiters: dict[tuple[str, str], TokenBucketRateLimiter] = {}
        self._status_epoch = 0
        """Bumped after every room status change made through the kit: a message whose
        snapshot predates a change re-reads its room's status under the room lock."""
        self._inbound_limiters: dict[tuple[str, str], TokenBucketRateLimiter] = {}
        self._sources: dict[tuple[str, str, str | None], EventSource] = {}
        self._outbox = Outboxes(self, max_pending_deliveries, max_pending_per_binding)
        self._closed = False

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> RoomKit:
        """Build a kit from a mapping such as
        ``{"store": {"name": "sqlite", "config": {...}}, "lock_manager": "memory",
        "max_chain_depth": 3}``: component entries name plugin components, the other keys
        are passed to the constructor as they are."""
        kwargs: dict[str, Any] = {}
        for key, value in config.items():
            if key in COMPONENT_KINDS:
                name, component_config = split_config_entry(key, value)
                kwargs[key] = name
                if component_config:
                    kwargs[f"{key}_config"] = component_config
            else:
                kwargs[key] = value
        try:
            return cls(**kwargs)
        except TypeError as exc:
            raise ConfigurationError(f"invalid RoomKit configuration: {exc}") from None

    # -- channels --------------------------------------------------------------------------
    def register_channel(self, channel: Channel) -> Channel:
        """Make ``channel`` known to the kit (it can then be attached to rooms).

        A channel that defines ``on_register(kit)`` is handed the kit, so it can post events
        (``kit.send_event``) or publish ephemeral events later.
        """
        if not isinstance(channel, Channel):
            raise ConfigurationError(f"expected a Channel, got {type(channel).__name__}")
        existing = self._channels.get(channel.channel_id)
        if existing is not None and existing is not channel:
            raise ConfigurationError(
                f"another channel is registered as {short_id(channel.channel_id)}"
            )
        self._channels[channel.channel_id] = channel
        on_register = getattr(channel, "on_register", None)
        if callable(on_register):
            on_register(self)
        return channel

    def get_channel(self, channel_id: str) -> Channel:
        """The registered channel ``channel_id``."""
        channel = self._channels.get(channel_id)
        if channel is None:
            raise ChannelNotRegisteredError(
                f"channel {short_id(channel_id)} is not registered; "
                "call kit.register_channel(...) first"
            )
        return channel

    @property
    def channels(self) -> dict[str, Channel]:
        """The registered channels by id (a copy)."""
        return dict(self._channels)

    async def connect_websocket(
        self, channel_id: str, connection_id: str, send_fn: Callable[..., Awaitable[Any]]
    ) -> None:
        """Register a connection on the WebSocket channel ``channel_id`` (see
        :meth:`roomkit.channels.websocket.WebSocketChannel.register_connection`)."""
        channel = self.get_channel(channel_id)
        register = getattr(channel, "register_connection", None)
        if register is None:
            raise ConfigurationError(f"channel {short_id(channel_id)} does not take connections")
        register(connection_id, send_fn)

    async def disconnect_websocket(self, channel_id: str, connection_id: str) -> bool:
        """Remove a connection registered with :meth:`connect_websocket`."""
        channel = self.get_channel(channel_id)
        unregister = getattr(channel, "unregister_connection", None)
        if unregister is None:
            raise ConfigurationError(f"channel {short_id(channel_id)} does not take connections")
        return bool(unregister(connection_id))

    # -- rooms -----------------------------------------------------------------------------
    async def create_room(
        self,
        room_id: str | None = None,
        *,
        organization_id: str | None = None,
        metadata: dict[str, Any] | None = None,
        ai_config: AIConfig | None = None,
        timers: RoomTimers | None = None,
    ) -> Room:
        """Create a room (a random id when ``room_id`` is omitted); fires ON_ROOM_CREATED."""
        fields: dict[str, Any] = {
            "organization_id": organization_id,
            "metadata": metadata or {},
            "ai_config": ai_config,
            "timers": timers,
        }
        if room_id is not None:
            fields["id"] = room_id
        try:
            new_room = Room(**fields)
        except ValidationError as exc:
            raise ConfigurationError(f"invalid room: {problems(exc)}") from None
        room = await self.store.create_room(new_room)
        await self._lifecycle(room, HookTrigger.ON_ROOM_CREATED, "room created")
        return room

    async def get_room(self, room_id: str) -> Room:
        """The room ``room_id``; raises :class:`RoomNotFoundError`."""
        room = await self.store.get_room(room_id)
        if room is None:
            raise RoomNotFoundError(f"room {short_id(room_id)} does not exist")
        return room

    async def list_rooms(
        self,
        *,
        status: RoomStatus | None = None,
        organization_id: str | None = None,
        offset: int = 0,
        limit: int = 100,
    ) -> list[Room]:
        """Rooms in creation order, optionally filtered."""
        return await self.store.list_rooms(
            status=status, organization_id=organization_id, offset=offset, limit=limit
        )

    async def _set_status(
        self, room_id: str, status: RoomStatus, trigger: HookTrigger, body: str
    ) -> Room:
        room = await self.get_room(room_id)
        if room.status == status:
            return room
        room.status = status
        now = utcnow()
        room.updated_at = now
        if status == RoomStatus.CLOSED:
            room.closed_at = now
        room = await self.store.update_room(room)
        self._status_epoch += 1  # after the write: see inbound.process_inbound
        await self._lifecycle(room, trigger, body)
        return room

    async def close_room(self, room_id: str) -> Room:
        """Close a room (it accepts no more messages); fires ON_ROOM_CLOSED."""
        return await self._set_status(
            room_id, RoomStatus.CLOSED, HookTrigger.ON_ROOM_CLOSED, "room closed"
        )

    async def pause_room(self, room_id: str) -> Room:
        """Mark a room PAUSED (the next message makes it ACTIVE again); fires ON_ROOM_PAUSED."""
        return await self._set_status(
            room_id, RoomStatus.PAUSED, HookTrigger.ON_ROOM_PAUSED, "room paused"
        )

    async def sweep_room_timers(self, now: datetime | None = None) -> list[Room]:
        """Apply room timers (ACTIVE -> PAUSED -> CLOSED); returns the rooms that changed."""
        return await sweep_room_timers(self, now)

    # -- bindings ----------------------------------------------------------------------------
    async def attach_channel(
        self,
        room_id: str,
        channel_id: str,
        *,
        category: ChannelCategory | None = None,
        access: Access = Access.READ_WRITE,
        visibility: str = "all",
        muted: bool = False,
        capabilities: ChannelCapabilities | None = None,
        retry_policy: RetryPolicy | None = None,
        rate_limit: RateLimit | None = None,
        participant_id: str | None = None,
        direction: ChannelDirection | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> ChannelBinding:
        """Attach a registered channel to a room; fires ON_CHANNEL_ATTACHED."""
        channel = self.get_channel(channel_id)
        room = await self.get_room(room_id)
        if room.status == RoomStatus.CLOSED:
            raise RoomClosedError(f"room {short_id(room_id)} is closed")
        try:
            binding = ChannelBinding(
                room_id=room_id,
                channel_id=channel_id,
                channel_type=channel.channel_type,
                category=category or channel.category,
                direction=direction or channel.direction,
                access=access,
                muted=muted,
                visibility=visibility,
                participant_id=participant_id,
                capabilities=capabilities or channel.capabilities(),
                retry_policy=retry_policy,
                rate_limit=rate_limit,
                metadata=metadata or {},
            )
        except ValidationError as exc:
            raise ConfigurationError(
                f"invalid binding of {short_id(channel_id)}: {problems(exc)}"
            ) from None
        binding = await self.store.add_binding(binding)
        self._limiters.pop((room_id, channel_id), None)
        await self._lifecycle(room, HookTrigger.ON_CHANNEL_ATTACHED, "channel attached", binding)
        return binding

    async def get_binding(self, room_id: str, channel_id: str) -> ChannelBinding:
        """The binding of ``channel_id`` in ``room_id``; raises ChannelNotFoundError."""
        binding = await self.store.get_binding(room_id, channel_id)
        if binding is None:
            await self.get_room(room_id)
            raise ChannelNotFoundError(
                f"channel {short_id(channel_id)} is not attached to {short_id(room_id)}"
            )
        return binding

    async def list_bindings(self, room_id: str) -> list[ChannelBinding]:
        """The bindings of a room in attachment order."""
        await self.get_room(room_id)
        return await self.store.list_bindings(room_id)

    async def detach_channel(self, room_id: str, channel_id: str) -> bool:
        """Detach a channel; fires ON_CHANNEL_DETACHED. ``False`` if it was not attached."""
        room = await self.get_room(room_id)
        binding = await self.store.get_binding(room_id, channel_id)
        if binding is None:
            return False
        await self.store.remove_binding(room_id, channel_id)
        self._limiters.pop((room_id, channel_id), None)
        await self._lifecycle(room, HookTrigger.ON_CHANNEL_DETACHED, "channel detached", binding)
        return True

    async def update_binding(
        self, room_id: str, channel_id: str, /, **changes: Any
    ) -> ChannelBinding:
        """Change fields of a binding (validated), e.g. ``access=Access.READ_ONLY``."""
        binding = await self.get_binding(room_id, channel_id)
        for frozen in ("room_id", "channel_id"):
            if frozen in changes:
                raise ConfigurationError(f"{frozen} of a binding cannot change")
        try:
            updated = ChannelBinding.model_validate({**binding.model_dump(), **changes})
        except ValidationError as exc:
            raise ConfigurationError(
                f"invalid change to the binding of {short_id(channel_id)}: {problems(exc)}"
            ) from None
        self._limiters.pop((room_id, channel_id), None)
        return await self.store.update_binding(updated)

    async def mute(self, room_id: str, channel_id: str) -> ChannelBinding:
        """Mute a channel: its inbound messages are refused and, for intelligence channels,
        it is no longer asked to respond. It keeps receiving the room's events (transports).
        Fires ON_CHANNEL_MUTED."""
        return await self._set_muted(room_id, channel_id, True)

    async def unmute(self, room_id: str, channel_id: str) -> ChannelBinding:
        """Undo :meth:`mute`; fires ON_CHANNEL_UNMUTED."""
        return await self._set_muted(room_id, channel_id, False)

    mute_channel = mute
    unmute_channel = unmute

    async def _set_muted(self, room_id: str, channel_id: str, muted: bool) -> ChannelBinding:
        binding = await self.get_binding(room_id, channel_id)
        if binding.muted == muted:
            return binding
        binding = await self.store.update_binding(binding.model_copy(update={"muted": muted}))
        trigger = HookTrigger.ON_CHANNEL_MUTED if muted else HookTrigger.ON_CHANNEL_UNMUTED
        room = await self.get_room(room_id)
        await self._lifecycle(
            room, trigger, "channel muted" if muted else "channel unmuted", binding
        )
        return binding

    # -- events ------------------------------------------------------------------------------
    async def process_inbound(
        self, message: InboundMessage, *, room_id: str | None = None
    ) -> InboundResult:
        """Run an inbound message through the pipeline (see :mod:`roomkit.core.inbound`)."""
        telemetry = self._telemetry
        if telemetry is None:
            return await process_inbound(self, message, room_id)
        span = telemetry.start_span(
            "roomkit.process_inbound", {"channel_id": getattr(message, "channel_id", "")}
        )
        try:
            result = await process_inbound(self, message, room_id)
        except Exception as exc:
            telemetry.end_span(span, status="error", error=exc)
            raise
        telemetry.end_span(span, attributes={"room_id": result.room_id or ""})
        return result

    async def send_event(
        self,
        room_id: str,
        content: EventContent,
        *,
        channel_id: str = "system",
        event_type: EventType = EventType.MESSAGE,
        participant_id: str | None = None,
        visibility: str = "all",
        chain_depth: int = 0,
        parent_event_id: str | None = None,
        metadata: dict[str, Any] | None = None,
        run_hooks: bool = True,
    ) -> InboundResult:
        """Post an event into a room from code (or from a channel) and broadcast it.

        The event goes through BEFORE_BROADCAST hooks (unless ``run_hooks=False``), is stored
        and broadcast to every binding except ``channel_id``'s own. ``channel_id`` may name a
        registered channel (its type is used) or anything else (type SYSTEM).
        """
        room = await self.get_room(room_id)
        if room.status == RoomStatus.CLOSED:
            raise RoomClosedError(f"room {short_id(room_id)} is closed")
        channel = self._channels.get(channel_id)
        try:
            event = RoomEvent(
                room_id=room_id,
                type=event_type,
                source=EventSource(
                    channel_id=channel_id,
                    channel_type=channel.channel_type if channel else ChannelType.SYSTEM,
                    direction=ChannelDirection.OUTBOUND,
                    participant_id=participant_id,
                ),
                content=content,
                visibility=visibility,
                chain_depth=chain_depth,
                parent_event_id=parent_event_id,
                metadata=metadata or {},
            )
        except ValidationError as exc:
            raise InvalidContentError(f"invalid event: {problems(exc)}") from None
        return await self.send_room_event(event, run_hooks=run_hooks)

    async def send_room_event(self, event: RoomEvent, *, run_hooks: bool = True) -> InboundResult:
        """Store and broadcast a ready-made :class:`RoomEvent` (see :meth:`send_event`)."""
        room_id = event.room_id
        async with room_lock(self, room_id):
            ctx = await load_context(self, room_id)  # the room and its context: one read
            if ctx is None:
                raise RoomNotFoundError(f"room {short_id(room_id)} does not exist")
            admitted = await admit_event(self, event, ctx, run_hooks=run_hooks)
        if self._hooks.pending > self._hooks.soft_pending:
            await self._hooks.relieve()
        return InboundResult(
            room_id=room_id,
            event=admitted.event,
            blocked=admitted.blocked,
            reason=admitted.reason,
            duplicate=admitted.duplicate,
            responses=admitted.responses,
        )

    async def get_timeline(
        self,
        room_id: str,
        *,
        offset: int = 0,
        limit: int = 50,
        after_index: int | None = None,
        before_index: int | None = None,
    ) -> list[RoomEvent]:
        """Events of a room ordered by index (bounds exclusive)."""
        await self.get_room(room_id)
        return await self.store.list_events(
            room_id, offset=offset, limit=limit, after_index=after_index, before_index=before_index
        )

    list_events = get_timeline

    async def get_recent_events(self, room_id: str, limit: int = 20) -> list[RoomEvent]:
        """The last ``limit`` events of a room, oldest first."""
        await self.get_room(room_id)
        return await self.store.get_recent_events(room_id, limit)

    async def get_event(self, event_id: str) -> RoomEvent | None:
        """The stored event ``event_id``."""
        return await self.store.get_event(event_id)

    async def build_context(self, room_id: str) -> RoomContext:
        """A :class:`RoomContext` of the room as it is now."""
        ctx = await load_context(self, room_id)
        if ctx is None:
            raise RoomNotFoundError(f"room {short_id(room_id)} does not exist")
        return ctx

    # -- shutdown ----------------------------------------------------------------------------
    async def drain(self, timeout: float | None = None) -> None:
        """Wait for the async hooks still running, the deliveries waiting in outboxes
        (transport retries) and, when the realtime backend can flush (the in-memory one
        can), for ephemeral events still queued for subscribers."""
        hooks = self._hooks
        outbox = self._outbox
        async with asyncio.timeout(timeout):
            while hooks.pending or outbox.boxes:  # each may start work for the other
                await hooks.drain()
                await outbox.wait()
        flush = getattr(self.realtime, "flush", None)
        if callable(flush):
            await flush(timeout)

    async def close(self, timeout: float | None = 10.0) -> None:
        """Wait for async hooks and outbox deliveries; after ``timeout`` s the deliveries
        still waiting are recorded FAILED ("kit closed before delivery") and the hooks are
        cancelled. Then close channels and components. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        try:
            async with asyncio.timeout(timeout):
                while self._hooks.pending or self._outbox.boxes:
                    await self._hooks.drain()
                    await self._outbox.wait()
        except TimeoutError:
            logger.warning(
                "async hooks or deliveries still running after %ss; cancelling them", timeout
            )
            await self._outbox.abort("kit closed before delivery")
            await self._hooks.cancel_pending()
        closers: list[Callable[[], Awaitable[None]]] = [c.close for c in self._channels.values()]
        closers += [self.realtime.close, self.lock_manager.close, self.store.close]
        for close in closers:
            try:
                await close()
            except Exception:
                logger.exception("closing %r failed", close)

    async def __aenter__(self) -> RoomKit:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
