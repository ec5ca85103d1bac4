"""The callback-based WebSocket channel: the app owns the sockets, the channel owns fan-out.

Each connection is registered with an async ``send_fn``. It may take ``(connection_id,
payload)`` or just ``(payload)``; the shape is read once at registration. The payload is the
:class:`~roomkit.models.RoomEvent` for room events and the
:class:`~roomkit.models.EphemeralEvent` for typing, receipts and reactions; the app serialises
it (``payload.model_dump_json()``) for its socket library.

A connection registered with a ``stream_send_fn`` also receives AI replies while they are
generated: :class:`~roomkit.models.streaming.StreamStart`, one
:class:`~roomkit.models.streaming.StreamChunk` per text piece, then
:class:`~roomkit.models.streaming.StreamEnd` with the complete event (or
:class:`~roomkit.models.streaming.StreamError`); connections without one receive the complete
event once, through ``send_fn``.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

from roomkit.channels.base import Channel, SendFn
from roomkit.errors import ConfigurationError, DeliveryError
from roomkit.models.content import TextContent
from roomkit.models.context import RoomContext
from roomkit.models.enums import (
    ChannelCategory,
    ChannelMediaType,
    ChannelType,
    EphemeralEventType,
)
from roomkit.models.event import EphemeralEvent, RoomEvent
from roomkit.models.hooks import ChannelOutput
from roomkit.models.keys import STREAM_EVENT_KIND
from roomkit.models.room import ChannelBinding, ChannelCapabilities

if TYPE_CHECKING:
    from roomkit.models.streaming import StreamMessage, StreamSendFn

__all__ = ["SendFn", "WebSocketChannel"]

logger = logging.getLogger("roomkit.channels.websocket")


@functools.cache
def _empty() -> ChannelOutput:
    """The shared empty output (made on first use: models are built lazily, not at import)."""
    return ChannelOutput()


@functools.cache
def _capabilities() -> ChannelCapabilities:
    """The default capabilities of a WebSocket channel (made on first use)."""
    return ChannelCapabilities(
        media_types=[
            ChannelMediaType.TEXT,
            ChannelMediaType.RICH,
            ChannelMediaType.MEDIA,
            ChannelMediaType.AUDIO,
            ChannelMediaType.VIDEO,
            ChannelMediaType.LOCATION,
        ],
        supports_threading=True,
        supports_typing=True,
        supports_read_receipts=True,
        supports_reactions=True,
        supports_edit=True,
        supports_delete=True,
        supports_streaming=True,
        supports_buttons=True,
        supports_cards=True,
        supports_quick_replies=True,
    )


def _takes_connection_id(send_fn: SendFn) -> bool:
    try:
        params = inspect.signature(send_fn).parameters.values()
    except (TypeError, ValueError):
        return True
    positional = [
        p
        for p in params
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty
    ]
    has_varargs = any(p.kind == p.VAR_POSITIONAL for p in params)
    return len(positional) >= 2 or (has_varargs and len(positional) < 1)


class WebSocketChannel(Channel):
    """Delivers room events to every registered connection.

    A connection whose ``send_fn`` raises is logged and counted in the delivery's metadata
    (``failed_connections``) while the others still receive; when every connection fails the
    delivery raises :class:`~roomkit.errors.DeliveryError` so the engine records it on the
    event. ``on_connection_error(connection_id, exc)`` is called for each failure if given.
    """

    channel_type = ChannelType.WEBSOCKET
    category = ChannelCategory.TRANSPORT
    inline_delivery = True  # sends are in-process callbacks

    def __init__(
        self,
        channel_id: str,
        *,
        capabilities: ChannelCapabilities | None = None,
        on_connection_error: Callable[[str, BaseException], None] | None = None,
    ) -> None:
        super().__init__(channel_id)
        self._capabilities = capabilities or _capabilities()
        self._connections: dict[str, tuple[SendFn, bool]] = {}
        # the connections as (id, send_fn, takes the id) triples, made again on every change:
        # a delivery iterates this snapshot (a send may register or drop connections)
        self._sends: tuple[tuple[str, SendFn, bool], ...] = ()
        self._stream_fns: dict[str, StreamSendFn] = {}
        self._on_connection_error = on_connection_error

    def _changed(self) -> None:
        self._sends = tuple((cid, fn, with_id) for cid, (fn, with_id) in self._connections.items())

    def capabilities(self) -> ChannelCapabilities:
        return self._capabilities

    # -- connections -------------------------------------------------------------------------
    def register_connection(
        self,
        connection_id: str,
        send_fn: SendFn,
        *,
        stream_send_fn: StreamSendFn | None = None,
    ) -> None:
        """Add (or replace) a connection; ``send_fn`` receives every payload for it.

        With ``stream_send_fn`` (``async fn(connection_id, message)``) the connection also
        receives replies piece by piece while they are generated (see the module doc).
        """
        if not connection_id:
            raise ConfigurationError("connection_id must be a non-empty string")
        if not callable(send_fn):
            raise TypeError("send_fn must be an async callable")
        if stream_send_fn is not None and not callable(stream_send_fn):
            raise TypeError("stream_send_fn must be an async callable")
        self._connections[connection_id] = (send_fn, _takes_connection_id(send_fn))
        self._changed()
        if stream_send_fn is not None:
            self._stream_fns[connection_id] = stream_send_fn
        else:
            self._stream_fns.pop(connection_id, None)

    def unregister_connection(self, connection_id: str) -> bool:
        """Remove a connection; ``False`` if it was not registered."""
        self._stream_fns.pop(connection_id, None)
        removed = self._connections.pop(connection_id, None) is not None
        self._changed()
        return removed

    @property
    def connection_ids(self) -> list[str]:
        """Ids of the registered connections."""
        return list(self._connections)

    @property
    def connection_count(self) -> int:
        """How many connections are registered."""
        return len(self._connections)

    @property
    def supports_streaming_delivery(self) -> bool:
        """Replies are streamed to this channel (to connections with a ``stream_send_fn``)."""
        return True

    # -- delivery ----------------------------------------------------------------------------
    async def _send_all(self, payload: Any, only: set[str] | None = None) -> list[str]:
        failed: list[str] = []
        for connection_id, send_fn, with_id in self._sends:
            if only is not None and connection_id not in only:
                continue
            try:
                if with_id:
                    await send_fn(connection_id, payload)
                else:
                    await send_fn(payload)
            except Exception as exc:
                self._failed(connection_id, exc, failed)
        return failed

    def _failed(self, connection_id: str, exc: Exception, failed: list[str]) -> None:
        failed.append(connection_id)
        logger.warning(
            "websocket %s: connection %s failed: %r", self.channel_id, connection_id, exc
        )
        if self._on_connection_error is not None:
            self._on_connection_error(connection_id, exc)

    def _outcome(self, failed: list[str]) -> ChannelOutput:
        if not failed:
            return _empty()
        if len(failed) == len(self._connections):
            raise DeliveryError(
                f"every connection of websocket channel {self.channel_id!r} failed: {failed}"
            )
        return ChannelOutput(metadata={"failed_connections": failed})

    async def deliver(
        self, event: RoomEvent, binding: ChannelBinding, context: RoomContext
    ) -> ChannelOutput:
        return self._outcome(await self._send_all(event))

    async def on_event(
        self, event: RoomEvent, binding: ChannelBinding, context: RoomContext
    ) -> ChannelOutput:
        """:meth:`deliver` (called when a subclass overrides it or ``_send_all``; else its
        work is done here, one coroutine per delivery instead of three)."""
        cls = type(self)
        if cls.deliver is not _DELIVER or cls._send_all is not _SEND_ALL:
            return await self.deliver(event, binding, context)
        failed: list[str] | None = None
        for connection_id, send_fn, with_id in self._sends:
            try:
                if with_id:
                    await send_fn(connection_id, event)
                else:
                    await send_fn(event)
            except Exception as exc:
                if failed is None:
                    failed = []
                self._failed(connection_id, exc, failed)
        return self._outcome(failed) if failed else _empty()

    async def deliver_stream(
        self,
        text_stream: AsyncIterator[str],
        event: RoomEvent,
        binding: ChannelBinding,
        context: RoomContext,
    ) -> ChannelOutput:
        """Stream a reply: ``StreamStart``, a ``StreamChunk`` per piece and ``StreamEnd`` to
        streaming connections, the complete event to the others.

        A connection whose ``stream_send_fn`` raises is left out of the rest of the stream.
        When ``text_stream`` fails, streaming connections get ``StreamError`` and the error
        is raised again.
        """
        # lazy: the eight stream message models are built only by programs that stream replies
        from roomkit.models.streaming import StreamChunk, StreamEnd, StreamError, StreamStart

        live = dict(self._stream_fns)
        room_id, stream_id = event.room_id, event.id
        await self._stream_to(
            live, StreamStart(room_id=room_id, stream_id=stream_id, source=event.source)
        )
        text = ""
        try:
            async for delta in text_stream:
                text += delta
                chunk = StreamChunk(room_id=room_id, stream_id=stream_id, delta=delta, text=text)
                await self._stream_to(live, chunk)
        except Exception as exc:
            error = StreamError(room_id=room_id, stream_id=stream_id, error=type(exc).__name__)
            await self._stream_to(live, error)
            raise
        whole = event.model_copy(update={"content": TextContent(body=text)})
        await self._stream_to(live, StreamEnd(room_id=room_id, stream_id=stream_id, event=whole))
        plain = {cid for cid in self._connections if cid not in self._stream_fns}
        failed = await self._send_all(whole, only=plain)
        return ChannelOutput(
            metadata={"streamed_connections": len(live), "failed_connections": failed}
        )

    async def _stream_to(self, live: dict[str, StreamSendFn], message: StreamMessage) -> None:
        for connection_id, send in list(live.items()):
            try:
                await send(connection_id, message)
            except Exception as exc:
                del live[connection_id]
                logger.warning(
                    "websocket %s: streaming to %s failed: %r", self.channel_id, connection_id, exc
                )
                if self._on_connection_error is not None:
                    self._on_connection_error(connection_id, exc)

    async def deliver_ephemeral(self, event: EphemeralEvent, binding: ChannelBinding) -> None:
        """Forward a typing / receipt / reaction event to every connection.

        Streamed AI text (``CUSTOM`` events of kind ``ai_stream``) skips the connections that
        receive the same text as stream messages.
        """
        if (
            self._stream_fns
            and event.type is EphemeralEventType.CUSTOM
            and event.data.get("kind") == STREAM_EVENT_KIND
        ):
            await self._send_all(
                event, only={c for c in self._connections if c not in self._stream_fns}
            )
            return
        await self._send_all(event)

    async def close(self) -> None:
        """Forget every connection (the app closes its sockets)."""
        self._connections.clear()
        self._sends = ()
        self._stream_fns.clear()

    def info(self) -> dict[str, object]:
        data = super().info()
        data["connections"] = len(self._connections)
        return data


_DELIVER = WebSocketChannel.deliver
_SEND_ALL = WebSocketChannel._send_all
