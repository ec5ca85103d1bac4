"""``RoomEngine``: the engine as the components it drives see it.

Channels are handed the engine in :meth:`Channel.on_register
<roomkit.channels.base.Channel.on_register>`; orchestration (router, handoffs, pipelines) and
voice components take it as an argument. They use only the members below, never the engine's
internals, so any object with these members can stand in for a :class:`~roomkit.RoomKit`
(which implements all of them publicly).

The protocol lives here, under the layers that use it (channels, orchestration, voice) and
above the contracts it names (store, models), so none of them imports the engine (``core``).
Being a :class:`typing.Protocol`, it costs nothing at run time.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from roomkit.models.content import EventContent
from roomkit.models.context import RoomContext
from roomkit.models.enums import (
    ChannelCategory,
    ChannelDirection,
    ChannelType,
    EventType,
    HookExecution,
    HookTrigger,
)
from roomkit.models.event import EphemeralEvent, InboundMessage, InboundResult
from roomkit.models.hooks import HookFn, HookRegistration, SyncOutcome
from roomkit.models.room import ChannelBinding, Room
from roomkit.store.base import ConversationStore

if TYPE_CHECKING:
    from roomkit.channels.base import Channel

__all__ = ["EmitCallback", "RoomEngine"]

EmitCallback = Callable[[InboundMessage], Awaitable[InboundResult]]
"""How a component that receives messages from outside (an event source) hands one to the
engine: ``await emit(message)``, usually the kit's bound :meth:`RoomEngine.process_inbound`."""


@runtime_checkable
class RoomEngine(Protocol):
    """What a running engine offers to channels, orchestration and other components.

    Rooms and channels: :meth:`create_room`, :meth:`get_room`, :meth:`close_room`,
    :meth:`attach_channel`, :meth:`get_channel`, :meth:`build_context`.
    Events: :meth:`process_inbound` (a message from outside), :meth:`send_event` (an event
    posted by a component, e.g. a greeting). Hooks and errors: :meth:`add_hook`,
    :meth:`fire_hook` (the one way a component runs hooks), :meth:`report_error`.
    Realtime: :meth:`publish_ephemeral`. Storage: :attr:`store`, for reads a component
    needs beyond these (memory reading older events, orchestration updating room state).
    """

    @property
    def store(self) -> ConversationStore:
        """The conversation store every room of this engine lives in."""
        ...

    def get_channel(self, channel_id: str) -> Channel:
        """The registered channel ``channel_id``; raises
        :class:`~roomkit.errors.ChannelNotRegisteredError` when there is none."""
        ...

    async def create_room(
        self,
        room_id: str | None = None,
        *,
        organization_id: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> Room:
        """Create a room (fires ``ON_ROOM_CREATED``)."""
        ...

    async def get_room(self, room_id: str) -> Room:
        """The room ``room_id``; raises :class:`~roomkit.errors.RoomNotFoundError`."""
        ...

    async def close_room(self, room_id: str) -> Room:
        """Close a room: it accepts no more messages (fires ``ON_ROOM_CLOSED``)."""
        ...

    async def attach_channel(
        self,
        room_id: str,
        channel_id: str,
        *,
        category: ChannelCategory | None = None,
        direction: ChannelDirection | None = None,
        participant_id: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> ChannelBinding:
        """Attach a registered channel to a room (fires ``ON_CHANNEL_ATTACHED``)."""
        ...

    async def build_context(self, room_id: str) -> RoomContext:
        """A context of the room as it is now: bindings, participants, recent events."""
        ...

    async def process_inbound(
        self, message: InboundMessage, *, room_id: str | None = None
    ) -> InboundResult:
        """Run a message from outside through the whole pipeline (hooks, store, broadcast)."""
        ...

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
        """Post an event into a room from a component and broadcast it to the others."""
        ...

    async def send_greeting(
        self,
        room_id: str,
        *,
        channel_id: str | None = None,
        agent_id: str | None = None,
        greeting: str | None = None,
    ) -> None:
        """Post an agent's greeting into a room."""
        ...

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
        """Register ``async def fn(payload, ctx)`` for ``trigger``."""
        ...

    async def fire_hook(
        self,
        trigger: HookTrigger,
        payload: Any = None,
        *,
        room_id: str | None = None,
        metadata: dict[str, Any] | None = None,
        context: RoomContext | None = None,
    ) -> SyncOutcome | None:
        """Run the hooks of ``trigger``: sync ones in line (their outcome is returned), async
        ones in the background. ``context`` is used as given when the caller has one;
        otherwise one is built for ``room_id`` (or ``payload.room_id``)."""
        ...

    async def report_error(
        self,
        stage: str,
        error: BaseException,
        payload: Any,
        context: RoomContext,
        **details: Any,
    ) -> None:
        """Log ``error``, count it in telemetry and hand it to the ``ON_ERROR`` hooks.

        ``stage`` says where it happened (``"AI channel support"``); never raises.
        """
        ...

    async def publish_ephemeral(self, event: EphemeralEvent) -> None:
        """Publish a realtime event (typing, streamed text, tool calls) to the room's
        subscribers and to the transport channels whose capabilities allow it."""
        ...
