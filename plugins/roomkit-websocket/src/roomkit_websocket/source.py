"""``WebSocketSource``: an event source that reads messages from a WebSocket server.

Each text or binary message the server sends is parsed (by default as the JSON payload of
:func:`roomkit.sources.json_message`, whose ``id`` becomes the idempotency key) and handed to
the kit. A message that cannot be parsed is reported (``ON_ERROR``, stage ``source.parse``) and
skipped. The connection sends pings every ``ping_interval`` seconds and gives up on a server
that does not answer within ``ping_timeout`` (a stalled peer), so a dead connection always ends
:meth:`WebSocketSource.start`; the kit then restarts the source with backoff (or, with
``reconnect=True``, the source reconnects by itself). :meth:`WebSocketSource.send` writes to
the server on the open connection (subscriptions, acknowledgements).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

from roomkit.errors import ConfigurationError, ProviderError
from roomkit.models.event import InboundMessage
from roomkit.sources.base import BaseSourceProvider, EmitCallback, SourceStatus
from roomkit.sources.parsing import json_message

if TYPE_CHECKING:
    from websockets.asyncio.client import ClientConnection
    from websockets.typing import Origin, Subprotocol

__all__ = ["WebSocketSource"]

Parser = Callable[[str | bytes], InboundMessage | None]


class WebSocketSource(BaseSourceProvider):
    """Reads the WebSocket stream at ``url`` into channel ``channel_id``.

    ``parser(raw) -> InboundMessage | None`` reads other formats (raise to reject a message,
    return ``None`` to skip it). ``headers`` go with the opening handshake (authentication);
    ``max_size`` bounds one message; ``open_timeout`` bounds the handshake. ``rate_limit``
    paces the messages (per second).
    """

    def __init__(
        self,
        url: str,
        channel_id: str,
        *,
        parser: Parser | None = None,
        headers: Mapping[str, str] | None = None,
        subprotocols: Sequence[str] | None = None,
        ping_interval: float | None = 20.0,
        ping_timeout: float | None = 20.0,
        close_timeout: float | None = 10.0,
        max_size: int | None = 1_048_576,
        origin: str | None = None,
        reconnect: bool = False,
        max_reconnect_backoff: float = 30.0,
        rate_limit: float | None = None,
        open_timeout: float = 10.0,
    ) -> None:
        super().__init__(rate_limit=rate_limit)
        parts = urlsplit(url)
        if parts.scheme not in ("ws", "wss") or not parts.hostname:
            raise ConfigurationError(f"WebSocketSource needs a ws:// or wss:// URL, not {url!r}")
        if not channel_id:
            raise ConfigurationError("WebSocketSource needs a channel_id")
        if open_timeout <= 0 or max_reconnect_backoff <= 0:
            raise ConfigurationError("open_timeout and max_reconnect_backoff must be positive")
        self.url = url
        self.channel_id = channel_id
        self._host = parts.hostname
        self._parser = parser
        self._headers = dict(headers or {})
        # websockets' Subprotocol and Origin are NewTypes of str (no conversion at run time)
        self._subprotocols = cast("list[Subprotocol]", list(subprotocols)) if subprotocols else None
        self._ping_interval = ping_interval
        self._ping_timeout = ping_timeout
        self._close_timeout = close_timeout
        self._max_size = max_size
        self._origin = cast("Origin", origin) if origin else None
        self._reconnect = reconnect
        self._max_backoff = max_reconnect_backoff
        self._open_timeout = open_timeout
        self._ws: ClientConnection | None = None
        self.connections = 0
        """Connections opened so far."""

    @property
    def name(self) -> str:
        """``websocket:<host>``."""
        return f"websocket:{self._host}"

    async def start(self, emit: EmitCallback) -> None:
        """Connect and feed every message to ``emit`` until the connection ends or
        :meth:`stop` (with ``reconnect=True``: until :meth:`stop`)."""
        self._begin()
        await self._serve(
            lambda: self._connect_once(emit),
            reconnect=self._reconnect,
            max_backoff=self._max_backoff,
        )

    async def _connect_once(self, emit: EmitCallback) -> None:
        # lazy: the websockets library loads with the first connection, not with the import
        from websockets.asyncio.client import connect
        from websockets.exceptions import ConnectionClosedOK  # lazy: as above

        async with connect(
            self.url,
            additional_headers=self._headers or None,
            subprotocols=self._subprotocols,
            ping_interval=self._ping_interval,
            ping_timeout=self._ping_timeout,
            close_timeout=self._close_timeout,
            max_size=self._max_size,
            origin=self._origin,
            open_timeout=self._open_timeout,
        ) as ws:
            self._ws = ws
            self.connections += 1
            self._set_status(SourceStatus.CONNECTED)
            try:
                async for raw in ws:
                    await self._deliver(emit, raw, self._parse)
                    if self._stopping.is_set():
                        return
            except ConnectionClosedOK:
                pass
            finally:
                self._ws = None
        if not self._stopping.is_set():
            self._set_status(SourceStatus.RECONNECTING, "the server closed the connection")

    def _parse(self, raw: Any) -> InboundMessage | None:
        if self._parser is not None:
            return self._parser(raw)
        return json_message(raw, self.channel_id)

    async def send(self, message: str | bytes | Mapping[str, Any]) -> None:
        """Send ``message`` to the server (a mapping is sent as JSON text); raises
        :class:`~roomkit.errors.ProviderError` (retryable) when not connected."""
        ws = self._ws
        if ws is None:
            raise ProviderError(
                f"{self.name} is not connected; send once status is CONNECTED",
                provider="websocket",
                retryable=True,
            )
        payload = json.dumps(dict(message)) if isinstance(message, Mapping) else message
        await ws.send(payload)

    async def _on_stop(self) -> None:
        ws = self._ws
        if ws is not None:
            await ws.close()

    def _health_metadata(self) -> dict[str, Any]:
        return {"url": self.url, "connections": self.connections}
