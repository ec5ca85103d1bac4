"""``SSESource``: an event source that reads a Server-Sent Events stream.

It opens ``GET url`` with ``Accept: text/event-stream`` and hands the data of every event to
the kit, parsed by default as the JSON payload of :func:`roomkit.sources.json_message` (whose
``id``, or else the SSE event ``id``, becomes the idempotency key). Events without data are
skipped; data that cannot be parsed is reported (``ON_ERROR``, stage ``source.parse``) and
skipped. The source remembers the last event id and sends it as ``Last-Event-ID`` when it
reconnects, so a server that keeps a log resumes where the stream broke; whatever it sends
twice is stored once. ``timeout`` bounds the connection and every read: a server that stalls
longer ends :meth:`SSESource.start` with a time-out, and the kit restarts the source (with
``reconnect=True`` the source reconnects by itself, waiting at least the server's ``retry:``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx
from httpx_sse import ServerSentEvent, aconnect_sse

from roomkit.errors import ConfigurationError, ProviderError
from roomkit.models.event import InboundMessage
from roomkit.sources.base import BaseSourceProvider, EmitCallback, SourceStatus
from roomkit.sources.parsing import json_message

__all__ = ["SSESource"]

Parser = Callable[[ServerSentEvent], InboundMessage | None]


class SSESource(BaseSourceProvider):
    """Reads the event stream at ``url`` into channel ``channel_id``.

    ``parser(event) -> InboundMessage | None`` reads other formats (it receives the
    ``httpx_sse.ServerSentEvent``; raise to reject, ``None`` to skip). ``event_types`` keeps
    only events of those names (``None``: every event). ``headers`` and ``params`` go with the
    request; ``last_event_id`` resumes an earlier stream. ``rate_limit`` paces the messages.
    """

    def __init__(
        self,
        url: str,
        channel_id: str,
        *,
        parser: Parser | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        timeout: float = 30.0,
        last_event_id: str | None = None,
        reconnect: bool = False,
        max_reconnect_backoff: float = 30.0,
        rate_limit: float | None = None,
        event_types: Collection[str] | None = None,
    ) -> None:
        super().__init__(rate_limit=rate_limit)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigurationError(f"SSESource needs an http:// or https:// URL, not {url!r}")
        if not channel_id:
            raise ConfigurationError("SSESource needs a channel_id")
        if timeout <= 0 or max_reconnect_backoff <= 0:
            raise ConfigurationError("timeout and max_reconnect_backoff must be positive")
        self.url = url
        self.channel_id = channel_id
        self._host = parts.hostname
        self._parser = parser
        self._headers = dict(headers or {})
        self._params = dict(params or {})
        self._timeout = timeout
        self._last_event_id = last_event_id
        self._reconnect = reconnect
        self._max_backoff = max_reconnect_backoff
        self._event_types = frozenset(event_types) if event_types is not None else None
        self._retry: float | None = None
        self._response: httpx.Response | None = None
        self.connections = 0
        """Streams opened so far."""

    @property
    def name(self) -> str:
        """``sse:<host>``."""
        return f"sse:{self._host}"

    @property
    def last_event_id(self) -> str | None:
        """The id of the last event received (sent as ``Last-Event-ID`` on reconnection)."""
        return self._last_event_id

    async def start(self, emit: EmitCallback) -> None:
        """Open the stream and feed every event to ``emit`` until it ends or :meth:`stop`
        (with ``reconnect=True``: until :meth:`stop`)."""
        self._begin()
        await self._serve(
            lambda: self._stream_once(emit),
            reconnect=self._reconnect,
            max_backoff=self._max_backoff,
            base_backoff=lambda: self._retry or 0.5,
        )

    async def _stream_once(self, emit: EmitCallback) -> None:
        headers = {**self._headers, "Cache-Control": "no-cache"}
        if self._last_event_id is not None:
            headers["Last-Event-ID"] = self._last_event_id
        timeout = httpx.Timeout(self._timeout)
        async with (
            httpx.AsyncClient(timeout=timeout) as client,
            aconnect_sse(client, "GET", self.url, headers=headers, params=self._params) as stream,
        ):
            response = stream.response
            if response.status_code != 200:
                raise ProviderError(
                    f"{self.name}: the stream answered HTTP {response.status_code}",
                    provider="sse",
                    retryable=response.status_code >= 500 or response.status_code == 429,
                    status_code=response.status_code,
                )
            self._response = response
            self.connections += 1
            self._set_status(SourceStatus.CONNECTED)
            try:
                async for event in stream.aiter_sse():
                    await self._event(emit, event)
                    if self._stopping.is_set():
                        return
            finally:
                self._response = None
        if not self._stopping.is_set():
            self._set_status(SourceStatus.RECONNECTING, "the server ended the stream")

    async def _event(self, emit: EmitCallback, event: ServerSentEvent) -> None:
        if event.retry is not None:
            self._retry = event.retry / 1000
        if event.id:
            self._last_event_id = event.id
        if not event.data:
            return  # a heartbeat or an id-only event
        if self._event_types is not None and event.event not in self._event_types:
            return
        await self._deliver(emit, event, self._parse)

    def _parse(self, event: ServerSentEvent) -> InboundMessage | None:
        if self._parser is not None:
            return self._parser(event)
        message = json_message(event.data, self.channel_id)
        if message.idempotency_key is None and event.id:
            message = message.model_copy(
                update={"idempotency_key": event.id, "external_id": event.id}
            )
        return message

    async def _on_stop(self) -> None:
        response = self._response
        if response is not None:
            await response.aclose()

    def _health_metadata(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "connections": self.connections,
            "last_event_id": self._last_event_id,
        }
