"""``RoomKit``: the room engine. Channels, rooms, bindings, hooks, and the inbound pipeline.

The message path itself lives in :mod:`roomkit.core.inbound` (steps) and
:mod:`roomkit.core.broadcast` (delivery and responses); this module holds the registry and
the room / binding operations, and wires the components together into the
:class:`~roomkit.core.runtime.Runtime` those steps are handed. ``RoomKit`` implements
:class:`~roomkit.channels.engine.RoomEngine`, the interface channels and orchestration use.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from roomkit.channels.base import Channel, SendFn
from roomkit.core._text import problems, short_id
from roomkit.core.broadcast import admit_event, respond
from roomkit.core.components import COMPONENT_KINDS, resolve_component, split_config_entry
from roomkit.core.context import load_context, report_hook_failure
from roomkit.core.delegation_api import DelegationMixin
from roomkit.core.ephemeral import EphemeralMixin
from roomkit.core.greeting_api import GreetingMixin
from roomkit.core.hook_api import HookApiMixin
from roomkit.core.hooks import HookEngine
from roomkit.core.inbound import process_inbound, run_pipeline
from roomkit.core.locks import InMemoryLockManager, RoomLockManager, room_lock
from roomkit.core.messaging_api import MessagingApiMixin
from roomkit.core.outbox import Outboxes
from roomkit.core.participant_api import ParticipantApiMixin
from roomkit.core.room_admin import RoomAdminMixin
from roomkit.core.runtime import OnRuntime, RoomRouter, Runtime
from roomkit.core.sources_api import SourcesMixin
from roomkit.core.timeline_api import TimelineMixin
from roomkit.core.timers import TimersMixin
from roomkit.core.trace_relay import TraceRelay
from roomkit.core.voice_api import VoiceApiMixin, check_voice_components
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
from roomkit.orchestration.inbound_router import InboundRoomRouter, room_router_of
from roomkit.realtime.base import RealtimeBackend
from roomkit.realtime.memory import InMemoryRealtime
from roomkit.store.base import ConversationStore
from roomkit.store.memory import InMemoryStore
from roomkit.telemetry.base import NoopTelemetryProvider, TelemetryConfig, TelemetryProvider
from roomkit.telemetry.tracer import Tracer

if TYPE_CHECKING:
    from roomkit.core.source_runner import SourceRunner
    from roomkit.tasks.base import TaskRunner
    from roomkit.voice.backends.base import VoiceBackend
    from roomkit.voice.stt.base import STTProvider
    from roomkit.voice.tts.base import TTSProvider

__all__ = ["RoomKit", "RoomRouter"]

#: Binding fields ``attach_channel`` sets itself (never through ``binding_fields``).
_SET_BY_KIT = frozenset({"room_id", "channel_id"})

logger = logging.getLogger("roomkit")


class RoomKit(
    HookApiMixin,
    EphemeralMixin,
    MessagingApiMixin,
    RoomAdminMixin,
    TimelineMixin,
    ParticipantApiMixin,
    TimersMixin,
    GreetingMixin,
    VoiceApiMixin,
    DelegationMixin,
    SourcesMixin,
):
    """The room engine.

    Components default to the in-memory implementations; each may also be given as an
    instance or as the name of a plugin component (``store="sqlite"``, configured with
    ``store_config={...}``; likewise ``lock_manager_config``, ``realtime_config``,
    ``identity_resolver_config``, ``telemetry_config``). The store may be passed
    positionally; the other components and settings are keywords.

    Settings: ``max_chain_depth`` (responses to responses, default 5), ``identity_timeout``,
    ``hook_timeout`` (default for hooks without their own), ``context_events`` (events in a
    :class:`RoomContext`), ``inbound_rate_limit`` (per channel and sender),
    ``max_payload_bytes``, ``delivery_timeout`` (per transport call), ``response_timeout``
    (per intelligence channel turn), ``lock_timeout``,
    ``rate_limit_max_wait`` (longest wait for an outbound rate-limit slot),
    ``circuit_failure_threshold`` / ``circuit_recovery_seconds``,
    ``max_pending_deliveries`` / ``max_pending_per_binding`` (bounds of the outboxes where
    transport retries wait, see :mod:`roomkit.core.outbox`) and ``room_router``
    (``async fn(message) -> room_id | None``) or ``inbound_router`` (an
    :class:`~roomkit.orchestration.inbound_router.InboundRoomRouter`). Voice: ``stt`` /
    ``tts`` (the kit's speech providers, for :meth:`transcribe` / :meth:`synthesize`) and
    ``voice`` (the default voice backend of :meth:`connect_voice`); ``task_runner`` (where
    delegated tasks run, see :meth:`delegate`). Settings and components may be changed on a
    running kit (``kit.max_chain_depth = 3``); the next message uses the new value.
    """

    store = OnRuntime[ConversationStore]()
    lock_manager = OnRuntime[RoomLockManager]()
    identity_resolver = OnRuntime[IdentityResolver | None]()
    max_chain_depth = OnRuntime[int]()
    identity_timeout = OnRuntime[float]()
    context_events = OnRuntime[int]()
    inbound_rate_limit = OnRuntime[RateLimit | None]()
    max_payload_bytes = OnRuntime[int | None]()
    delivery_timeout = OnRuntime[float | None]()
    response_timeout = OnRuntime[float | None]()
    lock_timeout = OnRuntime[float | None]()
    rate_limit_max_wait = OnRuntime[float | None]()
    circuit_failure_threshold = OnRuntime[int]()
    circuit_recovery_seconds = OnRuntime[float]()
    room_router = OnRuntime[RoomRouter | None]()

    def __init__(
        self,
        store: ConversationStore | str | None = None,
        *,
        lock_manager: RoomLockManager | str | None = None,
        realtime: RealtimeBackend | str | None = None,
        identity_resolver: IdentityResolver | str | None = None,
        telemetry: TelemetryProvider | TelemetryConfig | str | None = None,
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
        inbound_router: InboundRoomRouter | None = None,
        stt: STTProvider | None = None,
        tts: TTSProvider | None = None,
        voice: VoiceBackend | None = None,
        task_runner: TaskRunner | None = None,
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
        check_voice_components(stt, tts, voice)
        self._stt, self._tts, self._voice = stt, tts, voice
        if task_runner is not None and not callable(getattr(task_runner, "submit", None)):
            raise ConfigurationError(
                f"task_runner must be a TaskRunner, got {type(task_runner).__name__}"
            )

        def component(kind: str, value: Any) -> Any:
            return resolve_component(kind, value, component_config.get(f"{kind}_config"))

        the_store: ConversationStore = component("store", store) or InMemoryStore()
        locks: RoomLockManager = component("lock_manager", lock_manager) or InMemoryLockManager()
        self._realtime: RealtimeBackend = component("realtime", realtime) or InMemoryRealtime()
        resolver: IdentityResolver | None = component("identity_resolver", identity_resolver)
        telemetry = component("telemetry", telemetry)
        config = telemetry if isinstance(telemetry, TelemetryConfig) else None
        if config is not None:
            telemetry = config.provider
        if telemetry is not None and not isinstance(telemetry, TelemetryProvider):
            raise ConfigurationError("telemetry must be a TelemetryProvider or TelemetryConfig")
        self._telemetry: TelemetryProvider = telemetry or NoopTelemetryProvider()
        # None when telemetry is a no-op: the hot path tests this instead of calling it.
        tracer = None
        if not isinstance(self._telemetry, NoopTelemetryProvider):
            tracer = Tracer(self._telemetry, config)
        hooks = HookEngine(default_timeout=hook_timeout, telemetry=tracer)
        self._rt = rt = Runtime(
            engine=self,
            store=the_store,
            lock_manager=locks,
            identity_resolver=resolver,
            tracer=tracer,
            hooks=hooks,
            max_chain_depth=max_chain_depth,
            identity_timeout=identity_timeout,
            context_events=context_events,
            inbound_rate_limit=inbound_rate_limit,
            max_payload_bytes=max_payload_bytes,
            delivery_timeout=delivery_timeout,
            response_timeout=response_timeout,
            lock_timeout=lock_timeout,
            rate_limit_max_wait=rate_limit_max_wait,
            circuit_failure_threshold=circuit_failure_threshold,
            circuit_recovery_seconds=circuit_recovery_seconds,
            room_router=room_router,
        )
        if inbound_router is not None:
            if room_router is not None:
                raise ConfigurationError("pass room_router or inbound_router, not both")
            rt.room_router = room_router_of(inbound_router, self._channel_type_of)
        hooks.on_error = functools.partial(report_hook_failure, rt)
        rt.outbox = Outboxes(rt, max_pending_deliveries, max_pending_per_binding, respond)
        self._traces = TraceRelay(rt)
        self._task_runner = task_runner
        self._sources: dict[str, SourceRunner] = {}
        self._closed = False

    @property
    def realtime(self) -> RealtimeBackend:
        """The realtime backend ephemeral events (typing, presence ...) go through."""
        return self._realtime

    @property
    def telemetry(self) -> TelemetryProvider:
        """The telemetry provider (``NoopTelemetryProvider`` when none was given)."""
        return self._telemetry

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

        The channel's :meth:`~roomkit.channels.base.Channel.on_register` is handed the kit
        (as a :class:`~roomkit.channels.engine.RoomEngine`), so it can post events, fire hooks
        or publish ephemeral events later.
        """
        if not isinstance(channel, Channel):
            raise ConfigurationError(f"expected a Channel, got {type(channel).__name__}")
        channels = self._rt.channels
        existing = channels.get(channel.channel_id)
        if existing is not None and existing is not channel:
            raise ConfigurationError(
                f"another channel is registered as {short_id(channel.channel_id)}"
            )
        channels[channel.channel_id] = channel
        if existing is None:
            self._traces.attach(channel)
            channel.on_register(self)
        return channel

    def _channel_type_of(self, channel_id: str) -> ChannelType:
        channel = self._rt.channels.get(channel_id)
        return channel.channel_type if channel is not None else ChannelType.SYSTEM

    def get_channel(self, channel_id: str) -> Channel:
        """The registered channel ``channel_id``; raises :class:`ChannelNotRegisteredError`."""
        channel = self._rt.channels.get(channel_id)
        if channel is None:
            raise ChannelNotRegisteredError(
                f"channel {short_id(channel_id)} is not registered; "
                "call kit.register_channel(...) first"
            )
        return channel

    @property
    def channels(self) -> dict[str, Channel]:
        """The registered channels by id (a copy)."""
        return dict(self._rt.channels)

    def list_channels(self) -> list[Channel]:
        """The registered channels, in registration order."""
        return list(self._rt.channels.values())

    async def connect_websocket(
        self,
        channel_id: str,
        connection_id: str,
        send_fn: SendFn,
        *,
        stream_send_fn: SendFn | None = None,
    ) -> None:
        """Register a connection on the channel ``channel_id`` (see
        :meth:`roomkit.channels.websocket.WebSocketChannel.register_connection`;
        ``stream_send_fn`` receives streamed responses); a channel that takes no connections
        raises :class:`ConfigurationError`. Emits ``channel_connected``."""
        channel = self.get_channel(channel_id)
        if stream_send_fn is None:
            channel.register_connection(connection_id, send_fn)
        else:  # channels that stream take it (the WebSocket channel); others refuse it
            register: Callable[..., None] = channel.register_connection
            try:
                register(connection_id, send_fn, stream_send_fn=stream_send_fn)
            except TypeError:
                raise ConfigurationError(
                    f"channel {short_id(channel_id)} takes no stream_send_fn"
                ) from None
        await self._rt.observers.emit(
            "channel_connected", channel_id=channel_id, connection_id=connection_id
        )

    async def disconnect_websocket(self, channel_id: str, connection_id: str) -> bool:
        """Remove a connection registered with :meth:`connect_websocket`; emits
        ``channel_disconnected``."""
        removed = bool(self.get_channel(channel_id).unregister_connection(connection_id))
        if removed:
            await self._rt.observers.emit(
                "channel_disconnected", channel_id=channel_id, connection_id=connection_id
            )
        return removed

    # -- rooms -----------------------------------------------------------------------------
    async def create_room(
        self,
        room_id: str | None = None,
        metadata: dict[str, Any] | None = None,
        *,
        organization_id: str | None = None,
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
        await self._rt.observers.emit("room_created", room_id=room.id)
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
        self._rt.status_epoch += 1  # after the write: see inbound.process_inbound
        await self._lifecycle(room, trigger, body)
        if status == RoomStatus.CLOSED:
            self._rt.forget_room(room_id)  # after the hooks: room hooks see ON_ROOM_CLOSED
            await self._rt.observers.emit("room_closed", room_id=room_id)
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

    async def delete_room(self, room_id: str) -> bool:
        """Delete a room and everything stored with it; ``False`` if it did not exist.

        Messages still in flight for the room fail (the room is gone); the kit forgets the
        room's per-binding state (rate limiters).
        """
        deleted = await self.store.delete_room(room_id)
        self._rt.status_epoch += 1
        self._rt.forget_room(room_id)
        return deleted

    # -- bindings ----------------------------------------------------------------------------
    async def attach_channel(
        self,
        room_id: str,
        channel_id: str,
        channel_type: ChannelType | None = None,
        category: ChannelCategory | None = None,
        access: Access = Access.READ_WRITE,
        visibility: str = "all",
        *,
        muted: bool = False,
        capabilities: ChannelCapabilities | None = None,
        retry_policy: RetryPolicy | None = None,
        rate_limit: RateLimit | None = None,
        participant_id: str | None = None,
        direction: ChannelDirection | None = None,
        metadata: dict[str, Any] | None = None,
        **binding_fields: Any,
    ) -> ChannelBinding:
        """Attach a registered channel to a room; fires ON_CHANNEL_ATTACHED and emits
        ``room_channel_attached``.

        ``channel_type``, ``category`` and ``direction`` default to the channel's own;
        ``binding_fields`` sets other :class:`~roomkit.models.room.ChannelBinding` fields
        (validated; an unknown name is a :class:`ConfigurationError`).
        """
        unknown = set(binding_fields) - set(ChannelBinding.model_fields) - _SET_BY_KIT
        if unknown or _SET_BY_KIT & set(binding_fields):
            raise ConfigurationError(
                f"attach_channel got unknown or fixed binding fields: "
                f"{sorted(unknown | (_SET_BY_KIT & set(binding_fields)))}"
            )
        channel = self.get_channel(channel_id)
        room = await self.get_room(room_id)
        if room.status == RoomStatus.CLOSED:
            raise RoomClosedError(f"room {short_id(room_id)} is closed")
        try:
            binding = ChannelBinding(
                **binding_fields,
                room_id=room_id,
                channel_id=channel_id,
                channel_type=channel_type or channel.channel_type,
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
        self._rt.forget_binding(room_id, channel_id)
        await self._lifecycle(room, HookTrigger.ON_CHANNEL_ATTACHED, "channel attached", binding)
        await self._rt.observers.emit(
            "room_channel_attached",
            room_id=room_id,
            channel_id=channel_id,
            access=str(binding.access),
            visibility=binding.visibility,
        )
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
        self._rt.forget_binding(room_id, channel_id)
        await self._lifecycle(room, HookTrigger.ON_CHANNEL_DETACHED, "channel detached", binding)
        await self._rt.observers.emit(
            "room_channel_detached", room_id=room_id, channel_id=channel_id
        )
        return True

    # -- events ------------------------------------------------------------------------------
    async def process_inbound(
        self, message: InboundMessage, *, room_id: str | None = None
    ) -> InboundResult:
        """Run an inbound message through the pipeline (see :mod:`roomkit.core.inbound`).

        A message carrying a live ``session`` (:func:`~roomkit.voice.parse_voice_session`)
        connects that session to its room instead (see :meth:`connect_announced_session`)."""
        if isinstance(message, InboundMessage) and getattr(message, "session", None) is not None:
            return await self.connect_announced_session(message, room_id)
        rt = self._rt
        tracer = rt.tracer
        if rt.observers:
            return await process_inbound(rt, message, room_id)
        if tracer is None:  # nothing to record: the pipeline alone
            return await run_pipeline(rt, message, room_id)
        # telemetry alone: inbound.process_inbound's root span, in line (no coroutine more)
        channel_id = getattr(message, "channel_id", None)
        token, span = tracer.start_message(channel_id)
        try:
            result = await run_pipeline(rt, message, room_id)
        except BaseException as exc:
            tracer.fail_message(token, span, channel_id, exc)
            raise
        tracer.end_message(token, span, channel_id, result)
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
        provider: str | None = None,
    ) -> InboundResult:
        """Post an event into a room from code (or from a channel) and broadcast it.

        The event goes through BEFORE_BROADCAST hooks (unless ``run_hooks=False``), is stored
        and broadcast to every binding except ``channel_id``'s own. ``channel_id`` may name a
        registered channel (its type is used) or anything else (type SYSTEM); ``provider``
        names the vendor the event is attributed to (``event.source.provider``).
        """
        room = await self.get_room(room_id)
        if room.status == RoomStatus.CLOSED:
            raise RoomClosedError(f"room {short_id(room_id)} is closed")
        channel = self._rt.channels.get(channel_id)
        try:
            event = RoomEvent(
                room_id=room_id,
                type=event_type,
                source=EventSource(
                    channel_id=channel_id,
                    channel_type=channel.channel_type if channel else ChannelType.SYSTEM,
                    direction=ChannelDirection.OUTBOUND,
                    participant_id=participant_id,
                    provider=provider,
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
        rt = self._rt
        async with room_lock(rt.lock_manager, room_id, rt.lock_timeout):
            ctx = await load_context(rt, room_id, event.source.participant_id)  # one read
            if ctx is None:
                raise RoomNotFoundError(f"room {short_id(room_id)} does not exist")
            admitted = await admit_event(rt, event, ctx, run_hooks=run_hooks)
        if rt.hooks.pending > rt.hooks.soft_pending:
            await rt.hooks.relieve()
        return InboundResult(
            room_id=room_id,
            event=admitted.event,
            blocked=admitted.blocked,
            reason=admitted.reason,
            duplicate=admitted.duplicate,
            responses=admitted.responses,
        )

    # -- shutdown ----------------------------------------------------------------------------
    async def drain(self, timeout: float | None = None) -> None:
        """Wait for the async hooks still running, the deliveries waiting in outboxes
        (transport retries) and for ephemeral events still queued for this process's
        subscribers (:meth:`~roomkit.realtime.base.RealtimeBackend.flush`)."""
        hooks = self._rt.hooks
        outbox = self._rt.outbox
        async with asyncio.timeout(timeout):
            while hooks.pending or outbox.boxes:  # each may start work for the other
                await hooks.drain()
                await outbox.wait()
        await self.realtime.flush(timeout)

    async def close(self, timeout: float | None = 10.0) -> None:
        """Detach the event sources, then wait for async hooks and outbox deliveries; after
        ``timeout`` s the deliveries still waiting are recorded FAILED ("kit closed before
        delivery") and the hooks are cancelled. Then close channels and components. Safe to
        call twice."""
        if self._closed:
            return
        self._closed = True
        await self._close_sources()
        hooks = self._rt.hooks
        outbox = self._rt.outbox
        try:
            async with asyncio.timeout(timeout):
                while hooks.pending or outbox.boxes:
                    await hooks.drain()
                    await outbox.wait()
        except TimeoutError:
            logger.warning(
                "async hooks or deliveries still running after %ss; cancelling them", timeout
            )
            await outbox.abort("kit closed before delivery")
            await hooks.cancel_pending()
        closers: list[Callable[[], Awaitable[None]]] = []
        if self._task_runner is not None:  # delegated tasks end CANCELLED, then channels close
            closers.append(self._task_runner.close)
        closers += [c.close for c in self._rt.channels.values()]
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
