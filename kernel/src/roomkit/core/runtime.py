"""``Runtime``: the working parts of one kit, handed explicitly to every step of the message path.

:class:`~roomkit.RoomKit` is the public face of the engine; the steps of the message path
(:mod:`~roomkit.core.inbound`, :mod:`~roomkit.core.broadcast`, :mod:`~roomkit.core.delivery`,
:mod:`~roomkit.core.outbox`, :mod:`~roomkit.core.context`) take a :class:`Runtime` instead of
the kit. It holds the kit's settings, components, registries and per-binding resilience state
as plain slots, so the hot path reads each with one attribute load and no module of the path
depends on ``RoomKit`` itself. The kit's setting attributes (``kit.max_chain_depth`` ...) read
and write these slots, so a setting changed on the kit applies to the next message.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar, overload

from roomkit.channels.base import Channel
from roomkit.channels.engine import RoomEngine
from roomkit.core.circuit_breaker import CircuitBreaker
from roomkit.core.framework_events import FrameworkEvents
from roomkit.core.hooks import HookEngine
from roomkit.core.locks import RoomLockManager
from roomkit.core.rate_limiter import TokenBucketRateLimiter
from roomkit.core.tool_spans import ToolSpans
from roomkit.identity.base import IdentityResolver
from roomkit.models.event import EventSource, InboundMessage
from roomkit.models.room import ChannelBinding, RateLimit
from roomkit.store.base import ConversationStore
from roomkit.telemetry.tracer import Tracer

if TYPE_CHECKING:
    from roomkit.core.identity import IdentityHooks
    from roomkit.core.outbox import Outboxes

__all__ = ["OnRuntime", "RoomRouter", "Runtime"]

RoomRouter = Callable[[InboundMessage], Awaitable[str | None]]
"""``async def router(message) -> room_id | None``: picks the room of an inbound message."""


_NO_MORE = Channel.recent_events_wanted  # the base property: no more than the kit's


@dataclass(slots=True, eq=False)
class Runtime:
    """The state of one kit that the message path reads and updates.

    Settings and components mirror the kit's public attributes of the same names (see
    :class:`~roomkit.RoomKit`); ``tracer`` is ``None`` when the kit's telemetry is a no-op,
    so the hot path tests it instead of calling into a provider that does nothing.
    """

    engine: RoomEngine
    """The kit, through its public interface (the path creates rooms and attaches channels)."""
    store: ConversationStore
    lock_manager: RoomLockManager
    identity_resolver: IdentityResolver | None
    tracer: Tracer | None
    hooks: HookEngine
    max_chain_depth: int
    identity_timeout: float
    context_events: int
    inbound_rate_limit: RateLimit | None
    max_payload_bytes: int | None
    delivery_timeout: float | None
    response_timeout: float | None
    lock_timeout: float | None
    rate_limit_max_wait: float | None
    circuit_failure_threshold: int
    circuit_recovery_seconds: float
    room_router: RoomRouter | None
    outbox: Outboxes = field(init=False)
    """Set by the kit right after construction (the outboxes hold the runtime too)."""
    identity_hooks: IdentityHooks | None = None
    """The kit's identity hooks (``RoomKit.identity_hook``), made at the first one."""
    tool_spans: ToolSpans = field(default_factory=ToolSpans)
    """Open ``roomkit.tool`` spans (with telemetry), see :mod:`roomkit.core.tool_spans`."""
    observers: FrameworkEvents = field(default_factory=FrameworkEvents)
    """Framework-event observers (``RoomKit.on``); false while there are none."""
    channels: dict[str, Channel] = field(default_factory=dict)
    """Registered channels by id."""
    breakers: dict[str, CircuitBreaker] = field(default_factory=dict)
    """One circuit breaker per channel, made at its first failure."""
    limiters: dict[str, dict[str, TokenBucketRateLimiter]] = field(default_factory=dict)
    """Outbound rate limiters of bindings with a ``rate_limit``: room id -> channel id ->."""
    inbound_limiters: dict[tuple[str, str], TokenBucketRateLimiter] = field(default_factory=dict)
    """``inbound_rate_limit`` buckets per (channel, sender), bounded."""
    sources: dict[tuple[str, str, str | None], EventSource] = field(default_factory=dict)
    """Event sources of recent (channel, sender) pairs, shared by their events (bounded)."""
    large_rooms: dict[str, None] = field(default_factory=dict)
    """Rooms seen with many participants (bounded): their messages read the sender by key."""
    wide_rooms: dict[str, int] = field(default_factory=dict)
    """Rooms whose bound channels want more recent events than ``context_events`` (bounded):
    room id -> the most any of them wants (``Channel.recent_events_wanted``)."""
    status_epoch: int = 0
    """Bumped after every room status change made through the kit: a message whose snapshot
    predates a change re-reads its room's status under the room lock."""

    def forget_binding(self, room_id: str, channel_id: str) -> None:
        """Drop the state of a binding that changed or went away (its rate limiter)."""
        room = self.limiters.get(room_id)
        if room is not None:
            room.pop(channel_id, None)
            if not room:
                del self.limiters[room_id]

    def note_large_room(self, room_id: str) -> None:
        """Remember that ``room_id`` has many participants (see ``core.context``)."""
        rooms = self.large_rooms
        if room_id not in rooms:
            if len(rooms) >= 10_000:
                del rooms[next(iter(rooms))]
            rooms[room_id] = None

    def recent_for(self, room_id: str) -> int:
        """How many recent events the contexts of ``room_id``'s messages hold: the kit's
        ``context_events``, or more once a channel bound there asked for more (never when
        ``context_events`` is 0: contexts without events were asked for)."""
        keep = self.context_events
        wanted = self.wide_rooms.get(room_id)
        return keep if wanted is None or wanted <= keep or not keep else wanted

    def note_bindings(self, room_id: str, bindings: list[ChannelBinding]) -> None:
        """Remember what the channels of ``bindings`` (the room's, as just read) want of its
        recent events, for the room's next messages (see :meth:`recent_for`)."""
        wanted = 0
        channels = self.channels
        for binding in bindings:
            channel = channels.get(binding.channel_id)
            # the base property answers 0: not asked (a call per binding and message)
            if channel is not None and type(channel).recent_events_wanted is not _NO_MORE:
                want = channel.recent_events_wanted
                if want > wanted:
                    wanted = want
        rooms = self.wide_rooms
        if wanted > self.context_events:
            if rooms.get(room_id) != wanted:
                if room_id not in rooms and len(rooms) >= 10_000:
                    del rooms[next(iter(rooms))]
                rooms[room_id] = wanted
        elif rooms:
            rooms.pop(room_id, None)

    def forget_room(self, room_id: str) -> None:
        """Drop the state of a room that was closed or deleted: its bindings' rate limiters
        and its room hooks."""
        self.limiters.pop(room_id, None)
        self.large_rooms.pop(room_id, None)
        self.wide_rooms.pop(room_id, None)
        self.hooks.forget_room(room_id)


T = TypeVar("T")


class _HasRuntime(Protocol):
    _rt: Runtime


class OnRuntime(Generic[T]):
    """A kit attribute kept in the kit's :class:`Runtime` slot of the same name.

    ``RoomKit`` declares its settings and components with it (``max_chain_depth =
    OnRuntime[int]()``): reading or setting ``kit.max_chain_depth`` reads or sets
    ``kit._rt.max_chain_depth``, the one place the message path looks.
    """

    __slots__ = ("name",)

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, kit: None, owner: type) -> OnRuntime[T]: ...

    @overload
    def __get__(self, kit: _HasRuntime, owner: type) -> T: ...

    def __get__(self, kit: _HasRuntime | None, owner: type) -> T | OnRuntime[T]:
        if kit is None:
            return self
        value: T = getattr(kit._rt, self.name)
        return value

    def __set__(self, kit: _HasRuntime, value: T) -> None:
        setattr(kit._rt, self.name, value)
