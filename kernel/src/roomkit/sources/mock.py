"""``MockSourceProvider``: an in-process event source for tests and examples.

A test plays the remote side: :meth:`~MockSourceProvider.push` queues a payload (a text, or a
dict with ``text``, ``sender_id``, ``id``), :meth:`~MockSourceProvider.disconnect` drops the
connection, :meth:`~MockSourceProvider.fail_next_connects` makes the next connections fail.
Like a broker, it acknowledges a payload only when ``emit`` returned, and puts back (to
redeliver after a reconnect) a payload whose ``emit`` raised or was interrupted, so it loses
nothing; the kit's idempotency key (the payload's ``id``) keeps redeliveries out of the room.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from typing import Any

from roomkit.errors import ConfigurationError, InvalidContentError, RateLimitedError
from roomkit.models.content import TextContent
from roomkit.models.event import InboundMessage
from roomkit.sources.base import BaseSourceProvider, EmitCallback, SourceStatus

__all__ = ["MockSourceProvider"]

Parser = Callable[[Any], InboundMessage]

_DROP = object()


class MockSourceProvider(BaseSourceProvider):
    """An in-process source fed by the test (see the module doc).

    ``parser`` turns a payload into an :class:`InboundMessage` (raise to reject it); the
    default takes a text or a dict. At most ``max_queued`` payloads wait.
    """

    def __init__(
        self,
        channel_id: str = "mock-source",
        *,
        sender_id: str = "mock-user",
        parser: Parser | None = None,
        max_queued: int = 10_000,
    ) -> None:
        super().__init__()
        if max_queued < 1:
            raise ConfigurationError("max_queued must be >= 1")
        self.channel_id = channel_id
        self.sender_id = sender_id
        self._parser = parser or self._parse
        self._max_queued = max_queued
        self._queue: deque[Any] = deque()
        self._ready = asyncio.Event()
        self._failing_connects = 0
        self.acked: list[Any] = []
        """Payloads whose ``emit`` returned, in order."""
        self.connects = 0
        """How many times :meth:`start` connected."""

    @property
    def name(self) -> str:
        """``mock:<channel id>``."""
        return f"mock:{self.channel_id}"

    # -- the remote side -------------------------------------------------------------------
    def push(self, payload: Any) -> None:
        """Queue a payload for delivery; raises :class:`RateLimitedError` when full."""
        if len(self._queue) >= self._max_queued:
            raise RateLimitedError(f"{self.name} holds {self._max_queued} payloads; wait")
        self._queue.append(payload)
        self._ready.set()

    def disconnect(self) -> None:
        """Drop the connection after the payloads queued so far (``start`` returns)."""
        self._queue.append(_DROP)
        self._ready.set()

    def fail_next_connects(self, count: int) -> None:
        """Make the next ``count`` connections fail with ``ConnectionRefusedError``."""
        self._failing_connects = count

    @property
    def pending(self) -> int:
        """Payloads not yet acknowledged (queued or being emitted)."""
        return sum(1 for item in self._queue if item is not _DROP)

    # -- the source --------------------------------------------------------------------------
    async def start(self, emit: EmitCallback) -> None:
        """Deliver queued payloads until disconnected or stopped."""
        self._begin()
        if self._failing_connects > 0:
            self._failing_connects -= 1
            self._set_status(SourceStatus.RECONNECTING, "connection refused")
            raise ConnectionRefusedError(f"{self.name}: connection refused (as asked)")
        self.connects += 1
        self._set_status(SourceStatus.CONNECTED)
        while not self._stopping.is_set():
            if not self._queue:
                self._ready.clear()
                await self._wait()
                continue
            payload = self._queue[0]
            if payload is _DROP:
                self._queue.popleft()
                self._set_status(SourceStatus.RECONNECTING, "connection dropped")
                return
            await self._deliver_payload(emit, payload)

    async def _deliver_payload(self, emit: EmitCallback, payload: Any) -> None:
        try:
            message = self._parser(payload)
        except Exception as exc:
            self._queue.popleft()
            await self._reject(emit, payload, exc)
            return
        try:
            await self._emit(emit, message)
        except Exception:  # the kit reported it: leave it queued, to redeliver
            self._set_status(SourceStatus.RECONNECTING, "emit failed; redelivering")
            raise
        self._queue.popleft()
        self.acked.append(payload)

    async def _wait(self) -> None:
        ready = asyncio.ensure_future(self._ready.wait())
        stopping = asyncio.ensure_future(self._stopping.wait())
        try:
            await asyncio.wait({ready, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            ready.cancel()
            stopping.cancel()

    async def _on_stop(self) -> None:
        self._ready.set()

    def _parse(self, payload: Any) -> InboundMessage:
        if isinstance(payload, str):
            payload = {"text": payload}
        if not isinstance(payload, dict) or not isinstance(payload.get("text"), str):
            raise InvalidContentError(
                f"a mock payload is a text or a dict with a 'text' string, not {payload!r:.80}"
            )
        return InboundMessage(
            channel_id=self.channel_id,
            sender_id=str(payload.get("sender_id") or self.sender_id),
            content=TextContent(body=payload["text"]),
            idempotency_key=payload.get("id"),
            external_id=payload.get("id"),
        )
