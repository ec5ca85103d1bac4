"""The channel contract: a thin adapter between a room and one transport or intelligence.

A channel overrides one method: :meth:`Channel.deliver` for a transport, :meth:`Channel.on_event`
for an intelligence channel. Everything else the engine may ask of a channel has a working
default here, so a channel implements only what it supports:

- ``on_register(engine)``: called by ``RoomKit.register_channel``; default: nothing.
- ``handle_inbound``: turns an inbound message into an event; default: builds the event.
- ``deliver`` / ``on_event``: the broadcast; default: nothing delivered.
- ``deliver_ephemeral``: ``RoomKit.publish_ephemeral``; default: the event is ignored.
- ``register_connection`` / ``unregister_connection``: ``RoomKit.connect_websocket`` and
  ``disconnect_websocket``; default: :class:`~roomkit.errors.ConfigurationError`.
- ``apply_agent_handoff`` / ``set_language``: the ``HandoffHandler`` (voice channels);
  default: nothing.
- ``connect_session`` / ``disconnect_session``: live sessions (voice calls) joining and
  leaving a room; default: :class:`~roomkit.errors.ConfigurationError`.
- ``update_binding(room_id, binding)``: the kit changed this channel's binding (mute, access,
  visibility, metadata); default: nothing.
- ``close``: ``RoomKit.close``; default: nothing.

Protocol traces: a channel that sees raw wire traffic (SIP, HTTP, WebSocket frames) calls
:meth:`Channel.emit_trace` with a :class:`~roomkit.telemetry.trace.ProtocolTrace` when
:attr:`Channel.trace_enabled` says someone observes (:meth:`Channel.on_trace`; the kit
observes while ``ON_PROTOCOL_TRACE`` hooks exist), so tracing costs nothing otherwise.

``inline_delivery = True`` marks channels whose delivery is an in-process call (the WebSocket
channel's callbacks): the engine awaits them one after another instead of concurrently.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from abc import ABC
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from roomkit.errors import ConfigurationError
from roomkit.models._construct import construct
from roomkit.models.content import (
    AudioContent,
    CompositeContent,
    EditContent,
    MediaContent,
    RichContent,
    SystemContent,
    TemplateContent,
    TextContent,
)
from roomkit.models.context import RoomContext
from roomkit.models.enums import ChannelCategory, ChannelDirection, ChannelType
from roomkit.models.event import (
    ChannelData,
    EphemeralEvent,
    EventSource,
    InboundMessage,
    RoomEvent,
)
from roomkit.models.hooks import ChannelOutput
from roomkit.models.room import ChannelBinding, ChannelCapabilities
from roomkit.telemetry.trace import ProtocolTrace

if TYPE_CHECKING:
    from roomkit.channels.engine import RoomEngine

__all__ = ["Channel", "ChannelInfo", "SendFn", "TraceCallback"]

logger = logging.getLogger("roomkit.channels")

SendFn = Callable[..., Awaitable[Any]]
"""``async def send(connection_id, payload)`` or ``async def send(payload)``."""

TraceCallback = Callable[[ProtocolTrace], Any]
"""``fn(trace)``, sync or async: an observer of a channel's protocol traces."""


class ChannelInfo(dict[str, object]):
    """``channel.info``: a channel's diagnostics, a plain dict that may also be called.

    RoomKit 0.6.7 read it as a property (``channel.info["provider"]``), earlier RoomKit
    versions called it (``channel.info()``); both work. Channels override it as a method
    ``def info(self) -> dict`` (calling ``super().info()``), which :class:`Channel` turns into
    this property form.
    """

    def __call__(self) -> ChannelInfo:
        return self


class _InfoProperty:
    """Makes a channel's ``info`` method read as a :class:`ChannelInfo` (see there)."""

    def __init__(self, describe: Callable[[Any], dict[str, object]]) -> None:
        self.describe = describe
        self.__doc__ = describe.__doc__

    def __get__(self, channel: Any, owner: type | None = None) -> Any:
        if channel is None:
            return self
        return ChannelInfo(self.describe(channel))


@dataclass(frozen=True, slots=True)
class _TraceObserver:
    callback: TraceCallback
    protocols: frozenset[str] | None
    when: Callable[[], bool] | None


class Channel(ABC):  # noqa: B024 - transports override deliver(), intelligence on_event()
    """Base class of every channel.

    A transport channel implements :meth:`deliver` (push an event out to people); an
    intelligence channel sets ``category = ChannelCategory.INTELLIGENCE`` and implements
    :meth:`on_event` (return generated events). :meth:`handle_inbound` turns a provider message
    into a room event and rarely needs overriding. The other methods are optional abilities
    with defaults (see the module docstring).
    """

    channel_type: ChannelType = ChannelType.WEBHOOK
    category: ChannelCategory = ChannelCategory.TRANSPORT
    direction: ChannelDirection = ChannelDirection.BIDIRECTIONAL
    #: Delivery is an in-process call: the engine awaits it in line instead of in a task.
    inline_delivery: bool = False

    #: Protocol trace observers (a tuple, replaced on change; shared empty default).
    _trace_observers: tuple[_TraceObserver, ...] = ()

    def __init__(self, channel_id: str) -> None:
        if not channel_id:
            raise ValueError("channel_id must be a non-empty string")
        self.channel_id = channel_id

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        describe = cls.__dict__.get("info")
        if inspect.isfunction(describe):  # a subclass's ``def info(self)``: property form too
            cls.info = _InfoProperty(describe)  # type: ignore[assignment,method-assign]

    def on_register(self, engine: RoomEngine) -> None:  # noqa: B027 - optional hook
        """Called once by ``RoomKit.register_channel`` with the engine the channel now serves.

        Channels that post events, fire hooks or publish realtime events later keep
        ``engine`` (see :class:`~roomkit.channels.engine.RoomEngine`); the default ignores it.
        """

    def capabilities(self) -> ChannelCapabilities:
        """What this channel can carry (text only unless overridden)."""
        return ChannelCapabilities()

    async def handle_inbound(self, message: InboundMessage, context: RoomContext) -> RoomEvent:
        """Convert an inbound message into a room event of ``context.room``."""
        return RoomEvent(
            room_id=context.room.id,
            type=message.event_type,
            source=EventSource(
                channel_id=self.channel_id,
                channel_type=self.channel_type,
                direction=ChannelDirection.INBOUND,
                participant_id=message.sender_id,
                external_id=message.external_id,
                provider_message_id=message.external_id,
                raw_payload=message.raw_payload,
            ),
            content=message.content,
            idempotency_key=message.idempotency_key,
            channel_data=construct(
                ChannelData,
                {"external_id": message.external_id, "thread_id": message.thread_id, "extra": {}},
            ),
            metadata=dict(message.metadata) if message.metadata else {},
        )

    async def deliver(
        self, event: RoomEvent, binding: ChannelBinding, context: RoomContext
    ) -> ChannelOutput:
        """Push ``event`` out through this channel. Raise to report a failed delivery."""
        return ChannelOutput.empty()

    async def on_event(
        self, event: RoomEvent, binding: ChannelBinding, context: RoomContext
    ) -> ChannelOutput:
        """React to an event of the room. Transport channels deliver it; override to respond."""
        return await self.deliver(event, binding, context)

    @property
    def supports_streaming_delivery(self) -> bool:
        """Whether the engine streams replies to this channel piece by piece
        (:meth:`deliver_stream`) instead of delivering them whole. ``False`` by default."""
        return False

    async def deliver_stream(
        self,
        text_stream: AsyncIterator[str],
        event: RoomEvent,
        binding: ChannelBinding,
        context: RoomContext,
    ) -> ChannelOutput:
        """Deliver a reply while it is generated: ``text_stream`` yields its text pieces,
        ``event`` is the reply (same id as the event that is stored once the text is
        complete; its content is empty until then).

        Channels that stream override it (and :attr:`supports_streaming_delivery`). The
        default collects the text and delivers the complete reply with :meth:`deliver`.
        """
        parts = [piece async for piece in text_stream]
        whole = event.model_copy(update={"content": TextContent(body="".join(parts))})
        return await self.deliver(whole, binding, context)

    async def deliver_ephemeral(self, event: EphemeralEvent, binding: ChannelBinding) -> None:  # noqa: B027
        """Push a typing / presence / receipt / reaction / streamed-text event out.

        Called only for the kinds the binding's capabilities allow; the default ignores them.
        """

    def register_connection(self, connection_id: str, send_fn: SendFn) -> None:
        """Add a live connection (a socket the application owns) to this channel.

        Raises :class:`~roomkit.errors.ConfigurationError` on channels that take no
        connections (every channel but the WebSocket one, by default).
        """
        raise ConfigurationError(f"channel {self.channel_id!r} does not take connections")

    def unregister_connection(self, connection_id: str) -> bool:
        """Remove a connection added with :meth:`register_connection`.

        Returns ``False`` when it was not registered. Raises
        :class:`~roomkit.errors.ConfigurationError` on channels that take no connections.
        """
        raise ConfigurationError(f"channel {self.channel_id!r} does not take connections")

    async def apply_agent_handoff(  # noqa: B027 - optional hook
        self,
        room_id: str,
        agent: Channel,
        *,
        system_prompt: str | None = None,
        voice: str | None = None,
        greet: bool = False,
        language: str | None = None,
    ) -> None:
        """Take on the persona of ``agent`` (an :class:`~roomkit.channels.agent.Agent`) in
        ``room_id`` after a handoff: its prompt, voice and language, greeting when ``greet``.

        Voice and realtime-voice channels override it; others have nothing to reconfigure.
        """

    async def set_language(self, room_id: str, language: str) -> None:  # noqa: B027
        """Switch ``room_id`` to ``language`` (speech recognition and synthesis voices).

        Voice and realtime-voice channels override it; text channels ignore it.
        """

    async def connect_session(self, session: Any, room_id: str, binding: ChannelBinding) -> None:
        """Attach a live ``session`` (a voice call, a realtime connection) to ``room_id``.

        Called by ``RoomKit.connect_voice`` and by ``process_inbound`` for a message carrying a
        session. Session-based channels (voice, realtime voice) override it; other channels
        have no sessions, and the default raises :class:`~roomkit.errors.ConfigurationError`.
        """
        raise ConfigurationError(f"channel {self.channel_id!r} takes no sessions")

    async def disconnect_session(self, session: Any, room_id: str) -> None:
        """Detach ``session`` from ``room_id`` (see :meth:`connect_session`); the default
        raises :class:`~roomkit.errors.ConfigurationError` like :meth:`connect_session`."""
        raise ConfigurationError(f"channel {self.channel_id!r} takes no sessions")

    def update_binding(self, room_id: str, binding: ChannelBinding) -> None:  # noqa: B027
        """Called by the kit after it changed this channel's binding in ``room_id`` (mute,
        access, visibility, metadata). Channels that cache binding state per session (voice)
        override it; the default does nothing."""

    async def close(self) -> None:  # noqa: B027 - optional hook, empty by default
        """Release connections and background tasks."""

    @property
    def recent_events_wanted(self) -> int:
        """How many of a room's latest events this channel wants in the contexts of the
        room's messages (``0``: no more than the kit's ``context_events``). The engine reads
        ``max(context_events, this)`` for a room once it has seen the channel bound there, so
        e.g. an AI channel's memory finds its window in ``context.recent_events``."""
        return 0

    @property
    def provider_name(self) -> str | None:
        """The name of the vendor or backend behind the channel (``"twilio"``, ``"openai"``
        ...), for attribution; ``None`` when it has none. The default reads the ``name`` of
        the channel's ``provider`` attribute, when it has one."""
        name = getattr(getattr(self, "provider", None), "name", None)
        return name if isinstance(name, str) and name else None

    @staticmethod
    def extract_text(event: RoomEvent) -> str:
        """The text a person would read in ``event`` (``""`` when it carries none): the body
        of text, rich (its plain text), system and template content, an audio transcript, a
        media caption, the new content of an edit, the texts of a composite joined by lines."""
        return _text_of(event.content)

    # -- protocol traces -------------------------------------------------------------------
    def on_trace(
        self,
        callback: TraceCallback,
        *,
        protocols: Sequence[str] | None = None,
        when: Callable[[], bool] | None = None,
    ) -> None:
        """Call ``callback(trace)`` (sync, or async: run as a task) for every protocol trace
        this channel emits; ``protocols`` keeps only those protocols (``["sip"]``), ``when``
        observes only while it returns true (the kit's observer: while ``ON_PROTOCOL_TRACE``
        hooks exist)."""
        if not callable(callback):
            raise ConfigurationError("a trace observer must be callable")
        wanted = None if protocols is None else frozenset(protocols)
        self._trace_observers = (*self._trace_observers, _TraceObserver(callback, wanted, when))

    @property
    def trace_enabled(self) -> bool:
        """Whether anyone observes this channel's protocol traces now (emit only then)."""
        return any(o.when is None or o.when() for o in self._trace_observers)

    def emit_trace(self, trace: ProtocolTrace) -> None:
        """Hand ``trace`` to every observer that wants it; an observer that fails is logged."""
        for observer in self._trace_observers:
            if observer.protocols is not None and trace.protocol not in observer.protocols:
                continue
            if observer.when is not None and not observer.when():
                continue
            try:
                result = observer.callback(trace)
                if inspect.isawaitable(result):
                    _run_in_background(result)
            except Exception:
                logger.exception("trace observer of channel %r failed", self.channel_id)

    def resolve_trace_room(self, session_id: str | None) -> str | None:
        """The room a trace of ``session_id`` belongs to, for traces emitted without a room
        id. Session-based channels (voice) override it; the default knows none."""
        return None

    def info(self) -> dict[str, object]:
        """A small description of the channel for diagnostics (never secrets); read as a
        property (``channel.info``) or called (``channel.info()``), see :class:`ChannelInfo`."""
        return {
            "channel_id": self.channel_id,
            "channel_type": str(self.channel_type),
            "category": str(self.category),
        }


Channel.info = _InfoProperty(Channel.__dict__["info"])  # type: ignore[assignment,method-assign]

_BACKGROUND: set[asyncio.Future[Any]] = set()


def _run_in_background(awaitable: Awaitable[Any]) -> None:
    """Run an async trace observer's coroutine as a task, keeping it referenced until done."""
    task = asyncio.ensure_future(awaitable)
    _BACKGROUND.add(task)
    task.add_done_callback(_finished)


def _finished(task: asyncio.Future[Any]) -> None:
    _BACKGROUND.discard(task)
    if not task.cancelled() and task.exception() is not None:
        logger.error("an async trace observer failed", exc_info=task.exception())


def _text_of(content: Any) -> str:
    if isinstance(content, TextContent | SystemContent):
        return content.body
    if isinstance(content, RichContent):
        return content.plain_text or content.body
    if isinstance(content, TemplateContent):
        return content.body or ""
    if isinstance(content, AudioContent):
        return content.transcript or ""
    if isinstance(content, MediaContent):
        return content.caption or ""
    if isinstance(content, EditContent):
        return _text_of(content.new_content)
    if isinstance(content, CompositeContent):
        return "\n".join(t for t in (_text_of(p) for p in content.parts) if t)
    return ""
