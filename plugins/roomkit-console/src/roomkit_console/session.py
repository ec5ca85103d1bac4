"""One browser tab of the console: a WebSocket that joins a room, chats and streams records.

The browser sends JSON operations:

* ``{"op": "rooms"}`` -- the kit's rooms with their bindings;
* ``{"op": "join", "room_id", "sender_id"?, "channel_id"?}`` -- watch a room and speak in it
  through ``channel_id`` (default: the room's first WebSocket channel, else the console's own
  channel, attached to the room for the purpose); the answer carries the bindings, the
  registered hooks and the recent timeline, then records stream in;
* ``{"op": "say", "text"}`` -- ``process_inbound`` of a text message from ``sender_id``;
* ``{"op": "typing", "typing": bool}`` -- publish a typing indicator.

It receives ``rooms``, ``joined``, ``result``, ``delivered`` (what the chat channel's connection
received, as a user's browser would), ``record`` (see :class:`~roomkit_console.monitor.Record`),
``dropped`` and ``error`` messages. Everything it sends is bounded: one queue per tab.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from contextlib import suppress
from typing import TYPE_CHECKING, Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from roomkit.channels.websocket import WebSocketChannel
from roomkit.errors import RoomKitError
from roomkit.models.content import TextContent
from roomkit.models.enums import ChannelType
from roomkit.models.event import EphemeralEvent, InboundMessage, RoomEvent
from roomkit_console.monitor import HOOK_PREFIX, ConsoleMonitor, Subscription
from roomkit_console.serialize import to_json

if TYPE_CHECKING:
    from roomkit import RoomKit

__all__ = ["MAX_FRAME_CHARS", "MAX_TEXT_CHARS", "ConsoleSession"]

logger = logging.getLogger("roomkit.console")

MAX_FRAME_CHARS = 16_384
MAX_TEXT_CHARS = 4_000
MAX_ID_CHARS = 128
TIMELINE = 50


class _BadRequest(Exception):
    """A browser operation that cannot be carried out (reported to the tab, not raised)."""


def _text_field(message: dict[str, Any], key: str, *, required: bool = True) -> str | None:
    value = message.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise _BadRequest(f"{key!r} must be a non-empty string")
    if len(value) > (MAX_TEXT_CHARS if key == "text" else MAX_ID_CHARS):
        raise _BadRequest(f"{key!r} is too long")
    return value.strip() if key != "text" else value


class ConsoleSession:
    """Serves one console WebSocket until the browser goes away."""

    def __init__(self, monitor: ConsoleMonitor, websocket: WebSocket, console_channel: str) -> None:
        self.monitor = monitor
        self.kit: RoomKit = monitor.kit
        self.ws = websocket
        self.console_channel = console_channel
        self.connection_id = f"console-{uuid.uuid4().hex[:12]}"
        self.outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue(monitor.queue_size)
        self.subscription: Subscription | None = None
        self.room_id: str | None = None
        self.channel_id: str | None = None
        self.sender_id = "console-user"
        self._pumps: set[asyncio.Task[None]] = set()

    # -- plumbing ----------------------------------------------------------------------------
    def send(self, message: dict[str, Any]) -> None:
        """Queue a message for the browser (the oldest waiting message gives way when full)."""
        while True:
            try:
                self.outbox.put_nowait(message)
                return
            except asyncio.QueueFull:
                self.outbox.get_nowait()

    async def _writer(self) -> None:
        reported = 0
        while True:
            message = await self.outbox.get()
            await self.ws.send_text(json.dumps(message))
            sub = self.subscription
            if sub is not None and sub.dropped != reported:
                reported = sub.dropped
                await self.ws.send_text(json.dumps({"type": "dropped", "count": reported}))

    async def _pump(self, subscription: Subscription) -> None:
        while True:
            self.send(await subscription.get())

    async def run(self) -> None:
        """Accept the socket and serve it until it closes."""
        await self.ws.accept()
        writer = asyncio.create_task(self._writer())
        try:
            while True:
                received = await self.ws.receive()
                if received["type"] == "websocket.disconnect":
                    break
                frame = received.get("text")
                if frame is None:
                    self.send({"type": "error", "error": "send JSON text frames"})
                    continue
                if len(frame) > MAX_FRAME_CHARS:
                    self.send({"type": "error", "error": "message too large"})
                    continue
                try:
                    message = json.loads(frame)
                    if not isinstance(message, dict):
                        raise _BadRequest("send a JSON object")
                    await self._handle(message)
                except (ValueError, _BadRequest, RoomKitError) as exc:
                    self.send({"type": "error", "error": str(exc)[:500]})
                except Exception as exc:  # the app's own code failed: say so, keep serving
                    logger.exception("console operation failed")
                    self.send(
                        {"type": "error", "error": f"{type(exc).__name__} (see the server log)"}
                    )
                if writer.done():
                    break
        except WebSocketDisconnect:
            pass
        finally:
            writer.cancel()
            with suppress(asyncio.CancelledError, Exception):
                await writer
            await self._leave()

    # -- operations --------------------------------------------------------------------------
    async def _handle(self, message: dict[str, Any]) -> None:
        op = message.get("op")
        if op == "rooms":
            self.send({"type": "rooms", "rooms": await self._rooms()})
        elif op == "join":
            room_id = _text_field(message, "room_id")
            assert room_id is not None
            await self._join(
                room_id,
                _text_field(message, "sender_id", required=False) or self.sender_id,
                _text_field(message, "channel_id", required=False),
            )
        elif op == "say":
            await self._say(_text_field(message, "text") or "")
        elif op == "typing":
            if self.room_id is not None:
                await self.kit.publish_typing(
                    self.room_id,
                    self.sender_id,
                    bool(message.get("typing", True)),
                    channel_id=self.channel_id,
                )
        else:
            raise _BadRequest(f"unknown op {str(op)[:40]!r}; use rooms, join, say or typing")

    async def _rooms(self) -> list[dict[str, Any]]:
        rooms = []
        for room in await self.kit.list_rooms(limit=200):
            bindings = await self.kit.list_bindings(room.id)
            rooms.append(
                {
                    "id": room.id,
                    "status": to_json(room.status),
                    "channels": [b.channel_id for b in bindings],
                }
            )
        return rooms

    async def _chat_channel(self, room_id: str, wanted: str | None) -> str:
        bindings = await self.kit.list_bindings(room_id)
        bound = {b.channel_id: b for b in bindings}
        if wanted is not None:
            if wanted not in bound:
                raise _BadRequest(f"channel {wanted!r} is not attached to room {room_id!r}")
            return wanted
        for binding in bindings:
            if binding.channel_type == ChannelType.WEBSOCKET:
                return binding.channel_id
        if self.console_channel not in self.kit.channels:
            self.kit.register_channel(WebSocketChannel(self.console_channel))
        await self.kit.attach_channel(room_id, self.console_channel)
        return self.console_channel

    async def _join(self, room_id: str, sender_id: str, channel_id: str | None) -> None:
        room = await self.kit.get_room(room_id)  # RoomNotFoundError for a typo
        chat_channel = await self._chat_channel(room_id, channel_id)
        await self._leave()
        self.room_id, self.sender_id, self.channel_id = room_id, sender_id, chat_channel
        if isinstance(self.kit.channels.get(chat_channel), WebSocketChannel):
            await self.kit.connect_websocket(chat_channel, self.connection_id, self._delivered)
        timeline = await self.kit.get_timeline(room_id, limit=TIMELINE)
        hooks = [
            {"name": reg.name, "trigger": str(reg.trigger), "priority": reg.priority}
            for reg in self.kit.hooks.registrations()
            if not reg.name.startswith(HOOK_PREFIX)
        ]
        bindings = await self.kit.list_bindings(room_id)
        self.send(
            {
                "type": "joined",
                "room": to_json(room),
                "channel_id": chat_channel,
                "sender_id": sender_id,
                "bindings": to_json(bindings),
                "hooks": hooks,
                "timeline": to_json(timeline),
            }
        )
        self.subscription = await self.monitor.subscribe(room_id)
        pump = asyncio.create_task(self._pump(self.subscription))
        self._pumps.add(pump)
        pump.add_done_callback(self._pumps.discard)

    async def _delivered(self, payload: Any) -> None:
        """What the chat channel's connection receives (events of other rooms are skipped)."""
        if getattr(payload, "room_id", None) != self.room_id:
            return
        kind = "ephemeral" if isinstance(payload, EphemeralEvent) else "event"
        if isinstance(payload, RoomEvent | EphemeralEvent):
            self.send({"type": "delivered", "kind": kind, "payload": to_json(payload)})

    async def _say(self, text: str) -> None:
        if self.room_id is None or self.channel_id is None:
            raise _BadRequest("join a room first")
        result = await self.kit.process_inbound(
            InboundMessage(
                channel_id=self.channel_id,
                sender_id=self.sender_id,
                content=TextContent(body=text),
            ),
            room_id=self.room_id,
        )
        self.send(
            {
                "type": "result",
                "event_id": result.event.id if result.event else None,
                "blocked": result.blocked,
                "reason": result.reason,
                "duplicate": result.duplicate,
                "responses": len(result.responses),
            }
        )

    async def _leave(self) -> None:
        for pump in list(self._pumps):
            pump.cancel()
        if self.subscription is not None:
            await self.monitor.unsubscribe(self.subscription)
            self.subscription = None
        if self.channel_id is not None:
            with suppress(RoomKitError):
                await self.kit.disconnect_websocket(self.channel_id, self.connection_id)
        self.room_id = self.channel_id = None
