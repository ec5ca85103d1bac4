"""The callback-based WebSocket channel: the app owns the sockets, the channel owns fan-out.

Each connection is registered with an async ``send_fn``. It may take ``(connection_id,
payload)`` or just ``(payload)``; the shape is read once at registration. The payload is the
:class:`~roomkit.models.RoomEvent` for room events and the
:class:`~roomkit.models.EphemeralEvent` for typing, receipts and reactions; the app serialises
it (``payload.model_dump_json()``) for its socket library.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from typing import Any

from roomkit.channels.base import Channel, SendFn
from roomkit.errors import ConfigurationError, DeliveryError
from roomkit.models.context import RoomContext
from roomkit.models.enums import ChannelCategory, ChannelMediaType, ChannelType
from roomkit.models.event import EphemeralEvent, RoomEvent
from roomkit.models.hooks import ChannelOutput
from roomkit.models.room import ChannelBinding, ChannelCapabilities

__all__ = ["SendFn", "WebSocketChannel"]

logger = logging.getLogger("roomkit.channels.websocket")

_EMPTY = ChannelOutput()

_CAPABILITIES = ChannelCapabilities(
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
        self._capabilities = capabilities or _CAPABILITIES
        self._connections: dict[str, tuple[SendFn, bool]] = {}
        self._on_connection_error = on_connection_error

    def capabilities(self) -> ChannelCapabilities:
        return self._capabilities

    # -- connections -------------------------------------------------------------------------
    def register_connection(self, connection_id: str, send_fn: SendFn) -> None:
        """Add (or replace) a connection; ``send_fn`` receives every payload for it."""
        if not connection_id:
            raise ConfigurationError("connection_id must be a non-empty string")
        if not callable(send_fn):
            raise TypeError("send_fn must be an async callable")
        self._connections[connection_id] = (send_fn, _takes_connection_id(send_fn))

    def unregister_connection(self, connection_id: str) -> bool:
        """Remove a connection; ``False`` if it was not registered."""
        return self._connections.pop(connection_id, None) is not None

    @property
    def connection_ids(self) -> list[str]:
        """Ids of the registered connections."""
        return list(self._connections)

    # -- delivery ----------------------------------------------------------------------------
    async def _send_all(self, payload: Any) -> list[str]:
        failed: list[str] = []
        for connection_id, (send_fn, with_id) in list(self._connections.items()):
            try:
                if with_id:
                    await send_fn(connection_id, payload)
                else:
                    await send_fn(payload)
            except Exception as exc:
                failed.append(connection_id)
                logger.warning(
                    "websocket %s: connection %s failed: %r", self.channel_id, connection_id, exc
                )
                if self._on_connection_error is not None:
                    self._on_connection_error(connection_id, exc)
        return failed

    async def deliver(
        self, event: RoomEvent, binding: ChannelBinding, context: RoomContext
    ) -> ChannelOutput:
        failed = await self._send_all(event)
        if not failed:
            return _EMPTY
        if len(failed) == len(self._connections):
            raise DeliveryError(
                f"every connection of websocket channel {self.channel_id!r} failed: {failed}"
            )
        return ChannelOutput(metadata={"failed_connections": failed})

    async def deliver_ephemeral(self, event: EphemeralEvent, binding: ChannelBinding) -> None:
        """Forward a typing / receipt / reaction event to every connection."""
        await self._send_all(event)

    async def close(self) -> None:
        """Forget every connection (the app closes its sockets)."""
        self._connections.clear()

    def info(self) -> dict[str, object]:
        data = super().info()
        data["connections"] = len(self._connections)
        return data
